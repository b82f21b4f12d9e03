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
 * LP, and every cell of every component gets its interval. A bound is taken without solving for it
 * only where a certificate proves it: interval propagation over the rows gives valid bounds, and a
 * feasible point (a solution of an earlier objective) at such a bound proves it is the min or max;
 * a ray of the polyhedron (a change of the hidden cells that keeps every equation and every count
 * nonnegative, however far it goes) that raises the cell proves max = ∞. One LP per component
 * finds a ray raising every cell any ray raises, and a few LPs over sums of cells give feasible
 * points at many bounds at once, so most cells need no solve of their own.
 *
 * Publishing needs the verdict, not every bound: Auditor.certify gives the same verdict from
 * certificates of width (certificates.ts), exact intervals only for the cells that fail, and is
 * what suppression runs on its final pattern; auditSuppression computes every exact interval.
 */
import type { Highs, Model } from 'highs';
import { availableParallelism } from 'node:os';
import { clean, passes, TOLERANCE, wideEnough, WidthCertificates } from './certificates';
import { highsSolver } from './highs';
import type { ProtectionRequirement } from './primary';
import { startScreeningPool } from './screening-pool';
import { equationsByCell, TableSystemError, UnionFind, validateTableSystem, type TableSystem } from './table-system';

export interface CellInterval {
  readonly cell: number;
  readonly min: number;
  /** Infinity when nothing published bounds the cell from above. */
  readonly max: number;
  /**
   * True when [min, max] is the attacker's interval; false when it is a certified interval, one
   * the attacker's contains (Auditor.certify proves widths, not bounds).
   */
  readonly exact: boolean;
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

/** The cells an audit would fail, found without computing every interval (Auditor.screen). */
export interface Screening {
  /** Cells recovered exactly or under-protected (as the audit judges them), ascending. */
  readonly failing: readonly number[];
  /** The exact interval of every failing cell that is suppressed. */
  readonly intervals: ReadonlyMap<number, CellInterval>;
}

/** Interval propagation stops after this many passes over the rows (its bounds are valid at any point). */
const PROPAGATION_PASSES = 20;

/**
 * A solve over a sum of cells goes on to the next sum while it settles at least this share of the
 * cells still open; below that, single-cell solves are cheaper.
 */
const SWEEP_YIELD = 0.05;

/** Audits a suppression pattern (the suppressed cells) against the primary requirements. */
export async function auditSuppression(system: TableSystem, suppressed: readonly number[], requirements: readonly ProtectionRequirement[]): Promise<AuditResult> {
  validateTableSystem(system);
  const auditor = await Auditor.create(system);
  try {
    return auditor.audit(new Set(suppressed), requirements);
  } finally {
    await auditor.close();
  }
}

/** One component's screening, as a task that can run anywhere the system is (screening-pool.ts). */
export interface ComponentTask {
  /** The component's cells, ascending. */
  readonly cells: Int32Array;
  /** Each cell's required protection (0 for a secondary). */
  readonly protections: Float64Array;
  /** The certificates held for each cell: the lowest and highest values met. */
  readonly lowest: Float64Array;
  readonly highest: Float64Array;
}

export interface ComponentScreened {
  /** Exact intervals of the cells the audit fails. */
  readonly failing: readonly CellInterval[];
  /** The certificates after the screening, per cell of the task. */
  readonly lowest: Float64Array;
  readonly highest: Float64Array;
}

/** Runs component screenings: here, one after another, or on worker threads (screening-pool.ts). */
export interface ScreeningRunner {
  run(tasks: readonly ComponentTask[]): Promise<ComponentScreened[]>;
  close(): Promise<void>;
}

export interface AuditorOptions {
  /**
   * Runs the screenings of a round on these worker threads when the round has at least
   * `parallelFrom` cells to prove, and every later round of more than one component once they run;
   * default: one per core, from 5,000 cells (a worker takes about a second to start). Components
   * are independent, so the result is the same either way.
   */
  readonly workers?: number;
  readonly parallelFrom?: number;
  /** Starts the workers; the default is screening-pool.ts's pool. */
  readonly startWorkers?: (system: TableSystem, workers: number) => ScreeningRunner;
}

/** Below this many cells to prove, a round is screened on the calling thread. */
const PARALLEL_FROM = 5_000;

/**
 * Audits one system repeatedly as its pattern grows: a component whose cells did not change keeps
 * the intervals computed before, and width certificates (certificates.ts) stay valid while the
 * pattern only grows, so screening looks only at cells not proven yet. close() stops its workers.
 */
export class Auditor {
  private known = new Map<string, CellInterval[]>();
  private readonly certificates: WidthCertificates;
  private readonly lps: ComponentLps;
  private workers: ScreeningRunner | undefined;

