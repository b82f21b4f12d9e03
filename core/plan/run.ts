/**
 * The plan interpreter over the SqlEngine port: inputs become views, sql steps temporary
 * tables, loops repeat their body until `until` holds, and outputs are written as Parquet. Only
 * reading and writing files differ between engines, so they come from a dialect; the PySpark
 * runner in glue-jobs/ follows the same semantics (docs/plans.md).
 */
import type { SqlEngine } from '../ports/sql-engine';
import { parsePlan, PlanError, type InputBinding, type LoopStep, type OutputBinding, type Plan, type SqlStep, type Step } from './plan';

/** How one engine reads and writes Parquet; everything else is the plan's own SQL. */
export interface PlanDialect {
  /** A relation over the input's files, read as `SELECT * FROM <relation>`. */
  readParquet(location: string, input: InputBinding): string;
  /** One statement writing every row of `table` to `location`, replacing what is there. */
  writeParquet(table: string, location: string, output: OutputBinding): string;
}

/**
 * Binds a plan location to one the engine can reach (a path under a folder, an S3 URI). For a
 * write, the parent of the returned location must exist once it resolves.
 */
/** A relation over a plan's output, for reading it after the run (a file, or the folder of part files Spark writes). */
export async function readOutputSql(options: { readonly dialect: PlanDialect; readonly resolveLocation: LocationResolver }, location: string): Promise<string> {
  return options.dialect.readParquet(await options.resolveLocation(location, 'read'), { format: 'parquet', location });
}

/** Runs a plan and returns its summary: runPlan on a SqlEngine, or another engine's runner (Spark). */
export type PlanExecutor = (plan: Plan) => Promise<PlanRun>;

export type LocationResolver = (location: string, access: 'read' | 'write') => string | Promise<string>;

export interface RunPlanOptions {
  readonly dialect: PlanDialect;
  /** Locations are used as they are without one. */
  readonly resolveLocation?: LocationResolver;
  readonly onProgress?: (event: PlanProgress) => void;
}

export interface SqlStepRun {
  readonly kind: 'sql';
  readonly name: string;
  readonly rows: number;
  readonly ms: number;
}

export interface IterationRun {
  readonly iteration: number;
  readonly steps: readonly StepRun[];
  readonly ms: number;
}

export interface LoopRun {
  readonly kind: 'loop';
  readonly name: string;
  /** One per pass of the body; the last is the one after which `until` held. */
  readonly iterations: readonly IterationRun[];
  readonly ms: number;
}

export type StepRun = SqlStepRun | LoopRun;

export interface OutputRun {
  readonly table: string;
  /** As resolved. */
  readonly location: string;
  readonly rows: number;
  readonly ms: number;
}

export interface PlanRun {
  readonly plan: string;
  readonly steps: readonly StepRun[];
  readonly outputs: readonly OutputRun[];
  readonly ms: number;
}

export type PlanProgress =
  | SqlStepRun
  | { readonly kind: 'iteration'; readonly loop: string; readonly iteration: number; readonly done: boolean; readonly ms: number }
  | ({ readonly kind: 'output' } & OutputRun);

interface Context {
  readonly engine: SqlEngine;
  readonly notify: (event: PlanProgress) => void;
}

/**
 * Runs a plan on the engine. Its tables stay in the engine's session afterwards. Any failure is
 * a PlanError naming the input, step, loop or output; an engine's error is its cause.
 */
export async function runPlan(plan: Plan, engine: SqlEngine, options: RunPlanOptions): Promise<PlanRun> {
  // Plans built in code reach here without having been through parsePlan.
  parsePlan(plan);
  const started = performance.now();
  const resolve = options.resolveLocation ?? ((location: string) => location);
  const context: Context = { engine, notify: options.onProgress ?? (() => undefined) };
  await dropEarlierPlansObjects(plan, engine);
  for (const [table, input] of Object.entries(plan.inputs)) {
    const location = await resolve(input.location, 'read');
    await inEngine(`input ${table}`, () => engine.run(`CREATE OR REPLACE TEMP VIEW ${table} AS SELECT * FROM ${options.dialect.readParquet(location, input)}`));
  }
  const steps = await runSteps(plan.steps, context, '');
  const outputs: OutputRun[] = [];
  for (const [table, output] of Object.entries(plan.outputs)) {
    const begun = performance.now();
    const location = await resolve(output.location, 'write');
    await inEngine(`output ${table}`, () => engine.run(options.dialect.writeParquet(table, location, output)));
    const run: OutputRun = { table, location, rows: await countRows(engine, table, `output ${table}`), ms: since(begun) };
    context.notify({ kind: 'output', ...run });
    outputs.push(run);
  }
  return { plan: plan.name, steps, outputs, ms: since(started) };
}

