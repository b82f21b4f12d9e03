/**
 * A linear table system: nonnegative integer cells (the index is the cell's id) tied together by
 * additivity equations `values[total] = Σ values[parts]`. Linked tables (many grouping sets over
 * the same people), hierarchies (county → region) and a cell that sits in several equations are
 * all just equations here; the engine knows nothing about what the cells mean.
 *
 * Errors name cell and equation indices only: values are counts of people and never leave the
 * restricted zone through a message.
 */

export interface Equation {
  readonly total: number;
  readonly parts: readonly number[];
}

export interface TableSystem {
  readonly values: readonly number[];
  readonly equations: readonly Equation[];
}

/** A set of cells connected through shared equations; suppression in one never affects another. */
export interface Family {
  /** Cell indices, ascending. */
  readonly cells: readonly number[];
  /** Equation indices, ascending. */
  readonly equations: readonly number[];
}

export class TableSystemError extends Error {}

/** How many problems a validation error spells out before summarizing the rest. */
const PROBLEMS_LISTED = 20;

/** Throws a TableSystemError naming every malformed cell and equation (by index), or returns. */
export function validateTableSystem(system: TableSystem): void {
  const problems = [...valueProblems(system.values), ...equationProblems(system)];
  if (problems.length === 0) return;
  const listed = problems.slice(0, PROBLEMS_LISTED).join('; ');
  const more = problems.length > PROBLEMS_LISTED ? `; and ${problems.length - PROBLEMS_LISTED} more` : '';
  throw new TableSystemError(`table system is invalid: ${listed}${more}`);
}

function valueProblems(values: readonly number[]): string[] {
  const problems: string[] = [];
  values.forEach((value, cell) => {
    if (!Number.isSafeInteger(value) || value < 0) problems.push(`cell ${cell} is not a nonnegative integer`);
  });
  return problems;
}

function equationProblems({ values, equations }: TableSystem): string[] {
  const problems: string[] = [];
  const inRange = (cell: number): boolean => Number.isInteger(cell) && cell >= 0 && cell < values.length;
  equations.forEach(({ total, parts }, index) => {
    const outside = [total, ...parts].filter((cell) => !inRange(cell));
    if (outside.length > 0) {
      problems.push(`equation ${index} refers to ${outside.length} cell index(es) outside 0..${values.length - 1}`);
      return;
    }
    if (parts.length === 0) problems.push(`equation ${index} has no parts`);
    if (new Set(parts).size !== parts.length) problems.push(`equation ${index} lists a part twice`);
    if (parts.includes(total)) problems.push(`equation ${index} has its total cell ${total} among its parts`);
    // Values are checked on their own; a sum over bad values says nothing more.
    if ([total, ...parts].every((cell) => Number.isSafeInteger(values[cell]))) {
      const sum = parts.reduce((acc, cell) => acc + (values[cell] as number), 0);
      if (sum !== values[total]) problems.push(`equation ${index} does not add up: cell ${total} is not the sum of its ${parts.length} part(s)`);
    }
  });
  return problems;
}

/** For each cell, the equations it appears in (as total or part), ascending. */
export function equationsByCell(system: TableSystem): number[][] {
  const byCell: number[][] = system.values.map(() => []);
  system.equations.forEach(({ total, parts }, index) => {
    for (const cell of [total, ...parts]) (byCell[cell] as number[]).push(index);
  });
  return byCell;
}

/**
 * The independent families: connected components of cells over shared equations. A cell in no
 * equation is a family of its own. Ordered by their smallest cell, so the split is deterministic.
 */
export function familiesOf(system: TableSystem): Family[] {
  const roots = new UnionFind(system.values.length);
  for (const { total, parts } of system.equations) for (const part of parts) roots.union(total, part);
  const byRoot = new Map<number, { cells: number[]; equations: number[] }>();
  system.values.forEach((_, cell) => {
    const root = roots.find(cell);
    const family = byRoot.get(root) ?? { cells: [], equations: [] };
    family.cells.push(cell);
    byRoot.set(root, family);
  });
  system.equations.forEach(({ total }, index) => byRoot.get(roots.find(total))?.equations.push(index));
  return [...byRoot.values()];
}

/** Disjoint sets over 0..n-1, with path halving; the smaller index becomes the root, for determinism. */
export class UnionFind {
  private readonly parent: Int32Array;

  constructor(size: number) {
    this.parent = Int32Array.from({ length: size }, (_, i) => i);
  }

  find(x: number): number {
    let node = x;
    while (this.parent[node] !== node) {
      const grandparent = this.parent[this.parent[node] as number] as number;
      this.parent[node] = grandparent;
      node = grandparent;
    }
    return node;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}
