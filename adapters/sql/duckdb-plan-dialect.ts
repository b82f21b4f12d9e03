/**
 * Reading and writing a plan's Parquet on DuckDB (the plan dialect of core/plan/run.ts).
 * Table and column names in a plan are plain identifiers (core/plan/plan.ts), so they are not
 * quoted; locations are.
 */
import type { PlanDialect } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';

export const duckDbPlanDialect: PlanDialect = {
  // hive_partitioning is explicit: DuckDB would otherwise guess it from the paths.
  readParquet: (location, input) => `read_parquet(${sqlString(location)}, hive_partitioning = ${input.hivePartitioning === true})`,

  writeParquet: (table, location, output) => {
    const options = ['FORMAT parquet', 'COMPRESSION zstd'];
    // A partitioned write goes to a directory; OVERWRITE empties it first, so a re-run leaves
    // no partition of an earlier run behind. A single file is simply replaced.
    if (output.partitionBy) options.push(`PARTITION_BY (${output.partitionBy.join(', ')})`, 'OVERWRITE');
    return `COPY (SELECT * FROM ${table}) TO ${sqlString(location)} (${options.join(', ')})`;
  },
};
