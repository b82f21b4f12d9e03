/**
 * Clustering on hand-made links: connected components over the links at or above the threshold,
 * singletons included; the same-source safeguard; and the conflicts it cannot prevent.
 */
import path from 'node:path';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { clusteringSteps } from '../../core/linkage/plan';
import { parsePlan, type Plan } from '../../core/plan/plan';
import { runPlan, type PlanRun } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';
import { freshEngineAndFolder, readParquet, underFolder, writeParquet } from '../plan/fixtures';
import { exampleSettings } from './fixtures';

const fresh = freshEngineAndFolder();

// The example's thresholds: 0.95 for a link, 0.999 for a link within one source.
const SETTINGS = exampleSettings();

/** [left id, right id, match probability]; a record's source is given by SOURCES. */
type Link = readonly [number, number, number];

/** Runs the clustering steps over records (id → source) and links; returns record_id → cluster_id. */
async function cluster(sources: Readonly<Record<number, string>>, links: readonly Link[]): Promise<{ clusters: Record<number, number>; run: PlanRun }> {
  const source = (id: number): string => sqlString(sources[id] as string);
  await writeParquet(fresh.engine, fresh.dir, 'standardized.parquet',
    `SELECT * FROM (VALUES ${Object.keys(sources).map((id) => `(${id}, ${source(Number(id))})`).join(', ')}) AS t(record_id, source)`);
  const rows = links.map(([l, r, p]) => `(${l}, ${r}, ${source(l)}, ${source(r)}, CAST(${p} AS DOUBLE))`);
  // With no links, an empty table of the same columns.
  await writeParquet(fresh.engine, fresh.dir, 'predictions.parquet', rows.length > 0
    ? `SELECT * FROM (VALUES ${rows.join(', ')}) AS t(record_id_l, record_id_r, source_l, source_r, match_probability)`
    : 'SELECT 0 AS record_id_l, 0 AS record_id_r, \'\' AS source_l, \'\' AS source_r, CAST(0 AS DOUBLE) AS match_probability WHERE FALSE');
  const plan: Plan = {
    name: 'clustering',
    inputs: { standardized: { format: 'parquet', location: 'standardized.parquet' }, predictions: { format: 'parquet', location: 'predictions.parquet' } },
    steps: clusteringSteps(SETTINGS),
    outputs: { clusters: { format: 'parquet', location: 'out/clusters.parquet' } },
  };
  expect(parsePlan(plan)).toBe(plan);
  const run = await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
  const written = await readParquet(fresh.engine, path.join(fresh.dir, 'out/clusters.parquet'), 'record_id');
  return { clusters: Object.fromEntries(written.map((r) => [r.record_id, r.cluster_id])), run };
}

const acrossSources = (ids: readonly number[]): Record<number, string> => Object.fromEntries(ids.map((id, i) => [id, ['k12', 'college', 'wages'][i % 3] as string]));

