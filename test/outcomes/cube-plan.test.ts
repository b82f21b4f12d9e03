/**
 * The outcome cube over a hand-made linked zone whose answers are known, and the catalog's own
 * consistency.
 */
import path from 'node:path';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { LINKED_TABLES, PERSON_COLUMNS, type LinkedColumn } from '../../core/linked/tables';
import { BREAKDOWNS, groupingSets } from '../../core/outcomes/breakdowns';
import { CUBE_INPUT_TABLES, outcomeCubePlan } from '../../core/outcomes/cube-plan';
import { catalogProblems, COHORTS, METRICS, metricById } from '../../core/outcomes/metrics';
import { runPlan } from '../../core/plan/run';
import type { SqlRow } from '../../core/ports/sql-engine';
import { freshEngineAndFolder, underFolder, writeParquet } from '../plan/fixtures';

const fresh = freshEngineAndFolder();

const COLUMNS: Record<string, readonly LinkedColumn[]> = Object.fromEntries([['persons', PERSON_COLUMNS], ...LINKED_TABLES.map((t) => [t.name, t.columns])]);

/** Writes linked/<table>.parquet with the given rows (SQL value lists, c2c_id first), typed as the linked zone declares. */
async function linkedTable(table: string, rows: readonly string[]): Promise<void> {
  const columns = COLUMNS[table] as readonly LinkedColumn[];
  const typed = `SELECT CAST(c2c_id AS VARCHAR) AS c2c_id, ${columns.map((c) => `CAST(${c.name} AS ${c.type === 'STRING' ? 'VARCHAR' : c.type === 'INT' ? 'INTEGER' : c.type}) AS ${c.name}`).join(', ')}`;
  const names = ['c2c_id', ...columns.map((c) => c.name)].join(', ');
  const values = rows.length > 0 ? `(VALUES ${rows.map((r) => `(${r})`).join(', ')}) AS t(${names})` : `(SELECT ${['NULL', ...columns.map(() => 'NULL')].join(', ')}) AS t(${names}) WHERE 1 = 0`;
  await writeParquet(fresh.engine, fresh.dir, `linked/${table}.parquet`, `${typed} FROM ${values}`);
}

