/**
 * identityRecordsPlan on a small hand-made raw zone: one record per source id in a namespace,
 * conflicting PII resolved by frequency then recency, datasets without files left out.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalFolderStore } from '../../adapters/object-store/local-folder';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { identityRecordsPlan, rawIdentityInputs, IDENTITY_RECORDS_LOCATION } from '../../core/identity/plan';
import { IdentityMappingError } from '../../core/identity/sources';
import { runPlan } from '../../core/plan/run';
import { readParquet, underFolder, writeParquet } from '../plan/fixtures';

let engine: DuckDbEngine;
let dir: string;

/**
 * Rows of a raw dataset as ingestion lays them out, with only the columns the plan reads (a
 * column of NULLs cast to its contract's type, as ingestion writes it).
 */
async function rawFile(dataset: string, partner: string, ingestDate: string, columns: string, rows: string): Promise<void> {
  await writeParquet(engine, dir, `raw/${dataset}/partner=${partner}/ingest_date=${ingestDate}/${dataset}.${ingestDate}.parquet`, `SELECT * FROM (VALUES ${rows}) AS t(${columns})`);
}

const K12 = 'ssid, first_name, middle_name, last_name, birth_date, gender';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-identity-'));
  engine = await DuckDbEngine.open();
  // One student in two years of enrollment and in graduation: a surname change, a nickname, a transposed birth date.
  await rawFile('k12_enrollment', 'cde', '2024-01-15', K12,
    "('1000000001', 'ANA', 'MARIA', 'LOPEZ', DATE '2006-03-04', 'F'), ('1000000001', 'ANA', 'MARIA', 'LOPEZ', DATE '2006-03-04', 'F'), " +
    "('1000000002', 'ZOE', NULL, 'KIM', DATE '2007-01-02', 'X'), ('1000000002', 'CHLOE', NULL, 'KIM', DATE '2007-01-02', 'X')");
  await rawFile('k12_enrollment', 'cde', '2025-01-15', K12, "('1000000001', 'ANA', CAST(NULL AS VARCHAR), 'LOPEZ GARCIA', DATE '2006-04-03', 'F')");
  await rawFile('k12_graduation', 'cde', '2025-01-15', 'ssid, first_name, last_name, birth_date, gender', "('1000000001', 'ANNA', 'LOPEZ GARCIA', DATE '2006-03-04', 'F')");
  // Wage records under an SSN, one of them without a name.
  await rawFile('ui_wages', 'edd', '2025-01-15', 'ssn, first_name, last_name', "('123456789', NULL, NULL), ('123456789', 'BOB', 'SMITH')");
  // An institution's own student id, and a gender code meaning unknown.
  await rawFile('private_enrollment', 'aiccu', '2025-01-15', 'ipeds_unit_id, student_id, ssn, first_name, last_name, birth_date, gender',
    "('110635', 'S123', CAST(NULL AS VARCHAR), 'Lee', 'Park', DATE '2001-05-06', 'Unknown')");
  // Reports but no Parquet yet: not an input.
  mkdirSync(path.join(dir, 'raw/calfresh/partner=dss/ingest_date=2025-01-15'), { recursive: true });
  writeFileSync(path.join(dir, 'raw/calfresh/partner=dss/ingest_date=2025-01-15/calfresh.report.json'), '{}');
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

test('only the datasets with Parquet in raw/ are inputs', async () => {
  expect(await rawIdentityInputs(new LocalFolderStore(dir))).toEqual({
    'cde/k12_enrollment': 'raw/k12_enrollment/partner=cde',
    'cde/k12_graduation': 'raw/k12_graduation/partner=cde',
    'aiccu/private_enrollment': 'raw/private_enrollment/partner=aiccu',
    'edd/ui_wages': 'raw/ui_wages/partner=edd',
  });
});

