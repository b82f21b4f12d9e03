/**
 * Stable pseudonymous ids: a person whose records did not change keeps its c2c_id across runs;
 * merges, splits and new records are resolved by the mutual best match; new ids are random UUIDs.
 */
import path from 'node:path';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { parsePlan } from '../../core/plan/plan';
import { runPlan } from '../../core/plan/run';
import { stableIdPlan } from '../../core/linkage/stable-ids';
import { freshEngineAndFolder, readParquet, underFolder, writeParquet } from '../plan/fixtures';

let run = 0;
const fresh = freshEngineAndFolder();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Clusters as [record_id, cluster_id]. */
type Clusters = ReadonlyArray<readonly [string, number]>;
type Xwalk = ReadonlyMap<string, string>;

/** Runs the plan on these clusters after `previous` (if any); the new crosswalk and the lineage rows. */
async function assign(clusters: Clusters, previous?: Xwalk): Promise<{ xwalk: Xwalk; lineage: Array<[string, string, number]> }> {
  const n = run++;
  await writeParquet(fresh.engine, fresh.dir, `clusters-${n}.parquet`,
    `SELECT * FROM (VALUES ${clusters.map(([r, c]) => `('${r}', ${c})`).join(', ')}) AS t(record_id, cluster_id)`);
  if (previous) {
    await writeParquet(fresh.engine, fresh.dir, `previous-${n}.parquet`,
      `SELECT * FROM (VALUES ${[...previous].map(([r, id]) => `('${r}', '${id}')`).join(', ')}) AS t(record_id, c2c_id)`);
  }
  const plan = stableIdPlan(
    { clusters: `clusters-${n}.parquet`, ...(previous ? { previousXwalk: `previous-${n}.parquet` } : {}) },
    { personXwalk: `out-${n}/person_xwalk.parquet`, idLineage: `out-${n}/id_lineage.parquet` },
  );
  await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
  const xwalk = await readParquet(fresh.engine, path.join(fresh.dir, `out-${n}/person_xwalk.parquet`), 'record_id');
  const lineage = await readParquet(fresh.engine, path.join(fresh.dir, `out-${n}/id_lineage.parquet`), 'previous_c2c_id, current_c2c_id');
  return {
    xwalk: new Map(xwalk.map((r) => [r.record_id as string, r.c2c_id as string])),
    lineage: lineage.map((r) => [r.previous_c2c_id as string, r.current_c2c_id as string, r.records as number]),
  };
}

/** The ids of a crosswalk, grouped: record ids per c2c_id, sorted. */
function persons(xwalk: Xwalk): string[][] {
  const byId = new Map<string, string[]>();
  for (const [record, id] of xwalk) byId.set(id, [...(byId.get(id) ?? []), record].sort());
  return [...byId.values()].sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

const FIRST: Clusters = [['a1', 1], ['a2', 1], ['a3', 1], ['b1', 2], ['b2', 2], ['c1', 3]];

it('the plan is a valid plan, with and without a previous crosswalk', () => {
  const outputs = { personXwalk: 'x.parquet', idLineage: 'l.parquet' };
  expect(() => parsePlan(stableIdPlan({ clusters: 'c.parquet' }, outputs))).not.toThrow();
  expect(() => parsePlan(stableIdPlan({ clusters: 'c.parquet', previousXwalk: 'p.parquet' }, outputs))).not.toThrow();
});

it('a first run gives each cluster its own random UUID, shared by its records', async () => {
  const { xwalk, lineage } = await assign(FIRST);
  expect(persons(xwalk)).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2'], ['c1']]);
  for (const id of xwalk.values()) expect(id).toMatch(UUID);
  expect(lineage).toEqual([]);
  // Random, not derived from the records: another first run gives other ids.
  const again = await assign(FIRST);
  expect([...again.xwalk.values()].some((id) => [...xwalk.values()].includes(id))).toBe(false);
});

it('unchanged persons keep their ids, whatever the cluster numbers', async () => {
  const first = await assign(FIRST);
  const renumbered: Clusters = FIRST.map(([r, c]) => [r, 10 - c]);
  const second = await assign(renumbered, first.xwalk);
  expect(second.xwalk).toEqual(first.xwalk);
  expect(second.lineage.every(([previous, current]) => previous === current)).toBe(true);
});

it('a new record joins a person and takes its id; a new person gets a new id', async () => {
  const first = await assign(FIRST);
  const second = await assign([...FIRST, ['a4', 1], ['d1', 4]], first.xwalk);
  expect(second.xwalk.get('a4')).toBe(first.xwalk.get('a1'));
  expect(second.xwalk.get('d1')).toMatch(UUID);
  expect([...first.xwalk.values()]).not.toContain(second.xwalk.get('d1'));
  for (const [record, id] of first.xwalk) expect(second.xwalk.get(record)).toBe(id);
});

it('a merge keeps the larger person\'s id, and the lineage says where the other went', async () => {
  const first = await assign(FIRST);
  const merged: Clusters = FIRST.map(([r, c]) => [r, c === 2 ? 1 : c]);
  const second = await assign(merged, first.xwalk);
  const [a, b] = [first.xwalk.get('a1') as string, first.xwalk.get('b1') as string];
  expect(second.xwalk.get('b1')).toBe(a);
  expect(second.xwalk.get('b2')).toBe(a);
  expect(second.lineage).toContainEqual([b, a, 2]);
  expect(second.lineage).toContainEqual([a, a, 3]);
});

it('a split keeps the id with the larger part; the smaller part gets a new one', async () => {
  const first = await assign(FIRST);
  const split: Clusters = FIRST.map(([r, c]) => [r, r === 'a3' ? 9 : c]);
  const second = await assign(split, first.xwalk);
  const a = first.xwalk.get('a1') as string;
  expect(second.xwalk.get('a2')).toBe(a);
  expect(second.xwalk.get('a3')).not.toBe(a);
  expect(second.xwalk.get('a3')).toMatch(UUID);
  expect(second.lineage).toContainEqual([a, second.xwalk.get('a3'), 1]);
});

it('an even split or merge is decided by the smaller cluster or id, not by row order', async () => {
  const first = await assign([['a1', 1], ['a2', 1], ['b1', 2], ['b2', 2]]);
  const [a, b] = [first.xwalk.get('a1') as string, first.xwalk.get('b1') as string];
  const merged = await assign([['a1', 5], ['a2', 5], ['b1', 5], ['b2', 5]], first.xwalk);
  expect(merged.xwalk.get('a1')).toBe(a < b ? a : b);
  const split = await assign([['a1', 7], ['a2', 3]], new Map([['a1', a], ['a2', a]]));
  // Cluster 3 (the smaller number) keeps the id.
  expect(split.xwalk.get('a2')).toBe(a);
  expect(split.xwalk.get('a1')).not.toBe(a);
});

it('records gone since the previous run leave their person\'s id to what remains', async () => {
  const first = await assign(FIRST);
  const second = await assign(FIRST.filter(([r]) => r !== 'a1' && r !== 'c1'), first.xwalk);
  expect(second.xwalk.get('a2')).toBe(first.xwalk.get('a1'));
  expect(second.xwalk.has('c1')).toBe(false);
});
