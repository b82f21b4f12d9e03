/**
 * The audit: for every suppressed cell, the interval [min, max] an attacker can derive from all
 * published cells, by linear programming (as tau-ARGUS's audit does).
 *
 * The attacker knows the equations, every published value and that counts are nonnegative. The
 * variables are the suppressed cells; published cells are constants on the right-hand side, and
 * an equation with no suppressed cell says nothing and is dropped. min and max of each variable
 * over that polyhedron bound what any attack on the published table can learn, except that the
 * attacker may also use integrality: the LP relaxation can be wider than the integer hull, so a
 * pass here is the standard LP-relaxation guarantee, not an integer-programming one.
 *
 * Suppressed cells split into components (cells sharing an equation); each component is its own
 * LP, and every cell of every component gets its interval. Solves are skipped only where a
 * feasible point already proves the bound: a solution with the cell at 0 proves min = 0, and a
 * solution with the cell at the slack of an equation whose total is published proves that max.
 */
import type { Highs, Model } from 'highs';
import { highsSolver } from './highs';
import type { ProtectionRequirement } from './primary';
import { equationsByCell, TableSystemError, UnionFind, validateTableSystem, type TableSystem } from './table-system';

export interface CellInterval {
  readonly cell: number;
  readonly min: number;
  /** Infinity when nothing published bounds the cell from above. */
  readonly max: number;
}

export interface AuditResult {
  /** No suppressed cell is recovered exactly and every primary cell has its protection. */
  readonly passed: boolean;
  /** One per suppressed cell, ascending by cell. */
  readonly intervals: readonly CellInterval[];
  /** Suppressed cells whose interval has width 0. */
  readonly exactlyRecovered: readonly number[];
  /** Primary cells whose interval is narrower than their required protection. */
  readonly underProtected: readonly number[];
}

/** Solver noise: widths and bounds within this of each other are equal. */
const TOLERANCE = 1e-6;

/** Audits a suppression pattern (the suppressed cells) against the primary requirements. */
export async function auditSuppression(system: TableSystem, suppressed: readonly number[], requirements: readonly ProtectionRequirement[]): Promise<AuditResult> {
  validateTableSystem(system);
  const auditor = await Auditor.create(system);
  return auditor.audit(new Set(suppressed), requirements);
}

/**
 * Audits one system repeatedly as its pattern grows: a component whose cells and equations did not
 * change keeps the intervals computed before.
 */
export class Auditor {
  private readonly byCell: number[][];
  private readonly known = new Map<string, CellInterval[]>();

  private constructor(private readonly system: TableSystem, private readonly highs: Highs) {
    this.byCell = equationsByCell(system);
  }

  static async create(system: TableSystem): Promise<Auditor> {
    return new Auditor(system, await highsSolver());
  }

  audit(suppressed: ReadonlySet<number>, requirements: readonly ProtectionRequirement[]): AuditResult {
    for (const cell of suppressed) {
      if (!Number.isInteger(cell) || cell < 0 || cell >= this.system.values.length) throw new TableSystemError(`suppressed cell ${cell} is outside the table system`);
    }
    const intervals: CellInterval[] = [];
    const current = new Map<string, CellInterval[]>();
    for (const component of this.components(suppressed)) {
      // A component is identified by its cells: the same cells mean the same equations and constants.
      const key = component.join(',');
      const found = this.known.get(key) ?? this.solveComponent(component, suppressed);
      current.set(key, found);
      intervals.push(...found);
    }
    this.known.clear();
    for (const [key, found] of current) this.known.set(key, found);
    intervals.sort((a, b) => a.cell - b.cell);
    return judge(intervals, requirements);
  }

  /** Suppressed cells grouped by shared equations, each ascending, in order of their first cell. */
  private components(suppressed: ReadonlySet<number>): number[][] {
    const roots = new UnionFind(this.system.values.length);
    for (const { total, parts } of this.system.equations) {
      let first = -1;
      for (const cell of [total, ...parts]) {
        if (!suppressed.has(cell)) continue;
        if (first < 0) first = cell;
        else roots.union(first, cell);
      }
    }
    const byRoot = new Map<number, number[]>();
    for (const cell of [...suppressed].sort((a, b) => a - b)) {
      const root = roots.find(cell);
      const group = byRoot.get(root);
      if (group) group.push(cell);
      else byRoot.set(root, [cell]);
    }
    return [...byRoot.values()];
  }

