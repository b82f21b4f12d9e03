/**
 * A linkage run over a lake, end to end: a synthetic state landed and ingested, linked into
 * persons with stable ids in identity/, measured against the generator's truth, and linked again
 * with every id kept.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { landDrops } from '../../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { linkIdentities, LINK_LOCATIONS, type LinkSummary } from '../../core/identity/link';
import { identitySources } from '../../core/identity/sources';
import { ingestLandingZone } from '../../core/ingest/ingest';
import { linkageQualityPlan } from '../../core/linkage/quality';
import { runPlan } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';
import { generateState, recordsOf, type GeneratedState } from '../generator/generated-state';
import { readParquet, writeParquet } from '../plan/fixtures';

let state: GeneratedState;
let lake: LocalLake;
let first: LinkSummary;
let firstXwalk: Map<string, string>;

const link = (): Promise<LinkSummary> =>
  linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });

async function xwalk(): Promise<Map<string, string>> {
  const rows = await readParquet(lake.engine, path.join(lake.store.root, LINK_LOCATIONS.personXwalk), 'record_id');
  return new Map(rows.map((r) => [r.record_id as string, r.c2c_id as string]));
}

beforeAll(async () => {
  state = await generateState({ people: 400, seed: 5, noise: 'medium' }, 1);
  lake = await openLocalLake(path.join(state.dir, 'lake'));
  await landDrops(path.join(state.dir, 'drops'), lake.store);
  await ingestLandingZone(lake);
  first = await link();
  firstXwalk = await xwalk();
}, 120_000);
afterAll(async () => {
  await lake?.close();
  state?.remove();
});

test('every identity record gets a random c2c_id, shared with the records of its person', () => {
  expect(firstXwalk.size).toBe(first.identityRecords);
  expect(new Set(firstXwalk.values()).size).toBe(first.persons);
  for (const id of firstXwalk.values()) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect({ kept: first.keptIds, converged: first.converged }).toEqual({ kept: 0, converged: true });
});

test('the persons found are the true ones: pairwise F1 at least 0.98 against the generator\'s truth', async () => {
  // An identity record holding two people (an SSN shared in wage records) is left out.
  const persons = new Map<string, Set<string>>();
  for (const source of identitySources()) {
    for (const { personId, record } of recordsOf(state, source.contract.id)) {
      const recordId = `${source.namespace}|${source.sourceId.map((f) => record[f]).join(':')}`;
      persons.set(recordId, (persons.get(recordId) ?? new Set()).add(personId));
    }
  }
  const truth = [...persons].filter(([, p]) => p.size === 1).map(([recordId, p]) => `('${recordId}', '${[...p][0]}')`);
  // A session of its own: the linkage run's tables are still in the lake's.
  const engine = await DuckDbEngine.open();
  try {
    await writeParquet(engine, lake.store.root, 'identity/truth.parquet', `SELECT * FROM (VALUES ${truth.join(', ')}) AS t(record_id, person_id)`);
    const plan = linkageQualityPlan({ clusters: LINK_LOCATIONS.linkage.clusters, truth: 'identity/truth.parquet' }, 'identity/quality.parquet');
    await runPlan(plan, engine, { dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
  } finally {
    engine.close();
  }
  const [quality] = await readParquet(lake.engine, path.join(lake.store.root, 'identity/quality.parquet'), 'records');
  console.log(`linkage on 400 people: ${JSON.stringify(quality)}`);
  expect(Number(quality?.pair_f1)).toBeGreaterThanOrEqual(0.98);
});

test('linking again keeps every person\'s id', async () => {
  const again = await link();
  expect({ kept: again.keptIds, new: again.newIds }).toEqual({ kept: first.persons, new: 0 });
  expect(await xwalk()).toEqual(firstXwalk);
});

test('the run report shows the counts, the learned parameters and the match-weight histogram, and no record', async () => {
  const html = await readFile(path.join(lake.store.root, LINK_LOCATIONS.report), 'utf8');
  expect(html).toContain('<svg');
  expect(html).toContain('match threshold');
  expect(html).toContain(`<td>identity records</td><td>${first.identityRecords.toLocaleString('en-US')}</td>`);
  expect(html).toMatch(/<td>first_name<\/td><td>\d+<\/td><td>Jaro-Winkler ≥ 0\.\d+<\/td>/);
  const bars = [...html.matchAll(/<title>weight -?\d+ to -?\d+: ([\d,]+) pairs<\/title>/g)].map((m) => Number((m[1] as string).replace(/,/g, '')));
  expect(bars.reduce((a, b) => a + b, 0)).toBe(first.candidatePairs);
  // Nothing that names a record: no record id, no source id, no name of anyone.
  for (const recordId of [...firstXwalk.keys()].slice(0, 200)) expect(html).not.toContain(recordId.split('|')[1] as string);
  const names = recordsOf(state, 'cde/k12_graduation').flatMap(({ record }) => [record.last_name, record.first_name]).filter((n): n is string => (n ?? '').length >= 5);
  expect(names.filter((n) => html.includes(n))).toEqual([]);
});

test('the crosswalk gives each record its source, source id, c2c_id and the probability of its strongest link', async () => {
  const rows = await lake.engine.query(`SELECT * FROM read_parquet(${sqlString(path.join(lake.store.root, LINK_LOCATIONS.personXwalk))})`);
  expect(Object.keys(rows[0] ?? {})).toEqual(['record_id', 'source', 'source_id', 'c2c_id', 'match_probability']);
  expect(rows.every((r) => r.record_id === `${String(r.source)}|${String(r.source_id)}`)).toBe(true);
  const sizes = new Map<unknown, number>();
  for (const r of rows) sizes.set(r.c2c_id, (sizes.get(r.c2c_id) ?? 0) + 1);
  // A record alone has no link; a record with others is in its person by a link at or above the threshold.
  for (const r of rows) {
    if (sizes.get(r.c2c_id) === 1) expect(r.match_probability).toBeNull();
    else expect(Number(r.match_probability)).toBeGreaterThanOrEqual(0.95);
  }
});
