/**
 * Closing the local published table while queries are queued on it (`c2c serve` stopped under
 * load): the queued queries still answer, later ones get EngineUnavailableError (a 503), and the
 * engine closes after them. Closed under them, DuckDB had failed them ("Failed to bind value") and
 * could abort the process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDbPublishedTable } from '../../adapters/api/duckdb-published-table';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { EngineUnavailableError } from '../../core/ports/published-table';
import { FIXTURE_ROWS, writeFixturePublication } from './fixture';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-api-table-'));
  await writeFixturePublication(tmp);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('queries queued before close() answer in full; queries after it are refused as unavailable', async () => {
  const table = await DuckDbPublishedTable.open(path.join(tmp, ...PUBLISHED_LOCATIONS.parquet.split('/')));
  const count = (limit: number): Promise<number> =>
    table.select({ sql: `SELECT * FROM ${table.tableName} ORDER BY metric_id, cohort_year, grouping_set LIMIT ?`, parameters: [limit] }).then((rows) => rows.length);
  const queued = Array.from({ length: 40 }, (_, i) => count(i + 1));
  table.close();
  await expect(count(1)).rejects.toBeInstanceOf(EngineUnavailableError);
  expect(await Promise.all(queued)).toEqual(Array.from({ length: 40 }, (_, i) => Math.min(i + 1, FIXTURE_ROWS.length)));
});
