/**
 * The linked zone over a linked synthetic state: every raw fact keyed by its person's c2c_id,
 * persons with harmonized attributes, and nothing in any table that a partner's PII holds.
 */
import path from 'node:path';
import { landDrops } from '../../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { allContracts } from '../../core/contracts/catalog';
import { linkIdentities } from '../../core/identity/link';
import { rawIdentityInputs, rawLocation } from '../../core/identity/plan';
import { ingestLandingZone } from '../../core/ingest/ingest';
import { LINKED_TABLE_NAMES, linkedTablesPlan } from '../../core/linked/plan';
import { LINKED_TABLES, PERSON_COLUMNS, RACE_ETHNICITY } from '../../core/linked/tables';
import { runPlan } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';
import { generateState, recordsOf, type GeneratedState } from '../generator/generated-state';

let state: GeneratedState;
let lake: LocalLake;
let inputs: Record<string, string>;

const linkedFile = (table: string): string => sqlString(path.join(lake.store.root, 'linked', `${table}.parquet`));
const rawFiles = (contractId: string): string => {
  const contract = allContracts().find((c) => c.id === contractId);
  if (!contract) throw new Error(contractId);
  return sqlString(path.join(lake.store.root, rawLocation(contract), '**', '*.parquet'));
};
const count = async (sql: string): Promise<number> => Number((await lake.engine.query(`SELECT COUNT(*) AS n FROM (${sql}) t`))[0]?.n);

beforeAll(async () => {
  state = await generateState({ people: 400, seed: 11, noise: 'medium' }, 1);
  lake = await openLocalLake(path.join(state.dir, 'lake'));
  await landDrops(path.join(state.dir, 'drops'), lake.store);
  await ingestLandingZone(lake);
  // Linking writes the linked tables too.
  await linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
  inputs = await rawIdentityInputs(lake.store);
}, 120_000);
afterAll(async () => {
  await lake?.close();
  state?.remove();
});

test('each table has c2c_id and its declared columns, with their types', async () => {
  const declared = new Map([['persons', PERSON_COLUMNS], ...LINKED_TABLES.map((t) => [t.name, t.columns] as const)]);
  const duckType = { STRING: 'VARCHAR', INT: 'INTEGER', DOUBLE: 'DOUBLE', DATE: 'DATE', BOOLEAN: 'BOOLEAN' } as const;
  for (const name of LINKED_TABLE_NAMES) {
    const columns = await lake.engine.query(`DESCRIBE SELECT * FROM read_parquet(${linkedFile(name)})`);
    const expected = [{ name: 'c2c_id', type: 'VARCHAR' }, ...(declared.get(name) ?? []).map((c) => ({ name: c.name, type: duckType[c.type] }))];
    expect({ name, columns: columns.map((c) => ({ name: c.column_name, type: c.column_type })) }).toEqual({ name, columns: expected });
  }
});

test('no value of any linked table is a name, SSN, SSID or source id a partner sent', async () => {
  const pii = new Set<string>();
  for (const contract of allContracts()) {
    const fields = contract.schema.fields.filter((f) => f.pii === 'name' || f.pii === 'ssn' || f.pii === 'source_id').map((f) => f.name);
    // Shorter values (a middle initial M, a surname Li) are also codes (gender M, ...): not evidence of a leak.
    for (const { record } of recordsOf(state, contract.id)) for (const field of fields) if ((record[field] ?? '').length >= 4) pii.add(record[field] as string);
  }
  // A surname White is also a race code: codes the linked tables use are not evidence of a leak.
  const codes = [...RACE_ETHNICITY, 'CERTIFICATE', 'ASSOCIATE', 'BACHELOR', 'FIRST_TIME', 'TRANSFER', 'CONTINUING', ...allContracts().flatMap((c) => c.schema.fields.flatMap((f) => f.constraints?.enum ?? []))];
  for (const code of codes) pii.delete(String(code));
  expect(pii.size).toBeGreaterThan(1000);
  for (const name of LINKED_TABLE_NAMES) {
    const rows = await lake.engine.query(`SELECT * FROM read_parquet(${linkedFile(name)})`);
    const leaked = rows.flatMap((row) => Object.entries(row).filter(([, v]) => typeof v === 'string' && pii.has(v)).map(([k]) => `${name}.${k}`));
    expect(leaked).toEqual([]);
  }
});

test('persons: one row per c2c_id of the crosswalk, attributes harmonized, birth year only', async () => {
  const xwalk = sqlString(path.join(lake.store.root, 'identity', 'person_xwalk.parquet'));
  const persons = linkedFile('persons');
  expect(await count(`SELECT c2c_id FROM read_parquet(${persons})`)).toBe(await count(`SELECT DISTINCT c2c_id FROM read_parquet(${xwalk})`));
  expect(await count(`SELECT DISTINCT c2c_id FROM read_parquet(${persons})`)).toBe(await count(`SELECT c2c_id FROM read_parquet(${persons})`));
  const races = await lake.engine.query(`SELECT DISTINCT race_ethnicity AS r FROM read_parquet(${persons})`);
  expect(races.map((r) => r.r).every((r) => (RACE_ETHNICITY as readonly unknown[]).includes(r))).toBe(true);
  expect(races.length).toBeGreaterThan(5);
  const [years] = await lake.engine.query(`SELECT MIN(birth_year) AS lo, MAX(birth_year) AS hi, COUNT(*) FILTER (WHERE birth_year IS NULL) AS missing FROM read_parquet(${persons})`);
  expect(Number(years?.lo)).toBeGreaterThan(1900);
  expect(Number(years?.hi)).toBeLessThan(2030);
});