/**
 * An earlier plan in the session may have left a table where this one reads an input of the same
 * name (a view), or the other way round; neither can replace the other, so they are dropped.
 */
async function dropEarlierPlansObjects(plan: Plan, engine: SqlEngine): Promise<void> {
  const inputs = new Set(Object.keys(plan.inputs));
  const names = [...inputs, ...stepNames(plan.steps)];
  const existing = await engine.query(`SELECT table_name, table_type FROM information_schema.tables WHERE table_name IN (${names.map((n) => `'${n}'`).join(', ')})`);
  for (const { table_name: name, table_type: type } of existing) {
    const isView = type === 'VIEW';
    if (inputs.has(name as string) !== isView) await inEngine(`replacing ${String(name)}`, () => engine.run(`DROP ${isView ? 'VIEW' : 'TABLE'} ${String(name)}`));
  }
}

function stepNames(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => (step.kind === 'sql' ? [step.name] : [step.name, ...stepNames(step.body)]));
}

/** `where` places a step inside a loop's iteration, for error messages. */
async function runSteps(steps: readonly Step[], context: Context, where: string): Promise<StepRun[]> {
  const runs: StepRun[] = [];
  for (const step of steps) runs.push(step.kind === 'sql' ? await runSql(step, context, where) : await runLoop(step, context));
  return runs;
}

async function runSql(step: SqlStep, context: Context, where: string): Promise<SqlStepRun> {
  const begun = performance.now();
  const label = `step ${step.name}${where}`;
  await inEngine(label, () => context.engine.run(`CREATE OR REPLACE TEMP TABLE ${step.name} AS ${step.sql}`));
  const run: SqlStepRun = { kind: 'sql', name: step.name, rows: await countRows(context.engine, step.name, label), ms: since(begun) };
  context.notify(run);
  return run;
}

async function runLoop(loop: LoopStep, context: Context): Promise<LoopRun> {
  const begun = performance.now();
  const iterations: IterationRun[] = [];
  for (let iteration = 1; iteration <= loop.maxIterations; iteration++) {
    const iterationBegun = performance.now();
    const where = ` (loop ${loop.name}, iteration ${iteration})`;
    const steps = await runSteps(loop.body, context, where);
    const done = await untilHolds(loop, context.engine, iteration);
    for (const [target, source] of Object.entries(loop.carry)) {
      await inEngine(`carrying ${source} into ${target}${where}`, () => context.engine.run(`CREATE OR REPLACE TEMP TABLE ${target} AS SELECT * FROM ${source}`));
    }
    const ms = since(iterationBegun);
    iterations.push({ iteration, steps, ms });
    context.notify({ kind: 'iteration', loop: loop.name, iteration, done, ms });
    if (done) return { kind: 'loop', name: loop.name, iterations, ms: since(begun) };
  }
  // Stopping here would pass off an unconverged state (labels, parameters) as the result.
  throw new PlanError(`loop ${loop.name} reached maxIterations (${loop.maxIterations}) without its until condition holding`);
}

async function untilHolds(loop: LoopStep, engine: SqlEngine, iteration: number): Promise<boolean> {
  const label = `the until condition of loop ${loop.name} (iteration ${iteration})`;
  const rows = await inEngine(label, () => engine.query(loop.until));
  const values = rows.length === 1 ? Object.values(rows[0]) : [];
  const value = values[0];
  // NULL (say, a maximum over no rows) is more likely a mistake than a reason to go on.
  if (values.length !== 1 || typeof value !== 'boolean') {
    throw new PlanError(`${label} must return one row of one boolean column, not NULL`);
  }
  return value;
}

async function countRows(engine: SqlEngine, table: string, label: string): Promise<number> {
  const rows = await inEngine(label, () => engine.query(`SELECT count(*) AS n FROM ${table}`));
  return Number(rows[0]?.n);
}

/** An engine's message may quote values from the data, so it is the cause, never part of the message. */
async function inEngine<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new PlanError(`${label} failed in the engine (its error, which may quote data, is the cause)`, { cause: error });
  }
}

function since(start: number): number {
  return Math.round(performance.now() - start);
}