async function cube(): Promise<SqlRow[]> {
  await runPlan(outcomeCubePlan(), fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
  return fresh.engine.query(`SELECT * FROM read_parquet('${path.join(fresh.dir, 'outcomes/outcome_cube.parquet')}')`);
}

const total = (rows: readonly SqlRow[], metric: string, year: number): SqlRow | undefined => rows.find((r) => r.metric_id === metric && r.cohort_year === year && r.grouping_set === '');

test('the catalog is consistent: cohorts exist, breakdowns are the cohort\'s, partitions match their whole', () => {
  expect(catalogProblems()).toEqual([]);
  expect(METRICS.length).toBeGreaterThanOrEqual(15);
  for (const metric of METRICS) {
    expect(metric.title.length).toBeGreaterThan(10);
    expect(metric.description.length).toBeGreaterThan(40);
    expect(COHORTS.some((c) => c.id === metric.cohort)).toBe(true);
  }
  expect(() => metricById('nope')).toThrow(/no metric nope; the catalog has hs_college_going_12m/);
});

test('grouping sets: the total, each breakdown, each pair, but no county with its own region', () => {
  expect(groupingSets(['gender', 'region', 'county'])).toEqual([[], ['gender'], ['region'], ['county'], ['gender', 'region'], ['gender', 'county']]);
  expect(BREAKDOWNS.county.parent).toBe('region');
});

test('college-going, by segment of the first term within 12 months; later enrollment and non-enrollment do not count', async () => {
  await linkedTable('persons', [
    "'a', 2002, 'F', 'HISPANIC', false, true, false",
    "'b', 2002, 'M', 'WHITE', false, false, false",
    "'c', 2002, 'F', 'HISPANIC', true, false, false",
    "'d', 2002, 'M', 'ASIAN', false, false, true",
  ]);
  await linkedTable('k12_graduates', [
    "'a', 2020, '01', 's1', 'STANDARD_DIPLOMA', DATE '2020-06-10', true",
    "'b', 2020, '01', 's1', 'STANDARD_DIPLOMA', DATE '2020-06-10', false",
    "'c', 2020, '19', 's2', 'STANDARD_DIPLOMA', DATE '2020-06-12', false",
    "'d', 2020, '19', 's2', 'CHSPE', DATE '2020-05-01', false",
  ]);
  await linkedTable('postsecondary_enrollments', [
    // a: CCC in fall, then UC in winter: counted once, at CCC.
    "'a', 'CCC', '111', DATE '2020-08-25', 2020, NULL", "'a', 'UC', 'LA', DATE '2021-01-05', 2020, 'TRANSFER'",
    // b: first enrolls 14 months later: not within 12 months.
    "'b', 'CSU', 'LB', DATE '2021-08-25', 2021, 'FIRST_TIME'",
    // c: CSU in fall.
    "'c', 'CSU', 'LB', DATE '2020-08-25', 2020, 'FIRST_TIME'",
  ]);
  await linkedTable('quarterly_wages', ["'b', 2022, 4, 1000.0, 1"]);
  for (const table of CUBE_INPUT_TABLES.filter((t) => !['persons', 'k12_graduates', 'postsecondary_enrollments', 'quarterly_wages'].includes(t))) await linkedTable(table, []);

  const rows = await cube();
  expect(total(rows, 'hs_college_going_12m', 2020)).toMatchObject({ cohort_count: 4, event_count: 2, rate: 0.5 });
  expect(total(rows, 'hs_college_going_12m_ccc', 2020)).toMatchObject({ cohort_count: 4, event_count: 1 });
  expect(total(rows, 'hs_college_going_12m_csu', 2020)).toMatchObject({ cohort_count: 4, event_count: 1 });
  expect(total(rows, 'hs_college_going_12m_uc', 2020)).toMatchObject({ cohort_count: 4, event_count: 0 });
  // Alameda (01) and Los Angeles (19), in their regions; a pair of breakdowns.
  const byCounty = rows.filter((r) => r.metric_id === 'hs_college_going_12m' && r.grouping_set === 'county').map((r) => [r.county, r.cohort_count, r.event_count]);
  expect(byCounty.sort()).toEqual([['Alameda', 2, 1], ['Los Angeles', 2, 1]]);
  expect(rows.find((r) => r.metric_id === 'hs_college_going_12m' && r.grouping_set === 'race_ethnicity,foster' && r.race_ethnicity === 'HISPANIC' && r.foster === 'YES'))
    .toMatchObject({ cohort_count: 1, event_count: 1, region: null, gender: null });
  // The data run to 2022 (the last year with four quarters of wages): 2020 + 1 is covered, 2020 + 3 would not be.
  const metricCells = metricById('hs_college_going_12m').breakdowns;
  expect(new Set(rows.filter((r) => r.metric_id === 'hs_college_going_12m').map((r) => r.grouping_set))).toEqual(new Set(groupingSets(metricCells).map((s) => s.join(','))));
});

test('employment and wage percentiles of completers, the wage year counted from the award year', async () => {
  await linkedTable('persons', ["'a', 1998, 'F', 'BLACK', false, false, false", "'b', 1998, 'M', 'WHITE', false, false, false", "'c', 1997, 'F', 'WHITE', false, false, false"]);
  await linkedTable('postsecondary_awards', [
    "'a', 'CSU', 'LB', 'BACHELOR', 'BA', DATE '2019-05-20'",
    "'b', 'CSU', 'LB', 'BACHELOR', 'BS', DATE '2019-05-20'",
    "'c', 'CCC', '111', 'ASSOCIATE', 'AA', DATE '2019-06-01'",
    // c's later bachelor's is a separate completion, in 2021.
    "'c', 'UC', 'LA', 'BACHELOR', 'BA', DATE '2021-06-10'",
  ]);
  await linkedTable('quarterly_wages', [
    "'a', 2020, 1, 10000.0, 1", "'a', 2020, 2, 10000.0, 1",
    "'b', 2020, 3, 50000.0, 2",
    "'c', 2020, 1, 30000.0, 1", "'c', 2026, 4, 1.0, 1",
  ]);
  for (const table of CUBE_INPUT_TABLES.filter((t) => !['persons', 'postsecondary_awards', 'quarterly_wages'].includes(t))) await linkedTable(table, []);

  const rows = await cube();
  // 2019 completers a (20,000), b (50,000), c (30,000) one year later: percentiles interpolate.
  expect(total(rows, 'employment_wages_1y', 2019)).toMatchObject({ cohort_count: 3, event_count: 3, rate: 1, wage_p25: 25000, wage_median: 30000, wage_p75: 40000 });
  expect(rows.find((r) => r.metric_id === 'employment_wages_1y' && r.cohort_year === 2019 && r.grouping_set === 'award_level' && r.award_level === 'ASSOCIATE'))
    .toMatchObject({ cohort_count: 1, event_count: 1, wage_median: 30000 });
  expect(total(rows, 'employment_wages_1y', 2021)).toMatchObject({ cohort_count: 1, event_count: 0, wage_median: null });
  expect(total(rows, 'hs_college_going_12m', 2019)).toBeUndefined();
});
