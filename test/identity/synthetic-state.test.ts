/**
 * The identity records of a synthetic state, end to end: the generated drops landed and ingested
 * into a local lake, identityRecordsPlan run over raw/ on DuckDB, and the result held against the
 * generator's truth (which person each record belongs to).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { landDrops } from '../../adapters/lake/land-drops';
import { openLocalLake } from '../../adapters/lake/local-lake';
import { LocalFolderStore } from '../../adapters/object-store/local-folder';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { CHOSEN_COLUMNS, identityRecordsPlan, IDENTITY_RECORDS_LOCATION, rawIdentityInputs } from '../../core/identity/plan';
import { identitySources } from '../../core/identity/sources';
import { ingestLandingZone, type IngestOutcome } from '../../core/ingest/ingest';
import { comparisonPlan } from '../../core/linkage/plan';
import { parseLinkageSettings } from '../../core/linkage/settings';
import { runPlan } from '../../core/plan/run';
import type { SqlRow } from '../../core/ports/sql-engine';
import { generateState, recordsOf, type GeneratedState } from '../generator/generated-state';
import { readParquet, underFolder } from '../plan/fixtures';

const PEOPLE = 400;

let state: GeneratedState;
let outcomes: IngestOutcome[];
let engine: DuckDbEngine;
let lakeDir: string;
let records: SqlRow[];
/** Record id → the true persons whose rows it holds (two where people share an SSN). */
const truth = new Map<string, Set<string>>();

beforeAll(async () => {
  state = await generateState({ people: PEOPLE, seed: 5, noise: 'medium' }, 1);
  lakeDir = path.join(state.dir, 'lake');
  const lake = await openLocalLake(lakeDir);
  try {
    await landDrops(path.join(state.dir, 'drops'), lake.store);
    outcomes = await ingestLandingZone(lake);
  } finally {
    await lake.close();
  }
  engine = await DuckDbEngine.open();
  const plan = identityRecordsPlan(await rawIdentityInputs(new LocalFolderStore(lakeDir)));
  await runPlan(plan, engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(lakeDir) });
  records = await readParquet(engine, path.join(lakeDir, IDENTITY_RECORDS_LOCATION), 'record_id');
  for (const source of identitySources()) {
    for (const { personId, record } of recordsOf(state, source.contract.id)) {
      const recordId = `${source.namespace}|${source.sourceId.map((f) => record[f]).join(':')}`;
      truth.set(recordId, (truth.get(recordId) ?? new Set()).add(personId));
    }
  }
});
afterAll(() => {
  engine?.close();
  state?.remove();
});

test('every generated drop is accepted into raw/', () => {
  expect(outcomes.filter((o) => o.status !== 'ingested' || o.verdict !== 'accepted')).toEqual([]);
});

test('one identity record per distinct (source, source id) in raw/, every raw row counted once', () => {
  const ids = records.map((r) => r.record_id as string);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual([...truth.keys()].sort());
  expect(records.filter((r) => r.record_id !== `${r.source}|${r.source_id}`)).toEqual([]);
  const rows = state.drops.reduce((sum, d) => sum + d.rows.length, 0);
  expect(records.reduce((sum, r) => sum + (r.n_source_rows as number), 0)).toBe(rows);
});

test('identity columns are filled as the mapping says: never where no dataset has the field, always where all require it', () => {
  const problems: string[] = [];
  const sources = identitySources();
  for (const namespace of new Set(sources.map((s) => s.namespace))) {
    const datasets = sources.filter((s) => s.namespace === namespace);
    const rows = records.filter((r) => r.source === namespace);
    for (const column of CHOSEN_COLUMNS) {
      const fields = datasets.map((s) => s.contract.schema.fields.find((f) => f.name === (column === 'gender' ? s.gender?.field : s.fields[column])));
      const filled = rows.filter((r) => r[column] !== null).length;
      const where = `${namespace} ${column}: ${filled} of ${rows.length} filled`;
      if (fields.every((f) => f === undefined)) {
        if (filled > 0) problems.push(`${where}, where no dataset has it`);
      } else if (filled === 0) {
        problems.push(where);
      } else if (column !== 'gender' && fields.every((f) => f?.constraints?.required === true) && filled < rows.length) {
        // A gender code may mean unknown; a required name, birth date or id is in every row.
        problems.push(`${where}, where every dataset requires it`);
      }
    }
  }
  expect(problems).toEqual([]);
  expect(records.filter((r) => r.source === 'cde:ssid' && r.ssn !== null)).toEqual([]);
  expect(records.filter((r) => r.source === 'edd:ssn' && (r.birth_date !== null || r.gender !== null))).toEqual([]);
  for (const column of CHOSEN_COLUMNS) {
    expect(records.filter((r) => (r[column] === null) !== (r[`n_${column}_values`] === 0)).map((r) => [column, r.record_id])).toEqual([]);
  }
});

test('the truth: records of one person exist in several sources, so linkage has work to do', () => {
  const sourcesOf = new Map<string, Set<string>>();
  for (const [recordId, persons] of truth) {
    for (const person of persons) sourcesOf.set(person, (sourcesOf.get(person) ?? new Set()).add(recordId.split('|')[0] as string));
  }
  const crossSource = [...sourcesOf.values()].filter((s) => s.size > 1).length;
  const shared = [...truth].filter(([, persons]) => persons.size > 1).map(([recordId]) => recordId.split('|')[0]);
  console.log(
    `identity records: ${records.length} in ${new Set(records.map((r) => r.source)).size} namespaces, from ${state.drops.reduce((n, d) => n + d.rows.length, 0)} raw rows\n` +
    `true persons: ${sourcesOf.size} (of ${PEOPLE} generated); with records in two or more namespaces: ${crossSource}\n` +
    `identity records holding more than one person: ${shared.length} (${[...new Set(shared)].join(', ')})`,
  );
  expect(sourcesOf.size).toBeGreaterThan(0.9 * PEOPLE);
  expect(crossSource).toBeGreaterThan(0.5 * sourcesOf.size);
  expect(shared.length).toBeLessThan(0.02 * records.length);
});

test('the C2C linkage settings block most pairs of records of one person', async () => {
  const settings = parseLinkageSettings(JSON.parse(readFileSync(path.join(__dirname, '../../core/identity/c2c-linkage-settings.json'), 'utf8')));
  await runPlan(comparisonPlan(settings, IDENTITY_RECORDS_LOCATION, 'identity/comparison_vectors.parquet'), engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(lakeDir) });
  const candidates = new Set((await engine.query('SELECT record_id_l, record_id_r FROM candidate_pairs')).map((p) => `${p.record_id_l} ${p.record_id_r}`));
  const byPerson = new Map<string, string[]>();
  for (const [recordId, persons] of truth) for (const person of persons) byPerson.set(person, [...(byPerson.get(person) ?? []), recordId]);
  const truePairs = new Set([...byPerson.values()].flatMap((ids) => ids.sort().flatMap((l, i) => ids.slice(i + 1).map((r) => `${l} ${r}`))));
  const found = [...truePairs].filter((pair) => candidates.has(pair)).length;
  console.log(`blocking: ${candidates.size} candidate pairs, finding ${found} of ${truePairs.size} pairs of records of one person (${((100 * found) / truePairs.size).toFixed(1)}%)`);
  expect(found / truePairs.size).toBeGreaterThan(0.97);
});