  private constructor(private readonly system: TableSystem, highs: Highs, private readonly options: Required<AuditorOptions>) {
    this.lps = new ComponentLps(system, highs);
    this.certificates = new WidthCertificates(system);
  }

  static async create(system: TableSystem, options: AuditorOptions = {}): Promise<Auditor> {
    return new Auditor(system, await highsSolver(), {
      workers: options.workers ?? availableParallelism(),
      parallelFrom: options.parallelFrom ?? PARALLEL_FROM,
      startWorkers: options.startWorkers ?? startScreeningPool,
    });
  }

  async close(): Promise<void> {
    await this.workers?.close();
    this.workers = undefined;
  }

  /**
   * A point of the table the attacker cannot rule out once every cell it changes is hidden (the
   * caller hides them before the next screening): a certificate for those cells.
   */
  witness(points: Iterable<readonly [number, number]>): void {
    for (const [cell, value] of points) this.certificates.record(cell, value);
  }

  /** Every suppressed cell's exact interval, and the verdict. */
  audit(suppressed: ReadonlySet<number>, requirements: readonly ProtectionRequirement[]): AuditResult {
    const current = new Map<string, CellInterval[]>();
    for (const component of components(this.system, suppressed)) {
      // A component is identified by its cells: the same cells mean the same equations and constants.
      const key = component.join(',');
      current.set(key, this.known.get(key) ?? this.lps.withSolver(component, (solver) => component.map((_, j) => solver.interval(j))));
    }
    this.known = current;
    const intervals = [...current.values()].flat().sort((a, b) => a.cell - b.cell);
    return judge(intervals, requirements);
  }

  /**
   * The cells the audit would fail, with their exact intervals, and no more: a cell passes as soon
   * as certificates (feasible points, or a ray) show its interval wide enough, without its exact
   * bounds. The verdict is the audit's, since a proven width is at most the exact one. Only the
   * components with cells not proven yet are solved (ComponentLps.screen), on worker threads when
   * there are many.
   */
  async screen(suppressed: ReadonlySet<number>, requirements: readonly ProtectionRequirement[]): Promise<Screening> {
    const required = new Map(requirements.map(({ cell, protection }) => [cell, protection]));
    const protectionOf = (cell: number): number => required.get(cell) ?? 0;
    this.certificates.track(suppressed);
    const tasks: ComponentTask[] = [];
    let open = 0;
    for (const component of components(this.system, suppressed)) {
      const unproven = component.filter((cell) => !this.certificates.proves(cell, protectionOf(cell))).length;
      if (unproven === 0) continue;
      open += unproven;
      const extremes = component.map((cell) => this.certificates.extremes(cell));
      tasks.push({
        cells: Int32Array.from(component),
        protections: Float64Array.from(component, protectionOf),
        lowest: Float64Array.from(extremes, ([lowest]) => lowest),
        highest: Float64Array.from(extremes, ([, highest]) => highest),
      });
    }
    const screened = await this.runner(open, tasks.length).run(tasks);
    const intervals = new Map<number, CellInterval>();
    screened.forEach(({ failing, lowest, highest }, k) => {
      (tasks[k] as ComponentTask).cells.forEach((cell, j) => {
        this.certificates.record(cell, lowest[j] as number);
        this.certificates.record(cell, highest[j] as number);
      });
      for (const interval of failing) intervals.set(interval.cell, interval);
    });
    // A primary left published has width 0, as judge() counts it.
    const published = requirements.filter(({ cell, protection }) => !suppressed.has(cell) && 0 < protection - TOLERANCE).map(({ cell }) => cell);
    return { failing: [...intervals.keys(), ...published].sort((a, b) => a - b), intervals };
  }

