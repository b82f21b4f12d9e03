/**
 * Disclosure control and publishing for a lake in object storage (S3), where the cube plan ran on
 * Glue: the cube is copied from outcomes/ into a local working lake, published there by the same
 * code as on a laptop (DuckDB), and the results copied back. metadata.json goes last: readers
 * such as the Query API take a publication from it, so they never see half of one.
 */
import { objectAtLocation } from '../../core/lake/zones';
import type { ObjectStore } from '../../core/ports/object-store';
import { CUBE_LOCATIONS } from '../../core/outcomes/cube-plan';
import type { ProtectOptions } from '../../core/outcomes/protect';
import { publishCube, type PublishSummary } from '../../core/outcomes/publish';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { duckDbPlanDialect } from '../sql/duckdb-plan-dialect';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from './local-lake';

/** The cube plan's output is not in the lake: the pipeline's earlier stage did not run or failed. */
export class MissingCubeError extends Error {
  public override readonly name = 'MissingCubeError';
}

/** A plan output is one object (DuckDB) or a folder of part files (Spark). */
async function copyOutput(from: ObjectStore, to: ObjectStore, location: string): Promise<void> {
  const { zone, key } = objectAtLocation(location, ['outcomes']);
  const objects = (await from.list(zone, key)).filter((o) => o.key === key || o.key.startsWith(`${key}/`));
  if (objects.length === 0) throw new MissingCubeError(`${location} is missing: the outcome-cube stage has not written it`);
  for (const object of objects) await to.put({ zone, key: object.key }, from.read(object));
}

/** Publishing's outputs, in the order they are copied back. */
const PUBLISHED_OUTPUTS = [
  PUBLISHED_LOCATIONS.parquet, PUBLISHED_LOCATIONS.csv, PUBLISHED_LOCATIONS.withheld, PUBLISHED_LOCATIONS.disclosureSummary, PUBLISHED_LOCATIONS.metadata,
] as const;

export async function publishThroughStaging(store: ObjectStore, workDir: string, runId: string, options?: ProtectOptions): Promise<PublishSummary> {
  const lake = await openLocalLake(workDir, PLAN_ENGINE_OPTIONS);
  try {
    await copyOutput(store, lake.store, CUBE_LOCATIONS.cube);
    await copyOutput(store, lake.store, CUBE_LOCATIONS.vintage);
    const summary = await publishCube({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(workDir), runId, options });
    for (const location of PUBLISHED_OUTPUTS) {
      const ref = objectAtLocation(location, ['published', 'outcomes']);
      await store.put(ref, lake.store.read(ref));
    }
    return summary;
  } finally {
    await lake.close();
  }
}
