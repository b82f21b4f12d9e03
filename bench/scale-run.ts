/**
 * One timed run of the pipeline after ingestion over a local lake, as `c2c run --engine <engine>`
 * runs it (linkIdentities, then publishOutcomes, their plans on DuckDB in this process or on local
 * Spark through the Glue job's entry point), in a process of its own so that bench/scale.ts can
 * sample this process tree's memory and CPU alone. The lake's derived zones must be empty (a first
 * run). With Spark, first the time of a one-step plan in a lake of its own: the fixed cost of a
 * Spark application (JVM start, session, job set-up), paid once per plan. With `plans-only`, it
 * stops after the outcome cube's plan: disclosure control and publishing run in Node on the cube
 * whichever engine wrote it, so measuring them once per size is enough. Prints a line of JSON as
 * each stage starts ({"stage": name}), and the results last.
 *   tsx bench/scale-run.ts <lake dir> <duckdb|spark> [plans-only]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from '../adapters/lake/local-lake';
import { sparkPlanExecutor } from '../adapters/spark/spark-plan-executor';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { PLAN_ENGINES, planExecutor, type PlanEngine } from '../bin/cli/engines';
import { linkIdentities } from '../core/identity/link';
import { CUBE_LOCATIONS, outcomeCubePlan } from '../core/outcomes/cube-plan';
import { publishOutcomes } from '../core/outcomes/publish';
import type { Plan } from '../core/plan/plan';
import { readOutputSql, runPlan, type PlanExecutor, type PlanRun, type StepRun } from '../core/plan/run';
import { stepTimes, type StepTime } from './link-run';

export interface PlanTime {
  readonly plan: string;
  /** The pipeline stage the plan ran in (the onStage names of linkIdentities and publishOutcomes). */
  readonly stage: string;
  /** Wall time seen by the caller: on Spark, the application's start and end included. */
  readonly seconds: number;
  /** SQL steps executed, each loop pass's counted. */
  readonly steps: number;
  /** Steps (loops summed over their passes) and output writes of a second or more: where the time grows. */
  readonly slowSteps: readonly StepTime[];
}

export interface ScaleRun {
  readonly engine: PlanEngine;
  /** Wall seconds per stage, in pipeline order. */
  readonly stages: Readonly<Record<string, number>>;
  readonly plans: readonly PlanTime[];
  /** Spark only: wall seconds of a one-step plan (SELECT 1, one output) on an empty lake. */
  readonly sparkApplicationSeconds: number | null;
  readonly identityRecords: number;
  readonly candidatePairs: number;
  readonly emIterations: number;
  readonly persons: number;
  readonly cubeRows: number;
  /** null with `plans-only`. */
  readonly published: { readonly rows: number; readonly countsUnderControl: number; readonly equations: number; readonly auditPassed: boolean } | null;
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function executedSteps(steps: readonly StepRun[]): number {
  return steps.reduce((n, step) => n + (step.kind === 'sql' ? 1 : step.iterations.reduce((m, i) => m + executedSteps(i.steps), 0)), 0);
}

const PROBE_PLAN: Plan = {
  name: 'spark_application_probe',
  description: 'One constant row: what a plan costs on Spark before any data.',
  inputs: {},
  steps: [{ kind: 'sql', name: 'one_row', sql: 'SELECT 1 AS one' }],
  outputs: { one_row: { format: 'parquet', location: 'outcomes/probe.parquet' } },
};

async function sparkApplicationSeconds(): Promise<number> {
  const root = mkdtempSync(path.join(tmpdir(), 'c2c-scale-probe-'));
  try {
    const execute = sparkPlanExecutor(root, path.join(root, 'identity', 'spark-runs'));
    const start = process.hrtime.bigint();
    await execute(PROBE_PLAN);
    return seconds(start);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [lakeDir, engineName, mode] = process.argv.slice(2);
  const engine = PLAN_ENGINES.find((e) => e === engineName);
  if (!lakeDir || !engine || (mode !== undefined && mode !== 'plans-only')) throw new Error(`usage: scale-run.ts <lake dir> <${PLAN_ENGINES.join('|')}> [plans-only]`);
  const probe = engine === 'spark' ? await sparkApplicationSeconds() : null;

  const lake = await openLocalLake(lakeDir, PLAN_ENGINE_OPTIONS);
  try {
    const resolveLocation = lakeLocations(lake.store.root);
    const base = planExecutor(engine, lake.store.root) ?? ((plan: Plan): Promise<PlanRun> => runPlan(plan, lake.engine, { dialect: duckDbPlanDialect, resolveLocation }));
    const stages: Record<string, number> = {};
    const plans: PlanTime[] = [];
    let stage = '';
    let stageStart = process.hrtime.bigint();
    const endStage = (): void => {
      if (stage !== '') stages[stage] = seconds(stageStart);
    };
    // The stages are the core functions' own (onStage), so the split is the one `c2c run` reports.
    // Each is announced on stdout as it starts, for the parent to split the process tree's CPU time.
    const onStage = (next: string): void => {
      endStage();
      console.log(JSON.stringify({ stage: next }));
      stage = next;
      stageStart = process.hrtime.bigint();
    };
    const executePlan: PlanExecutor = async (plan) => {
      const during = stage;
      const start = process.hrtime.bigint();
      const run = await base(plan);
      plans.push({ plan: plan.name, stage: during, seconds: seconds(start), steps: executedSteps(run.steps), slowSteps: stepTimes(run).filter((s) => s.seconds >= 1) });
      return run;
    };
    const deps = { store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation, executePlan, onStage };
    const link = await linkIdentities(deps);
    let published: ScaleRun['published'] = null;
    if (mode === 'plans-only') {
      // What publishOutcomes does first, under its stage name.
      onStage('outcome cube');
      await executePlan(outcomeCubePlan());
    } else {
      const { rows, protection } = await publishOutcomes({ ...deps, runId: randomUUID() });
      published = { rows, countsUnderControl: protection.cells, equations: protection.equations, auditPassed: protection.auditPassed };
    }
    endStage();
    console.log(JSON.stringify({ stage: null }));
    const [cube] = await lake.engine.query(`SELECT count(*) AS n FROM ${await readOutputSql(deps, CUBE_LOCATIONS.cube)}`);
    const result: ScaleRun = {
      engine, stages, plans, sparkApplicationSeconds: probe,
      identityRecords: link.identityRecords, candidatePairs: link.candidatePairs, emIterations: link.emIterations, persons: link.persons,
      cubeRows: Number(cube?.n ?? 0), published,
    };
    console.log(JSON.stringify(result));
  } finally {
    await lake.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