  /**
   * The audit's verdict from screening: every suppressed cell's interval, exact where it fails,
   * elsewhere the certified interval that proves it passes (the attacker's contains it). Far
   * cheaper than audit() on large components, with the same verdict.
   */
  async certify(suppressed: ReadonlySet<number>, requirements: readonly ProtectionRequirement[]): Promise<AuditResult> {
    const { intervals } = await this.screen(suppressed, requirements);
    const all = [...suppressed].sort((a, b) => a - b).map((cell) => intervals.get(cell) ?? { cell, ...this.certificates.interval(cell), exact: false });
    return judge(all, requirements);
  }

  /**
   * The workers for a round with this many cells to prove, started on first need, and kept for
   * every later round of more than one component; else this thread.
   */
  private runner(open: number, components: number): ScreeningRunner {
    const { workers, parallelFrom, startWorkers } = this.options;
    const worthIt = open >= parallelFrom || (this.workers !== undefined && components > 1);
    if (workers < 2 || !worthIt) return { run: async (tasks) => tasks.map((task) => this.lps.screen(task)), close: async () => undefined };
    this.workers ??= startWorkers(this.system, workers);
    return this.workers;
  }
}

/** Suppressed cells grouped by shared equations, each ascending, in order of their first cell. */
function components(system: TableSystem, suppressed: ReadonlySet<number>): number[][] {
  for (const cell of suppressed) {
    if (!Number.isInteger(cell) || cell < 0 || cell >= system.values.length) throw new TableSystemError(`suppressed cell ${cell} is outside the table system`);
  }
  const roots = new UnionFind(system.values.length);
  for (const { total, parts } of system.equations) {
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

/** The LPs of the system's components: built from the equations, solved with HiGHS. */
export class ComponentLps {
  private readonly byCell: number[][];

  constructor(private readonly system: TableSystem, private readonly highs: Highs) {
    this.byCell = equationsByCell(system);
  }

  /**
   * One component's screening: without sweeps (propagated bounds, the ray LP, and one solve per
   * cell not proven at most), starting from the certificates held; every point met is returned as
   * certificates.
   */
  screen({ cells, protections, lowest, highest }: ComponentTask): ComponentScreened {
    const component = Array.from(cells);
    const failing: CellInterval[] = [];
    const low = Float64Array.from(lowest);
    const high = Float64Array.from(highest);
    this.withSolver(component, (solver) => {
      solver.seed((j) => [low[j] as number, high[j] as number]);
      component.forEach((_, j) => {
        if (wideEnough(low[j] as number, high[j] as number, protections[j] as number)) return;
        const interval = solver.failing(j, protections[j] as number);
        if (interval) failing.push(interval);
      });
      solver.record((j, value) => {
        if (value < (low[j] as number)) low[j] = value;
        if (value > (high[j] as number)) high[j] = value;
      });
    }, { sweep: false });
    return { failing, lowest: low, highest: high };
  }

  withSolver<T>(cells: readonly number[], use: (solver: ComponentSolver) => T, options: { readonly sweep: boolean } = { sweep: true }): T {
    const solver = new ComponentSolver(this.highs, cells, this.componentLp(cells), options);
    try {
      return use(solver);
    } finally {
      solver.dispose();
    }
  }

  /** The component's LP rows: every equation with a suppressed cell of the component, as Σ (±1)·x = −Σ (±1)·published. */
  private componentLp(cells: readonly number[]): ComponentLp {
    const column = new Map(cells.map((cell, j) => [cell, j]));
    const equations = [...new Set(cells.flatMap((cell) => this.byCell[cell] as number[]))].sort((a, b) => a - b);
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
      entries.sort(([a], [b]) => a - b);
      return { entries, rhs };
    });
    return new ComponentLp(cells.length, rows);
  }
}

/**
 * One component's LP, solved one objective after another from the previous basis, and every
 * feasible point the solves went through the bounds of.
 */
class ComponentSolver {
  private readonly model: Model | undefined;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly unbounded: ReadonlySet<number>;
  private readonly seenLowest: Float64Array;
  private readonly seenHighest: Float64Array;