test('linked records form connected components named by their smallest id; unlinked records are their own', async () => {
  const sources = acrossSources([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const { clusters } = await cluster(sources, [
    [2, 3, 0.99], [1, 3, 0.95],
    // Below the threshold: no link.
    [4, 5, 0.9499],
    [7, 9, 0.97], [6, 7, 1],
  ]);

  expect(clusters).toEqual({ 1: 1, 2: 1, 3: 1, 4: 4, 5: 5, 6: 6, 7: 6, 8: 8, 9: 6 });
});

test('a long chain, listed in any order, settles in a few passes', async () => {
  // 40 records linked in a path 1 - 2 - … - 40, the links listed from the far end.
  const ids = Array.from({ length: 40 }, (_, i) => i + 1);
  const { clusters, run } = await cluster(acrossSources(ids), ids.slice(1).reverse().map((id): Link => [id - 1, id, 0.99]));

  expect(new Set(Object.values(clusters))).toEqual(new Set([1]));
  // One link per pass would take 40 passes; taking the label's label doubles the distance a label
  // travels in a pass: 1, 2, 4, … 32, then a pass that changes nothing.
  const loop = run.steps.find((s) => s.name === 'propagate_labels');
  expect(loop?.kind === 'loop' && loop.iterations.length).toBe(8);
});

test('no links at all: every record is its own cluster', async () => {
  const { clusters } = await cluster(acrossSources([5, 6]), []);
  expect(clusters).toEqual({ 5: 5, 6: 6 });
});

test('a link within one source needs sameSourceThreshold: a weak one is dropped, a strong one kept', async () => {
  const sources = { 1: 'k12', 2: 'k12', 3: 'wages', 4: 'wages', 5: 'college', 6: 'wages' };
  const { clusters } = await cluster(sources, [
    // Two k12 records, 0.998: enough across sources, not within one.
    [1, 2, 0.998],
    // Two wages records, 0.9995: kept.
    [3, 4, 0.9995],
    // The same 0.998 across sources is a link.
    [5, 6, 0.998],
  ]);

  expect(clusters).toEqual({ 1: 1, 2: 2, 3: 3, 4: 3, 5: 5, 6: 5 });
});

test('two records of one source joined only through a record of another are reported as a conflict', async () => {
  // 1 and 3 are both k12: the safeguard keeps them from linking directly, not through 2.
  const sources = { 1: 'k12', 2: 'wages', 3: 'k12', 4: 'k12', 5: 'k12', 6: 'college' };
  const { clusters } = await cluster(sources, [[1, 2, 0.99], [2, 3, 0.99], [4, 5, 0.9999], [5, 6, 0.99]]);

  expect(clusters).toEqual({ 1: 1, 2: 1, 3: 1, 4: 4, 5: 4, 6: 4 });
  // 4 and 5 share a source too, but through a link of their own strong enough for it.
  expect(await fresh.engine.query(`SELECT * FROM cluster_conflicts ORDER BY record_id_l`)).toEqual([{ cluster_id: 1, source: 'k12', record_id_l: 1, record_id_r: 3 }]);
});

test('deterministic links join records of different sources sharing an SSN and a birth date, whatever their score; a shared SSN with another birth date, or within one source, does not', async () => {
  const settings = exampleSettings({ clustering: { deterministicLinks: [{ on: [{ column: 'ssn' }, { column: 'birth_date' }] }] } });
  // record, source, standardized ssn (NULL: none or a placeholder), birth date
  const records = [
    [1, 'k12', '123456789', '2001-02-03'], [2, 'wages', '123456789', '2001-02-03'],
    // The same SSN used by someone born another day (a borrowed SSN): no deterministic link.
    [3, 'wages', '123456789', '1975-06-07'],
    // Two records of one source with one SSN and birth date: still the same-source threshold's call.
    [4, 'college', '555443333', '1999-09-09'], [5, 'college', '555443333', '1999-09-09'],
    [6, 'k12', null, '2001-02-03'], [7, 'wages', null, '2001-02-03'],
  ] as const;
  await writeParquet(fresh.engine, fresh.dir, 'standardized.parquet', `SELECT * FROM (VALUES ${records.map(([id, source, ssn, birth]) =>
    `(${id}, '${source}', ${ssn === null ? 'CAST(NULL AS VARCHAR)' : `'${ssn}'`}, DATE '${birth}')`).join(', ')}) AS t(record_id, source, ssn, birth_date)`);
  // 1 and 2 scored below the threshold; 6 and 7 (no SSN) too.
  await writeParquet(fresh.engine, fresh.dir, 'predictions.parquet',
    "SELECT * FROM (VALUES (1, 2, 'k12', 'wages', CAST(0.4 AS DOUBLE)), (6, 7, 'k12', 'wages', CAST(0.4 AS DOUBLE))) AS t(record_id_l, record_id_r, source_l, source_r, match_probability)");
  const plan: Plan = {
    name: 'clustering',
    inputs: { standardized: { format: 'parquet', location: 'standardized.parquet' }, predictions: { format: 'parquet', location: 'predictions.parquet' } },
    steps: clusteringSteps(settings),
    outputs: { clusters: { format: 'parquet', location: 'out/clusters.parquet' }, cluster_edges: { format: 'parquet', location: 'out/edges.parquet' } },
  };
  await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
  const clusters = Object.fromEntries((await readParquet(fresh.engine, path.join(fresh.dir, 'out/clusters.parquet'), 'record_id')).map((r) => [r.record_id, r.cluster_id]));
  expect(clusters).toEqual({ 1: 1, 2: 1, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7 });
  expect(await readParquet(fresh.engine, path.join(fresh.dir, 'out/edges.parquet'), 'record_id_l')).toEqual([{ record_id_l: 1, record_id_r: 2, match_probability: 1 }]);
});