test('a K-12 student\'s race is what CALPADS reports, read from the Hispanic flag and the race codes', async () => {
  // Students whose every K-12 row reports the same single race code: the harmonized race must follow it.
  const sample = await lake.engine.query([
    `SELECT p.race_ethnicity, MIN(k.hispanic_ind) AS hispanic, MIN(k.race_code_1) AS code, MIN(k.race_code_2) AS second`,
    `FROM read_parquet(${rawFiles('cde/k12_enrollment')}) k`,
    `JOIN read_parquet(${sqlString(path.join(lake.store.root, 'identity', 'person_xwalk.parquet'))}) x ON x.record_id = 'cde:ssid|' || k.ssid`,
    `JOIN read_parquet(${linkedFile('persons')}) p ON p.c2c_id = x.c2c_id`,
    'GROUP BY x.c2c_id, p.race_ethnicity',
    'HAVING COUNT(DISTINCT k.hispanic_ind) = 1 AND COUNT(DISTINCT k.race_code_1) = 1 AND COUNT(k.race_code_2) = 0',
  ].join('\n'));
  expect(sample.length).toBeGreaterThan(100);
  const expected = (r: (typeof sample)[number]): string => {
    if (r.hispanic === true) return 'HISPANIC';
    const code = r.code as string;
    return code === '100' ? 'AMERICAN_INDIAN' : code.startsWith('2') ? 'ASIAN' : code.startsWith('3') ? 'PACIFIC_ISLANDER'
      : code === '400' ? 'FILIPINO' : code === '600' ? 'BLACK' : 'WHITE';
  };
  expect(sample.filter((r) => r.race_ethnicity !== expected(r))).toEqual([]);
});

test('every raw fact is in its linked table once, keyed by a c2c_id', async () => {
  const graduates = await count(`SELECT DISTINCT ssid FROM read_parquet(${rawFiles('cde/k12_graduation')})`);
  expect(await count(`SELECT * FROM read_parquet(${linkedFile('k12_graduates')})`)).toBe(graduates);
  const awards = ['cccco/cc_awards', 'csu/csu_degrees', 'uc/uc_degrees'].map((id) => `SELECT COUNT(*) AS n FROM read_parquet(${rawFiles(id)})`).join(' UNION ALL ');
  const privateDegrees = `SELECT COUNT(*) AS n FROM read_parquet(${rawFiles('aiccu/private_enrollment')}) WHERE degree_awarded IS NOT NULL`;
  const [rawAwards] = await lake.engine.query(`SELECT SUM(n) AS n FROM (${awards} UNION ALL ${privateDegrees}) t`);
  expect(await count(`SELECT * FROM read_parquet(${linkedFile('postsecondary_awards')})`)).toBe(Number(rawAwards?.n));
  const [wages] = await lake.engine.query(`SELECT SUM(wages) AS w FROM read_parquet(${rawFiles('edd/ui_wages')})`);
  const [linkedWages] = await lake.engine.query(`SELECT SUM(wages) AS w, COUNT(*) FILTER (WHERE c2c_id IS NULL) AS unkeyed FROM read_parquet(${linkedFile('quarterly_wages')})`);
  expect(Number(linkedWages?.w)).toBeCloseTo(Number(wages?.w), 2);
  expect(Number(linkedWages?.unkeyed)).toBe(0);
});

test('term codes of each segment become the same term dates', async () => {
  const terms = await lake.engine.query(`SELECT segment, MIN(term_start) AS first, COUNT(*) FILTER (WHERE term_start IS NULL OR fall_year IS NULL) AS unread FROM read_parquet(${linkedFile('postsecondary_enrollments')}) GROUP BY segment ORDER BY segment`);
  expect(terms.map((t) => t.segment)).toEqual(['CCC', 'CSU', 'PRIVATE', 'UC']);
  expect(terms.every((t) => Number(t.unread) === 0)).toBe(true);
  const days = await lake.engine.query(`SELECT DISTINCT strftime(term_start, '%m-%d') AS day FROM read_parquet(${linkedFile('postsecondary_enrollments')}) ORDER BY day`);
  expect(days.map((d) => d.day)).toEqual(expect.arrayContaining(['01-22', '08-25']));
  expect(days.every((d) => ['01-05', '01-22', '06-15', '08-25'].includes(d.day as string))).toBe(true);
});

test('tables of datasets that have not arrived are written empty, with their columns', async () => {
  const only = { 'cde/k12_graduation': inputs['cde/k12_graduation'] as string };
  const plan = linkedTablesPlan(only, { personXwalk: 'identity/person_xwalk.parquet', identityRecords: 'identity/identity_records.parquet', linkedFolder: 'linked/partial' });
  await runPlan(plan, lake.engine, { dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
  const partial = (table: string): string => sqlString(path.join(lake.store.root, 'linked', 'partial', `${table}.parquet`));
  expect(await count(`SELECT * FROM read_parquet(${partial('quarterly_wages')})`)).toBe(0);
  expect(await count(`SELECT * FROM read_parquet(${partial('k12_graduates')})`)).toBeGreaterThan(0);
  expect(() => linkedTablesPlan(only, { personXwalk: 'identity/person_xwalk.parquet', identityRecords: 'identity/identity_records.parquet', linkedFolder: 'published/x' }))
    .toThrow('linked tables go to the linked zone, not published/x');
});
