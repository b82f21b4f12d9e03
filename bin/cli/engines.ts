/** Where `c2c` runs the pipeline's plans: DuckDB in this process (the default), or local Spark as Glue runs them. */
import path from 'node:path';
import { sparkPlanExecutor, SparkUnavailableError } from '../../adapters/spark/spark-plan-executor';
import type { PlanExecutor } from '../../core/plan/run';
import { UsageError } from './errors';

export const PLAN_ENGINES = ['duckdb', 'spark'] as const;
export type PlanEngine = (typeof PLAN_ENGINES)[number];

/** undefined: the caller's own DuckDB. Spark's plan files and logs stay in the lake's identity zone (a log can quote data). */
export function planExecutor(engine: PlanEngine, lakeRoot: string): PlanExecutor | undefined {
  if (engine === 'duckdb') return undefined;
  try {
    return sparkPlanExecutor(lakeRoot, path.join(lakeRoot, 'identity', 'spark-runs'));
  } catch (error) {
    if (error instanceof SparkUnavailableError) throw new UsageError(error.message);
    throw error;
  }
}
