/**
 * Secondary suppression by Gaussian elimination, after Langsrud's GaussSuppression (SSBtools),
 * worked out on the equations instead of on a matrix of inner cells.
 *
 * An attacker who sees the published cells P and knows the equations A·v = 0 can compute a
 * suppressed cell s exactly iff the unit vector e_s lies in W = rowspace(A) + span{e_p : p ∈ P}.
 * Candidates are offered for publication one at a time, the ones we most want to publish first
 * (largest counts); a candidate is published unless adding it to W would put a primary cell's
 * unit vector into W, in which case it becomes a secondary suppression. Every primary therefore
 * stays linearly undeterminable, and so does every secondary: a candidate refused because of
 * primary p equals a multiple of p modulo W, so recovering it would recover p.
 *
 * W is kept as an echelon basis of sparse vectors over cells; each primary carries its normal form
 * modulo W (zero exactly when the primary is determined). Arithmetic is modulo a prime below 2^26,
 * so it is exact and every product fits a double; a false zero modulo the prime (odds about
 * 1 in 67 million per test) could only let a candidate through, and the LP audit that follows
 * would catch and repair that.
 */
import type { TableSystem } from './table-system';

const PRIME = 67108859;

type SparseVector = Map<number, number>;

const mul = (a: number, b: number): number => (a * b) % PRIME;
const sub = (a: number, b: number): number => (a >= b ? a - b : a - b + PRIME);

function inverse(a: number): number {
  // Extended Euclid; a is never 0 here.
  let [r0, r1, t0, t1] = [PRIME, a, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return t0 < 0 ? t0 + PRIME : t0;
}

/** Smallest-first heap of nonnegative integers (basis ranks). */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: number): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= item) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = item;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && (items[right] as number) < (items[left] as number) ? right : left;
        if ((items[child] as number) >= last) break;
        items[i] = items[child] as number;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

/**
 * An echelon basis: each row has a pivot cell with coefficient 1 and is zero at the pivots of the
 * rows added before it, so "zero at every pivot" is a unique normal form modulo the span.
 */
class EchelonBasis {
  private readonly rows: SparseVector[] = [];
  private readonly pivots: number[] = [];
  private readonly rankOfPivot = new Map<number, number>();

  /** Reduces `vector` in place to its normal form. */
  reduce(vector: SparseVector): void {
    const pending = new MinHeap();
    for (const cell of vector.keys()) {
      const rank = this.rankOfPivot.get(cell);
      if (rank !== undefined) pending.push(rank);
    }
    // Rows are eliminated in the order they were added: a later row is zero at earlier pivots,
    // so an eliminated pivot never comes back.
    while (pending.size > 0) {
      const rank = pending.pop();
      const factor = vector.get(this.pivots[rank] as number);
      if (factor === undefined) continue;
      for (const [cell, value] of this.rows[rank] as SparseVector) {
        const next = sub(vector.get(cell) ?? 0, mul(factor, value));
        if (next === 0) {
          vector.delete(cell);
          continue;
        }
        if (!vector.has(cell)) {
          const later = this.rankOfPivot.get(cell);
          if (later !== undefined) pending.push(later);
        }
        vector.set(cell, next);
      }
    }
  }

  /** Adds a reduced, nonzero vector with the given pivot; it is scaled so the pivot is 1. */
  add(vector: SparseVector, pivot: number): void {
    const scale = inverse(vector.get(pivot) as number);
    if (scale !== 1) for (const [cell, value] of vector) vector.set(cell, mul(value, scale));
    this.rankOfPivot.set(pivot, this.rows.length);
    this.rows.push(vector);
    this.pivots.push(pivot);
  }
}

/** The primary cells' normal forms modulo W, indexed by the cells they involve. */
class PrimaryForms {
  readonly forms = new Map<number, SparseVector>();
  /** Cell → primaries whose normal form involves it. */
  private readonly users = new Map<number, Set<number>>();

  constructor(primaries: readonly number[]) {
    for (const primary of primaries) {
      this.forms.set(primary, new Map([[primary, 1]]));
      this.use(primary, primary);
    }
  }

  usersOf(cell: number): number {
    return this.users.get(cell)?.size ?? 0;
  }