  /** With `sweep`, sums of cells are optimized first: worth it when every cell's bounds are wanted. */
  constructor(private readonly highs: Highs, private readonly cells: readonly number[], lp: ComponentLp, { sweep }: { readonly sweep: boolean }) {
    ({ lower: this.lower, upper: this.upper } = lp.bounds());
    this.seenLowest = new Float64Array(cells.length).fill(Infinity);
    this.seenHighest = new Float64Array(cells.length).fill(-Infinity);
    // No equation: nothing ties the cells, each is anywhere in [0, ∞).
    if (lp.rows.length === 0) {
      this.unbounded = new Set(cells.keys());
      this.seenLowest.fill(0);
      return;
    }
    this.unbounded = unboundedColumns(highs, lp, this.upper);
    this.model = highs.createModel(lp.model(highs));
    // Primal simplex keeps the basis feasible from one objective to the next. The matrix is all ±1,
    // so scaling buys nothing, and redoing it at every run cost more than a third of the time.
    this.model.options.set({ output_flag: false, presolve: 'off', simplex_strategy: 4, simplex_scale_strategy: 0 });
    if (!sweep) return;
    this.sweep('max', (j) => this.maxKnown(j));
    this.sweep('min', (j) => this.minKnown(j));
  }

  interval(j: number): CellInterval {
    return { cell: this.cells[j] as number, min: clean(this.min(j)), max: clean(this.max(j)), exact: true };
  }

  /** Values each column takes in points already known to be feasible (certificates): fewer solves. */
  seed(extremes: (j: number) => readonly [number, number]): void {
    this.cells.forEach((_, j) => {
      const [lowest, highest] = extremes(j);
      if (lowest < (this.seenLowest[j] as number)) this.seenLowest[j] = lowest;
      if (highest > (this.seenHighest[j] as number)) this.seenHighest[j] = highest;
    });
  }

  /** Every feasible point (and ray) met so far, as values of each column. */
  record(met: (j: number, value: number) => void): void {
    this.cells.forEach((_, j) => {
      if (this.unbounded.has(j)) met(j, Infinity);
      // Columns no solve has met yet have no point to give (±Infinity).
      if (Number.isFinite(this.seenHighest[j])) met(j, this.seenHighest[j] as number);
      if (Number.isFinite(this.seenLowest[j])) met(j, this.seenLowest[j] as number);
    });
  }

  /**
   * The exact interval of column j if the audit fails it (with `protection` 0 for a secondary), or
   * undefined once feasible points (or a ray) show it wide enough.
   */
  failing(j: number, protection: number): CellInterval | undefined {
    // Less the noise that cleaning the exact bounds could take off.
    const proven = (): boolean => passes(this.provenWidth(j) - 2 * TOLERANCE, protection);
    if (proven()) return undefined;
    this.max(j);
    if (proven()) return undefined;
    const interval = this.interval(j);
    return passes(interval.max - interval.min, protection) ? undefined : interval;
  }

  dispose(): void {
    this.model?.dispose();
  }

  private provenWidth(j: number): number {
    return this.unbounded.has(j) ? Infinity : (this.seenHighest[j] as number) - (this.seenLowest[j] as number);
  }

  private maxKnown(j: number): boolean {
    return this.unbounded.has(j) || (this.seenHighest[j] as number) >= (this.upper[j] as number) - TOLERANCE;
  }

  private minKnown(j: number): boolean {
    return (this.seenLowest[j] as number) <= (this.lower[j] as number) + TOLERANCE;
  }

  private max(j: number): number {
    if (this.unbounded.has(j)) return Infinity;
    // Unbounded only if the ray LP missed a ray through solver noise; HiGHS's verdict stands then.
    if (!this.maxKnown(j) && !this.optimize([j], 'max')) return Infinity;
    // Certified, or solved (the solution attains the maximum, which no valid bound is below).
    return Math.min(this.upper[j] as number, this.seenHighest[j] as number);
  }

  private min(j: number): number {
    if (!this.minKnown(j)) this.optimize([j], 'min');
    return Math.max(this.lower[j] as number, this.seenLowest[j] as number);
  }

