/**
 * Synthetic linked tables for the disclosure tests and benchmark: counts over a full cross of
 * dimensions (the "inner cells", never published) aggregated to grouping sets (the total, every
 * single dimension, every pair), with the additivity equations a cube would have. A dimension may
 * have a two-level hierarchy (county → region): each of its levels can appear in a grouping set,
 * and the coarse level adds up the fine one.
 */
import type { Equation, TableSystem } from '../../core/disclosure';

export interface Dimension {
  readonly size: number;
  /** Coarse group of each value (e.g. the region of each county), for a two-level hierarchy. */
  readonly groupOf?: readonly number[];
}

/** One dimension at one level of its hierarchy. */
interface Variable {
  readonly dimension: number;
  readonly coarse: boolean;
}

interface GroupingSet {
  readonly variables: readonly Variable[];
  readonly sizes: readonly number[];
  readonly offset: number;
  readonly cells: number;
}

export interface LinkedTables {
  readonly system: TableSystem;
  readonly groupingSets: number;
}

const levelSize = (dimensions: readonly Dimension[], { dimension, coarse }: Variable): number => {
  const d = dimensions[dimension] as Dimension;
  return coarse ? Math.max(...(d.groupOf as readonly number[])) + 1 : d.size;
};

/**
 * Aggregates inner counts (one per combination of dimension values, the first dimension varying
 * slowest) to grouping sets of up to `maxOrder` dimensions, with their equations.
 */
export function linkedTables(dimensions: readonly Dimension[], innerCounts: ArrayLike<number>, maxOrder = 2): LinkedTables {
  const sets = groupingSets(dimensions, maxOrder);
  const total = sets.reduce((n, set) => n + set.cells, 0);
  const values = new Array<number>(total).fill(0);
  const inner = dimensions.map(() => 0);
  for (let index = 0; index < innerCounts.length; index++) {
    const count = innerCounts[index] as number;
    if (count === 0) continue;
    let rest = index;
    for (let d = dimensions.length - 1; d >= 0; d--) {
      const size = (dimensions[d] as Dimension).size;
      inner[d] = rest % size;
      rest = Math.floor(rest / size);
    }
    for (const set of sets) values[cellOf(dimensions, set, inner)] += count;
  }
  return { system: { values, equations: equationsOf(dimensions, sets) }, groupingSets: sets.length };
}

function groupingSets(dimensions: readonly Dimension[], maxOrder: number): GroupingSet[] {
  const variables: Variable[][] = dimensions.map((d, dimension) => [
    { dimension, coarse: false },
    ...(d.groupOf ? [{ dimension, coarse: true }] : []),
  ]);
  const combos: Variable[][] = [[]];
  for (let dimension = 0; dimension < dimensions.length; dimension++) {
    for (const combo of [...combos]) {
      if (combo.length >= maxOrder) continue;
      for (const variable of variables[dimension] as Variable[]) combos.push([...combo, variable]);
    }
  }
  let offset = 0;
  return combos.map((combo) => {
    const sizes = combo.map((variable) => levelSize(dimensions, variable));
    const cells = sizes.reduce((n, size) => n * size, 1);
    const set = { variables: combo, sizes, offset, cells };
    offset += cells;
    return set;
  });
}

/** The cell of a grouping set for one combination of (fine) dimension values. */
function cellOf(dimensions: readonly Dimension[], set: GroupingSet, inner: readonly number[]): number {
  let index = 0;
  set.variables.forEach((variable, i) => {
    const value = inner[variable.dimension] as number;
    const level = variable.coarse ? ((dimensions[variable.dimension] as Dimension).groupOf as readonly number[])[value] as number : value;
    index = index * (set.sizes[i] as number) + level;
  });
  return set.offset + index;
}

/** The level values of cell `index` of a grouping set. */
function levelsOf(set: GroupingSet, index: number): number[] {
  const levels = set.sizes.map(() => 0);
  let rest = index;
  for (let i = set.sizes.length - 1; i >= 0; i--) {
    levels[i] = rest % (set.sizes[i] as number);
    rest = Math.floor(rest / (set.sizes[i] as number));
  }
  return levels;
}

const sameVariables = (a: readonly Variable[], b: readonly Variable[]): boolean =>
  a.length === b.length && a.every((v, i) => v.dimension === (b[i] as Variable).dimension && v.coarse === (b[i] as Variable).coarse);

/**
 * Every cell of a set adds up the cells of a set with one more dimension (at either level), and a
 * set with a coarse level adds up the same set at the fine level, group by group.
 */
function equationsOf(dimensions: readonly Dimension[], sets: readonly GroupingSet[]): Equation[] {
  const equations: Equation[] = [];
  const find = (variables: readonly Variable[]): GroupingSet | undefined => sets.find((s) => sameVariables(s.variables, variables));
  const cellAt = (set: GroupingSet, levels: readonly number[]): number =>
    set.offset + levels.reduce((index, level, i) => index * (set.sizes[i] as number) + level, 0);
  for (const set of sets) {
    for (let position = 0; position <= set.variables.length; position++) {
      const previous = set.variables[position - 1]?.dimension ?? -1;
      const next = set.variables[position]?.dimension ?? dimensions.length;
      for (let dimension = previous + 1; dimension < next; dimension++) {
        for (const coarse of (dimensions[dimension] as Dimension).groupOf ? [false, true] : [false]) {
          const finer = find([...set.variables.slice(0, position), { dimension, coarse }, ...set.variables.slice(position)]);
          if (!finer) continue;
          const size = levelSize(dimensions, { dimension, coarse });
          for (let index = 0; index < set.cells; index++) {
            const levels = levelsOf(set, index);
            const parts = Array.from({ length: size }, (_, value) => cellAt(finer, [...levels.slice(0, position), value, ...levels.slice(position)]));
            equations.push({ total: set.offset + index, parts });
          }
        }
      }
    }
    set.variables.forEach((variable, position) => {
      if (!variable.coarse) return;
      const fine = find(set.variables.map((v, i) => (i === position ? { dimension: v.dimension, coarse: false } : v))) as GroupingSet;
      const groupOf = (dimensions[variable.dimension] as Dimension).groupOf as readonly number[];
      for (let index = 0; index < set.cells; index++) {
        const levels = levelsOf(set, index);
        const parts = groupOf.flatMap((group, value) => (group === levels[position] ? [cellAt(fine, levels.map((l, i) => (i === position ? value : l)))] : []));
        equations.push({ total: set.offset + index, parts });
      }
    });
  }
  return equations;
}

/** A small, fast, seedable generator (mulberry32), so synthetic tables are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 2×2 table with margins: cells 0-3 inner (row-major), 4-5 row totals, 6-7 column totals, 8 grand total. */
export function twoByTwo([a, b, c, d]: readonly [number, number, number, number]): TableSystem {
  return {
    values: [a, b, c, d, a + b, c + d, a + c, b + d, a + b + c + d],
    equations: [
      { total: 4, parts: [0, 1] },
      { total: 5, parts: [2, 3] },
      { total: 6, parts: [0, 2] },
      { total: 7, parts: [1, 3] },
      { total: 8, parts: [4, 5] },
      { total: 8, parts: [6, 7] },
    ],
  };
}

