/**
 * Interval protection for one under-protected cell, by one LP over its family (the separation
 * problem of Fischetti and Salazar's model for cell suppression, used as a greedy step).
 *
 * The attacker's maximum of cell t is at least x_t + d exactly when some change y of the table
 * keeps every equation (A·y = 0) and every count nonnegative (x + y ≥ 0), raises t by d, and is
 * zero on every published cell. So we look for the cheapest such y allowing published cells to
 * move at their cost (hidden cells move for free), and hide the published cells it moves: after
 * that, y is invisible to the attacker and t's interval is at least d wide. Raising rather than
 * lowering t, because a small count cannot go down by much.
 */
import type { Highs, Model } from 'highs';
import type { Family, TableSystem } from './table-system';

/** A cell moves in a solution when it changes by more than this (HiGHS's feasibility tolerance). */
const MOVED = 1e-7;

/**
 * The LP over one family, kept between targets: only the target's bounds and the costs of newly
 * hidden cells change, so each solve starts from the previous basis.
 */
export class FamilyProtection {
  private readonly column: ReadonlyMap<number, number>;
  /** Each solution so far: the change it makes to every cell, and the cells it moves. */
  private readonly changes: Array<{ readonly change: Float64Array; readonly moved: readonly number[] }> = [];

  private constructor(
    private readonly highs: Highs,
    private readonly model: Model,
    private readonly family: Family,
    private readonly system: TableSystem,
  ) {
    this.column = new Map(family.cells.map((cell, j) => [cell, j]));
  }

  /** Builds the LP; call dispose() when done. Hidden cells move for free, published ones at their cost. */
  static create(highs: Highs, system: TableSystem, family: Family, suppressed: ReadonlySet<number>, costOf: (cell: number) => number): FamilyProtection {
    const { cells, equations } = family;
    const column = new Map(cells.map((cell, j) => [cell, j]));
    const n = cells.length;
    // Columns 0..n-1 raise a cell (y⁺), n..2n-1 lower it (y⁻, by at most its count).
    const colCost = new Float64Array(2 * n);
    const colUpper = new Float64Array(2 * n).fill(highs.infinity);
    cells.forEach((cell, j) => {
      const cost = suppressed.has(cell) ? 0 : costOf(cell);
      colCost[j] = cost;
      colCost[n + j] = cost;
      colUpper[n + j] = system.values[cell] as number;
    });
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const index of equations) {
      const { total, parts } = system.equations[index] as TableSystem['equations'][number];
      const terms = [[column.get(total) as number, 1], ...parts.map((part) => [column.get(part) as number, -1])].sort(([a], [b]) => (a as number) - (b as number));
      for (const [j, sign] of terms) {
        indices.push(j as number);
        values.push(sign as number);
      }
      for (const [j, sign] of terms) {
        indices.push(n + (j as number));
        values.push(-(sign as number));
      }
      starts.push(indices.length);
    }
    const zeros = new Float64Array(equations.length);
    const model = highs.createModel({
      numCols: 2 * n,
      numRows: equations.length,
      colCost,
      colLower: new Float64Array(2 * n),
      colUpper,
      rowLower: zeros,
      rowUpper: zeros,
      matrix: { format: 'csr', numRows: equations.length, numCols: 2 * n, starts, indices, values },
    });
    // Each target's bounds change between runs, which keeps the last basis dual feasible: dual
    // simplex from it, without presolve (it would discard the basis) or scaling (the matrix is ±1).
    model.options.set({ output_flag: false, presolve: 'off', simplex_strategy: 1, simplex_scale_strategy: 0 });
    return new FamilyProtection(highs, model, family, system);
  }

  /**
   * Published cells to hide so that every target can rise by its amount unseen, all by one change
   * (one solve for a family's failing cells; a change that raises them all raises each), or
   * undefined if no change of the family raises them all at once.
   */
  cellsToRaise(targets: ReadonlyArray<{ readonly cell: number; readonly amount: number }>, suppressed: ReadonlySet<number>): number[] | undefined {
    const n = this.family.cells.length;
    const columns = targets.map(({ cell }) => this.column.get(cell) as number);
    // An earlier solution that raises the targets enough and moves hidden cells only is a change the
    // attacker cannot see: nothing more to hide, and no solve needed (they are most of the targets,
    // once the cells hidden for the first targets of a family are free).
    const raisedBy = ({ change }: { readonly change: Float64Array }): boolean => targets.every(({ amount }, k) => (change[columns[k] as number] as number) >= amount - MOVED);
    if (this.changes.some((solution) => raisedBy(solution) && solution.moved.every((cell) => suppressed.has(cell)))) return [];
    targets.forEach(({ amount }, k) => {
      this.model.changeColBounds(columns[k] as number, amount, this.highs.infinity);
      this.model.changeColBounds(n + (columns[k] as number), 0, 0);
    });
    try {
      this.model.run();
      if (this.model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return undefined;
      const { colValue } = this.model.getSolution();
      const change = Float64Array.from(this.family.cells, (_, k) => (colValue[k] as number) - (colValue[n + k] as number));
      const moved = this.family.cells.filter((_, k) => (colValue[k] as number) + (colValue[n + k] as number) > MOVED);
      this.changes.push({ change, moved });
      return moved.filter((cell) => !suppressed.has(cell));
    } finally {
      targets.forEach(({ cell }, k) => {
        this.model.changeColBounds(columns[k] as number, 0, this.highs.infinity);
        this.model.changeColBounds(n + (columns[k] as number), 0, this.system.values[cell] as number);
      });
    }
  }

  /**
   * The points of the table the solutions so far lead to (cell, value), each feasible for the
   * attacker once the cells it moves are hidden: certificates of width for the audit.
   */
  *points(): Generator<readonly [number, number]> {
    for (const { change } of this.changes) {
      for (const [k, cell] of this.family.cells.entries()) yield [cell, (this.system.values[cell] as number) + (change[k] as number)];
    }
  }

  /** Newly hidden cells move for free from now on. */
  hidden(cells: readonly number[]): void {
    const n = this.family.cells.length;
    for (const cell of cells) {
      const j = this.column.get(cell) as number;
      this.model.changeColCost(j, 0);
      this.model.changeColCost(n + j, 0);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