  /**
   * Optimizes the sum of the columns not known yet, again while that settles enough of them: one
   * vertex often sits at the bound of many cells at once. Only columns with a finite propagated
   * bound are summed, so that the sum is bounded.
   */
  private sweep(direction: 'min' | 'max', known: (j: number) => boolean): void {
    for (;;) {
      const open = [...this.cells.keys()].filter((j) => !known(j) && this.upper[j] !== Infinity);
      if (open.length < 2) return;
      this.optimize(open, direction);
      if (open.filter(known).length < Math.max(1, SWEEP_YIELD * open.length)) return;
    }
  }

  /**
   * Optimizes the sum of `columns` (warm-started from the previous basis) and records the solution;
   * false if the maximum is unbounded.
   */
  private optimize(columns: readonly number[], direction: 'min' | 'max'): boolean {
    const model = this.model as Model;
    const { objectiveSense, modelStatus } = this.highs.constants;
    const costs = new Float64Array(this.cells.length);
    for (const j of columns) costs[j] = 1;
    model.changeColsCost({ kind: 'range', from: 0, to: this.cells.length - 1 }, costs);
    model.changeObjectiveSense(direction === 'min' ? objectiveSense.minimize : objectiveSense.maximize);
    model.run();
    const status = model.getModelStatus();
    // The true table is a feasible point, so "unbounded or infeasible" can only be unbounded.
    if (direction === 'max' && (status === modelStatus.unbounded || status === modelStatus.unboundedOrInfeasible)) return false;
    if (status !== modelStatus.optimal) {
      throw new Error(`audit LP for suppressed cell(s) ${columns.slice(0, 3).map((j) => this.cells[j]).join(', ')} ended with HiGHS model status ${status}`);
    }
    const { colValue } = model.getSolution();
    colValue.forEach((value, j) => {
      if (value < (this.seenLowest[j] as number)) this.seenLowest[j] = value;
      if (value > (this.seenHighest[j] as number)) this.seenHighest[j] = value;
    });
    return true;
  }
}

type ModelData = Parameters<Highs['createModel']>[0] & object;

class ComponentLp {
  constructor(
    readonly columns: number,
    readonly rows: ReadonlyArray<{ readonly entries: ReadonlyArray<readonly [number, number]>; readonly rhs: number }>,
  ) {}