  /** Whether adding `vector` (normalized, pivot `pivot`) to the basis would determine some primary. */
  wouldDetermine(vector: SparseVector, pivot: number): boolean {
    // Only a primary whose form involves the pivot can change, and it vanishes iff it is parallel to vector.
    for (const primary of this.users.get(pivot) ?? []) {
      const form = this.forms.get(primary) as SparseVector;
      if (form.size !== vector.size) continue;
      const factor = form.get(pivot) as number;
      let parallel = true;
      for (const [cell, value] of vector) {
        if (form.get(cell) !== mul(factor, value)) {
          parallel = false;
          break;
        }
      }
      if (parallel) return true;
    }
    return false;
  }

  /** Brings every normal form up to date after `vector` joined the basis with pivot `pivot` (coefficient 1). */
  eliminate(vector: SparseVector, pivot: number): void {
    for (const primary of [...(this.users.get(pivot) ?? [])]) {
      const form = this.forms.get(primary) as SparseVector;
      const factor = form.get(pivot) as number;
      for (const [cell, value] of vector) {
        const next = sub(form.get(cell) ?? 0, mul(factor, value));
        if (next === 0) {
          form.delete(cell);
          this.users.get(cell)?.delete(primary);
        } else {
          if (!form.has(cell)) this.use(cell, primary);
          form.set(cell, next);
        }
      }
      // Determined by the equations alone: nothing can hide it, and the audit will say so.
      if (form.size === 0) this.forms.delete(primary);
    }
  }

  private use(cell: number, primary: number): void {
    const set = this.users.get(cell);
    if (set) set.add(primary);
    else this.users.set(cell, new Set([primary]));
  }
}

export interface GaussInput {
  readonly system: TableSystem;
  /** The family's equations. */
  readonly equations: readonly number[];
  /** The family's primary cells. */
  readonly primaries: readonly number[];
  /** The family's other cells, the one we most want to publish first. */
  readonly publicationOrder: readonly number[];
}

/** Secondary suppressions for one family, so that no primary is a linear function of published cells. */
export function gaussSecondary({ system, equations, primaries, publicationOrder }: GaussInput): number[] {
  const basis = new EchelonBasis();
  const forms = new PrimaryForms(primaries);
  // Pivots go preferably to cells already decided, then to the cells offered last: a cell that is
  // a pivot expands into its row when it is reduced, and decided cells are never reduced again.
  const laterIsBetter = new Map<number, number>(publicationOrder.map((cell, position) => [cell, position]));
  const decided = new Set<number>();
  const pivotScore = (cell: number): number => {
    const users = forms.usersOf(cell);
    if (users > 0) return -users;
    return decided.has(cell) ? Number.MAX_SAFE_INTEGER : (laterIsBetter.get(cell) ?? 0);
  };
  const insert = (vector: SparseVector): void => {
    const pivot = bestPivot(vector, pivotScore);
    basis.add(vector, pivot);
    forms.eliminate(vector, pivot);
  };

  for (const index of equations) {
    const { total, parts } = system.equations[index] as TableSystem['equations'][number];
    const row: SparseVector = new Map([[total, 1]]);
    for (const part of parts) row.set(part, PRIME - 1);
    basis.reduce(row);
    if (row.size > 0) insert(row);
  }

  const secondary: number[] = [];
  for (const cell of publicationOrder) {
    decided.add(cell);
    const unit: SparseVector = new Map([[cell, 1]]);
    basis.reduce(unit);
    // Already a function of what is published: publishing it tells nothing new.
    if (unit.size === 0) continue;
    const pivot = bestPivot(unit, pivotScore);
    const scale = inverse(unit.get(pivot) as number);
    for (const [key, value] of unit) unit.set(key, mul(value, scale));
    if (forms.wouldDetermine(unit, pivot)) {
      secondary.push(cell);
      continue;
    }
    basis.add(unit, pivot);
    forms.eliminate(unit, pivot);
  }
  return secondary;
}

/** The cell with the highest score; ties go to the smaller cell index. */
function bestPivot(vector: SparseVector, score: (cell: number) => number): number {
  let best = -1;
  let bestScore = -Infinity;
  for (const cell of vector.keys()) {
    const s = score(cell);
    if (s > bestScore || (s === bestScore && cell < best)) {
      best = cell;
      bestScore = s;
    }
  }
  return best;
}