  private solveComponent(cells: readonly number[], suppressed: ReadonlySet<number>): CellInterval[] {
    const lp = this.componentLp(cells, suppressed);
    if (lp.rows.length === 0) return cells.map((cell) => ({ cell, min: 0, max: Infinity }));
    const highs = this.highs;
    const model = highs.createModel(lp.model(highs));
    try {
      model.options.set({ output_flag: false, presolve: 'off', simplex_strategy: 4 });
      const seenLowest = new Float64Array(cells.length).fill(Infinity);
      const seenHighest = new Float64Array(cells.length).fill(-Infinity);
      const observe = (): void => {
        const { colValue } = model.getSolution();
        colValue.forEach((value, j) => {
          if (value < (seenLowest[j] as number)) seenLowest[j] = value;
          if (value > (seenHighest[j] as number)) seenHighest[j] = value;
        });
      };
      const intervals: CellInterval[] = [];
      cells.forEach((cell, j) => {
        const slack = lp.slack[j] as number;
        model.changeColCost(j, 1);
        const max = (seenHighest[j] as number) >= slack - TOLERANCE ? slack : optimize(highs, model, j, cell, 'max', observe);
        const min = (seenLowest[j] as number) <= TOLERANCE ? 0 : optimize(highs, model, j, cell, 'min', observe);
        model.changeColCost(j, 0);
        intervals.push({ cell, min: clean(min), max: clean(max) });
      });
      return intervals;
    } finally {
      model.dispose();
    }
  }

  /**
   * The component's LP rows: every equation with a suppressed cell of the component, as
   * Σ (±1)·x = −Σ (±1)·published, plus each cell's slack (its upper bound from equations it is a
   * part of whose total is published).
   */
  private componentLp(cells: readonly number[], suppressed: ReadonlySet<number>): ComponentLp {
    const column = new Map(cells.map((cell, j) => [cell, j]));
    const equations = [...new Set(cells.flatMap((cell) => this.byCell[cell] as number[]))].sort((a, b) => a - b);
    const slack = new Array<number>(cells.length).fill(Infinity);
    const rows = equations.map((index) => {
      const { total, parts } = this.system.equations[index] as TableSystem['equations'][number];
      const entries: Array<[number, number]> = [];
      let rhs = 0;
      const term = (cell: number, sign: number): void => {
        const j = column.get(cell);
        if (j !== undefined) entries.push([j, sign]);
        else rhs -= sign * (this.system.values[cell] as number);
      };
      term(total, 1);
      for (const part of parts) term(part, -1);
      if (!suppressed.has(total)) {
        // Parts are nonnegative, so each suppressed part is at most what the published total leaves.
        for (const [j] of entries) slack[j] = Math.min(slack[j] as number, -rhs);
      }
      entries.sort(([a], [b]) => a - b);
      return { entries, rhs };
    });
    return new ComponentLp(cells.length, rows, slack);
  }
}

class ComponentLp {
  constructor(
    readonly columns: number,
    readonly rows: ReadonlyArray<{ readonly entries: ReadonlyArray<readonly [number, number]>; readonly rhs: number }>,
    readonly slack: readonly number[],
  ) {}

  model(highs: Highs): Parameters<Highs['createModel']>[0] {
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const { entries } of this.rows) {
      for (const [j, sign] of entries) {
        indices.push(j);
        values.push(sign);
      }
      starts.push(indices.length);
    }
    const rhs = this.rows.map((row) => row.rhs);
    return {
      numCols: this.columns,
      numRows: this.rows.length,
      colCost: new Float64Array(this.columns),
      colLower: new Float64Array(this.columns),
      colUpper: new Float64Array(this.columns).fill(highs.infinity),
      rowLower: rhs,
      rowUpper: rhs,
      matrix: { format: 'csr', numRows: this.rows.length, numCols: this.columns, starts, indices, values },
    };
  }
}

/**
 * Minimizes or maximizes one column (the model's objective is that column alone; warm-started from
 * the previous basis). Infinity when the maximum is unbounded.
 */
function optimize(highs: Highs, model: Model, column: number, cell: number, direction: 'min' | 'max', observe: () => void): number {
  const { objectiveSense, modelStatus } = highs.constants;
  model.changeObjectiveSense(direction === 'min' ? objectiveSense.minimize : objectiveSense.maximize);
  model.run();
  const status = model.getModelStatus();
  if (status === modelStatus.optimal) {
    observe();
    return model.getObjectiveValue();
  }
  // The true table is a feasible point, so "unbounded or infeasible" can only be unbounded.
  if (direction === 'max' && (status === modelStatus.unbounded || status === modelStatus.unboundedOrInfeasible)) return Infinity;
  throw new Error(`audit LP for suppressed cell ${cell} (column ${column}) ended with HiGHS model status ${status}`);
}

/** Snaps solver noise around integers (LP optima of these tables are mostly integral). */
function clean(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) < TOLERANCE ? nearest : value;
}

function judge(intervals: readonly CellInterval[], requirements: readonly ProtectionRequirement[]): AuditResult {
  const widthOf = new Map(intervals.map(({ cell, min, max }) => [cell, max - min]));
  const exactlyRecovered = intervals.filter(({ min, max }) => max - min <= TOLERANCE).map(({ cell }) => cell);
  const underProtected = requirements
    .filter(({ cell, protection }) => (widthOf.get(cell) ?? 0) < protection - TOLERANCE)
    .map(({ cell }) => cell);
  return { passed: exactlyRecovered.length === 0 && underProtected.length === 0, intervals, exactlyRecovered, underProtected };
}
