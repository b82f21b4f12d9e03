/** Linkage quality from the cluster × person table, held to a count of every pair. */
import fc from 'fast-check';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { linkageQualityPlan } from '../../core/linkage/quality';
import { parsePlan } from '../../core/plan/plan';
import { runPlan } from '../../core/plan/run';
import type { SqlRow } from '../../core/ports/sql-engine';
import { freshEngineAndFolder, readParquet, underFolder, writeParquet } from '../plan/fixtures';

const fresh = freshEngineAndFolder();
let run = 0;

/** [record_id, cluster_id] and [record_id, person_id] rows. */
type Rows = ReadonlyArray<readonly [number, number]>;

async function quality(clusters: Rows, truth: Rows): Promise<SqlRow> {
  const n = run++;
  const values = (rows: Rows, column: string): string => rows.length === 0
    ? `SELECT 0 AS record_id, 0 AS ${column} WHERE 1 = 0`
    : `SELECT * FROM (VALUES ${rows.map(([a, b]) => `(${a}, ${b})`).join(', ')}) AS t(record_id, ${column})`;
  await writeParquet(fresh.engine, fresh.dir, `clusters-${n}.parquet`, values(clusters, 'cluster_id'));
  await writeParquet(fresh.engine, fresh.dir, `truth-${n}.parquet`, values(truth, 'person_id'));
  const plan = linkageQualityPlan({ clusters: `clusters-${n}.parquet`, truth: `truth-${n}.parquet` }, `quality-${n}.parquet`);
  await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
  const [row] = await readParquet(fresh.engine, `${fresh.dir}/quality-${n}.parquet`, 'records');
  return row as SqlRow;
}

it('is a valid plan', () => {
  expect(() => parsePlan(linkageQualityPlan({ clusters: 'c.parquet', truth: 't.parquet' }, 'q.parquet'))).not.toThrow();
});

it('counts pairs, exact, split and merged persons on a hand-made case, leaving out records without a truth', async () => {
  // Clusters A = {1, 2, 3, 7}, B = {4, 5}, C = {6}; persons P = {1, 2}, Q = {3, 4, 5}, R = {6}; 7 has no truth.
  const row = await quality([[1, 1], [2, 1], [3, 1], [7, 1], [4, 2], [5, 2], [6, 3]], [[1, 10], [2, 10], [3, 20], [4, 20], [5, 20], [6, 30]]);
  expect(row).toEqual({
    records: 6, persons: 3, clusters: 3, linked_pairs: 4, true_pairs: 4, true_positive_pairs: 2,
    exact_persons: 1, split_persons: 1, merged_clusters: 1, pair_precision: 0.5, pair_recall: 0.5, pair_f1: 0.5,
  });
});

it('has no precision when nothing is linked', async () => {
  const row = await quality([[1, 1], [2, 2], [3, 3]], [[1, 10], [2, 10], [3, 20]]);
  expect({ precision: row.pair_precision, recall: row.pair_recall, f1: row.pair_f1, exact: row.exact_persons }).toEqual({ precision: null, recall: 0, f1: 0, exact: 1 });
});

it('agrees with counting every pair', async () => {
  const labelling = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 25 });
  await fc.assert(fc.asyncProperty(labelling, async (labels) => {
    const clusters: Rows = labels.map(([c], i) => [i, c]);
    const truth: Rows = labels.map(([, p], i) => [i, p]);
    let [linked, actual, both] = [0, 0, 0];
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const sameCluster = labels[i]?.[0] === labels[j]?.[0];
        const samePerson = labels[i]?.[1] === labels[j]?.[1];
        linked += sameCluster ? 1 : 0;
        actual += samePerson ? 1 : 0;
        both += sameCluster && samePerson ? 1 : 0;
      }
    }
    const row = await quality(clusters, truth);
    expect([row.linked_pairs, row.true_pairs, row.true_positive_pairs]).toEqual([linked, actual, both]);
    if (linked + actual === 0) expect(row.pair_f1).toBeNull();
    else expect(row.pair_f1).toBeCloseTo((2 * both) / (linked + actual), 12);
  }), { numRuns: 25, seed: 5 });
});