test('one record per source id, each field its most frequent value (ties: the latest, then the smallest)', async () => {
  const plan = identityRecordsPlan(await rawIdentityInputs(new LocalFolderStore(dir)));
  const run = await runPlan(plan, engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(dir) });

  expect(run.outputs).toEqual([expect.objectContaining({ table: 'identity_records', rows: 4 })]);
  const none = { first_name: null, middle_name: null, last_name: null, birth_date: null, ssn: null, gender: null, ssid: null };
  const counts = { n_first_name_values: 1, n_middle_name_values: 0, n_last_name_values: 1, n_birth_date_values: 1, n_ssn_values: 0, n_gender_values: 1, n_ssid_values: 0 };
  expect(await readParquet(engine, path.join(dir, IDENTITY_RECORDS_LOCATION), 'record_id')).toEqual([
    {
      record_id: 'aiccu:student_id|110635:S123', source: 'aiccu:student_id', source_id: '110635:S123',
      ...none, first_name: 'Lee', last_name: 'Park', birth_date: '2001-05-06',
      n_source_rows: 1, first_seen_ingest_date: '2025-01-15', last_seen_ingest_date: '2025-01-15', ...counts, n_gender_values: 0,
    },
    {
      // ANA 3 rows to ANNA 1; LOPEZ and LOPEZ GARCIA 2 rows each, LOPEZ GARCIA seen later.
      record_id: 'cde:ssid|1000000001', source: 'cde:ssid', source_id: '1000000001',
      ...none, first_name: 'ANA', middle_name: 'MARIA', last_name: 'LOPEZ GARCIA', birth_date: '2006-03-04', gender: 'F', ssid: '1000000001',
      n_source_rows: 4, first_seen_ingest_date: '2024-01-15', last_seen_ingest_date: '2025-01-15',
      ...counts, n_first_name_values: 2, n_middle_name_values: 1, n_last_name_values: 2, n_birth_date_values: 2, n_ssid_values: 1,
    },
    {
      // ZOE and CHLOE once each in one ingest: the smallest.
      record_id: 'cde:ssid|1000000002', source: 'cde:ssid', source_id: '1000000002',
      ...none, first_name: 'CHLOE', last_name: 'KIM', birth_date: '2007-01-02', gender: 'X', ssid: '1000000002',
      n_source_rows: 2, first_seen_ingest_date: '2024-01-15', last_seen_ingest_date: '2024-01-15', ...counts, n_first_name_values: 2, n_ssid_values: 1,
    },
    {
      record_id: 'edd:ssn|123456789', source: 'edd:ssn', source_id: '123456789',
      ...none, first_name: 'BOB', last_name: 'SMITH', ssn: '123456789',
      n_source_rows: 2, first_seen_ingest_date: '2025-01-15', last_seen_ingest_date: '2025-01-15', ...counts, n_birth_date_values: 0, n_gender_values: 0, n_ssn_values: 1,
    },
  ]);
});

test('a plan with no inputs, an unknown dataset, or output outside a zone that may hold PII is refused', () => {
  expect(() => identityRecordsPlan({})).toThrow(new IdentityMappingError('identity records need at least one dataset with files in raw/'));
  expect(() => identityRecordsPlan({ 'cde/k12_lunch': 'raw/k12_lunch' })).toThrow(new IdentityMappingError('no identity mapping for cde/k12_lunch'));
  for (const location of ['linked/identity_records.parquet', 'published/x.parquet', 'identity_records.parquet']) {
    expect(() => identityRecordsPlan({ 'edd/ui_wages': 'raw/ui_wages/partner=edd' }, location)).toThrow(/so they go to a zone that may hold it \(landing, raw, quarantine, identity\)/);
  }
  expect(identityRecordsPlan({ 'edd/ui_wages': 'raw/ui_wages/partner=edd' }).outputs).toEqual({ identity_records: { format: 'parquet', location: 'identity/identity_records.parquet' } });
});

describe('the SQL is written for DuckDB and Spark alike (docs/plans.md)', () => {
  const plan = identityRecordsPlan({ 'cde/k12_enrollment': 'raw/k12_enrollment/partner=cde', 'edd/ui_wages': 'raw/ui_wages/partner=edd', 'csu/csu_enrollment': 'raw/csu_enrollment/partner=csu' });
  const sql = plan.steps.map((s) => (s.kind === 'sql' ? s.sql : '')).join('\n');
  const code = sql.replace(/'[^']*'/g, "''");

  test.each([
    [':: casts', /::/],
    ['list literals', /\[/],
    ['DuckDB-only syntax or functions', /\b(EXCLUDE|REPLACE|QUALIFY|GROUP BY ALL|strptime|regexp_full_match|date_diff|datediff)\b|\/\//i],
  ])('it has no %s', (_, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  test('every ORDER BY item says where NULLs go (DuckDB puts them last, Spark first)', () => {
    const items = [...code.matchAll(/ORDER BY ([^)]*)\)/g)].flatMap((m) => (m[1] as string).split(','));
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((item) => !/ NULLS (FIRST|LAST)$/.test(item.trim()))).toEqual([]);
  });
});