  /** The attacker's polyhedron: the rows, the hidden cells nonnegative. */
  model(highs: Highs): ModelData {
    const { starts, indices, values } = this.csr();
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

  /**
   * The LP of unboundedColumns: columns d (one per cell) then t (one per candidate); the rows with
   * right-hand side 0, then t_k − d_candidate(k) ≤ 0.
   */
  rayModel(highs: Highs, candidates: readonly number[]): ModelData {
    const { starts, indices, values } = this.csr();
    candidates.forEach((j, k) => {
      indices.push(this.columns + k, j);
      values.push(1, -1);
      starts.push(indices.length);
    });
    const numCols = this.columns + candidates.length;
    const numRows = this.rows.length + candidates.length;
    const colUpper = new Float64Array(numCols).fill(highs.infinity);
    colUpper.fill(1, this.columns);
    const rowLower = new Float64Array(numRows);
    rowLower.fill(-highs.infinity, this.rows.length);
    return {
      numCols,
      numRows,
      sense: highs.constants.objectiveSense.maximize,
      colCost: new Float64Array(numCols).fill(1, this.columns),
      colLower: new Float64Array(numCols),
      colUpper,
      rowLower,
      rowUpper: new Float64Array(numRows),
      matrix: { format: 'csr', numRows, numCols, starts, indices, values },
    };
  }

  /**
   * Bounds on every column implied by the rows and x ≥ 0, by interval propagation: each row gives
   * each of its columns the range that the other columns' ranges leave it. Valid after any number
   * of passes (the arithmetic is on integers, so exact); not always the LP's min and max, so a bound
   * is taken as the answer only where a feasible point attains it.
   */
  bounds(): { lower: Float64Array; upper: Float64Array } {
    const lower = new Float64Array(this.columns);
    const upper = new Float64Array(this.columns).fill(Infinity);
    // Column j's term sign·x_j ranges over [low, high].
    const term = (j: number, sign: number): [number, number] => (sign > 0 ? [lower[j] as number, upper[j] as number] : [-(upper[j] as number), -(lower[j] as number)]);
    for (let pass = 0; pass < PROPAGATION_PASSES; pass++) {
      let changed = false;
      for (const { entries, rhs } of this.rows) {
        // The row's terms add up to something in [low, high]; infinite ends are counted apart.
        let low = 0, high = 0, lowInfinite = 0, highInfinite = 0;
        for (const [j, sign] of entries) {
          const [termLow, termHigh] = term(j, sign);
          if (termLow === -Infinity) lowInfinite++;
          else low += termLow;
          if (termHigh === Infinity) highInfinite++;
          else high += termHigh;
        }
        for (const [j, sign] of entries) {
          const [termLow, termHigh] = term(j, sign);
          // sign·x_j = rhs − (the other terms), which lie in [restLow, restHigh].
          const restLow = lowInfinite > (termLow === -Infinity ? 1 : 0) ? -Infinity : low - (termLow === -Infinity ? 0 : termLow);
          const restHigh = highInfinite > (termHigh === Infinity ? 1 : 0) ? Infinity : high - (termHigh === Infinity ? 0 : termHigh);
          const [newLower, newUpper] = sign > 0 ? [rhs - restHigh, rhs - restLow] : [restLow - rhs, restHigh - rhs];
          if (newUpper < (upper[j] as number)) {
            upper[j] = newUpper;
            changed = true;
          }
          if (newLower > (lower[j] as number)) {
            lower[j] = newLower;
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    return { lower, upper };
  }

  /** Whether d ≥ 0 keeps every row (A·d = 0), within solver noise relative to d's size. */
  isRay(d: readonly number[]): boolean {
    const scale = Math.max(1, ...d.map(Math.abs));
    if (d.some((value) => value < -TOLERANCE * scale)) return false;
    return this.rows.every(({ entries }) => Math.abs(entries.reduce((sum, [j, sign]) => sum + sign * (d[j] as number), 0)) <= TOLERANCE * scale);
  }

  private csr(): { starts: number[]; indices: number[]; values: number[] } {
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
    return { starts, indices, values };
  }
}

/**
 * The columns some ray of the component's polyhedron raises (whose maximum is therefore ∞). Rays d
 * are the solutions of A·d = 0, d ≥ 0 (the published constants drop out), and they add up, so one
 * LP finds them all: maximize Σ t_k subject to A·d = 0, d ≥ 0, 0 ≤ t_k ≤ 1, t_k ≤ d_j(k), over the
 * candidates, the columns propagation left unbounded. A ray can be scaled up, so at the optimum
 * d_j ≥ t_k = 1 for every candidate some ray raises. The ray found is checked before it is believed.
 */
function unboundedColumns(highs: Highs, lp: ComponentLp, upper: Float64Array): Set<number> {
  const candidates = [...upper.keys()].filter((j) => upper[j] === Infinity);
  if (candidates.length === 0) return new Set();
  const model = highs.createModel(lp.rayModel(highs, candidates));
  try {
    model.options.set({ output_flag: false });
    model.run();
    if (model.getModelStatus() !== highs.constants.modelStatus.optimal) throw new Error(`audit ray LP ended with HiGHS model status ${model.getModelStatus()}`);
    const ray = Array.from(model.getSolution().colValue.slice(0, lp.columns));
    if (!lp.isRay(ray)) throw new Error('audit ray LP returned a direction that is not a ray');
    return new Set(candidates.filter((j) => (ray[j] as number) >= 0.5));
  } finally {
    model.dispose();
  }
}

function judge(intervals: readonly CellInterval[], requirements: readonly ProtectionRequirement[]): AuditResult {
  const widthOf = new Map(intervals.map(({ cell, min, max }) => [cell, max - min]));
  const exactlyRecovered = intervals.filter(({ min, max }) => max - min <= TOLERANCE).map(({ cell }) => cell);
  const underProtected = requirements
    .filter(({ cell, protection }) => (widthOf.get(cell) ?? 0) < protection - TOLERANCE)
    .map(({ cell }) => cell);
  return { passed: exactlyRecovered.length === 0 && underProtected.length === 0, intervals, exactlyRecovered, underProtected };
}
