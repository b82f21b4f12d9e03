/**
 * A small publication written by hand into a local lake, laid out as publishing lays it out
 * (metadata.json, withheld.csv, table/outcomes.parquet), for tests that need to know every row.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { BREAKDOWNS } from '../../core/outcomes/breakdowns';
import { SUPPRESSION_REASONS, WITHHELD_REASONS } from '../../core/outcomes/protect';
import { PUBLISHED_COLUMNS, PUBLISHED_LOCATIONS, publishedParquetSql } from '../../core/outcomes/published-table';

export type FixtureRow = Partial<Record<(typeof PUBLISHED_COLUMNS)[number][0], string | number>>;

const at = (lake: string, location: string): string => path.join(lake, ...location.split('/'));

export const FIXTURE_METRICS = [
  {
    id: 'college_going', title: 'College-going', description: 'Of the graduates, the share enrolled within 12 months.', cohort: 'hs_graduates',
    event: 'Enrolled', window: '12 months', followUpYears: 1, breakdowns: ['region', 'county', 'gender'], caveats: ['Out-of-state enrollment is not seen.'], kind: 'rate',
  },
  {
    id: 'wages_1y', title: 'Wages after 1 year', description: 'Employment and wages of completers.', cohort: 'completers',
    event: 'Employed', window: 'year 1', followUpYears: 1, breakdowns: ['gender'], caveats: [], kind: 'employment',
  },
];

const row = (metric: string, year: number, set: string, groups: FixtureRow, values: FixtureRow): FixtureRow => ({ metric_id: metric, cohort_year: year, grouping_set: set, ...groups, ...values });
const shown = (cohort: number, events: number): FixtureRow => ({ cohort_count: cohort, event_count: events, rate: Number((events / cohort).toFixed(4)) });

/**
 * college_going: 2020 and 2021 with totals, gender, region and region × gender; county withheld. Its
 * breakdowns are not in BREAKDOWN_IDS order, as some real metrics' are not: a grouping set is named
 * in the metric's order. wages_1y: 2021.
 */
export const FIXTURE_ROWS: readonly FixtureRow[] = [
  row('college_going', 2020, '', {}, shown(200, 120)),
  row('college_going', 2020, 'gender', { gender: 'F' }, shown(100, 61)),
  row('college_going', 2020, 'gender', { gender: 'M' }, { cohort_count_suppressed: 'complementary', event_count_suppressed: 'denominator_suppressed', rate_suppressed: 'denominator_suppressed' }),
  row('college_going', 2020, 'gender', { gender: 'X' }, { cohort_count_suppressed: 'small_count', event_count_suppressed: 'denominator_suppressed', rate_suppressed: 'denominator_suppressed' }),
  row('college_going', 2020, 'region', { region: 'Bay Area' }, shown(120, 70)),
  row('college_going', 2020, 'region', { region: 'Central Coast' }, { cohort_count: 80, event_count: 0, rate: 0 }),
  ...['F', 'M', 'X'].flatMap((gender, i) => ['Bay Area', 'Central Coast'].map((region, j) =>
    row('college_going', 2020, 'region,gender', { gender, region }, shown(40 + 10 * i + j, 20 + i)))),
  row('college_going', 2021, '', {}, shown(210, 130)),
  row('college_going', 2021, 'gender', { gender: 'F' }, shown(105, 66)),
  row('college_going', 2021, 'gender', { gender: 'M' }, { cohort_count: 105, event_count_suppressed: 'small_complement', rate_suppressed: 'small_complement' }),
  row('wages_1y', 2021, '', {}, { ...shown(50, 40), wage_p25: 30000, wage_median: 40000, wage_p75: 50000 }),
  row('wages_1y', 2021, 'gender', { gender: 'F' }, { ...shown(25, 20), wages_suppressed: 'few_earners' }),
];

export const FIXTURE_WITHHELD = [
  ['college_going', 2020, 'county', 'sparse'],
  ['college_going', 2020, 'county,gender', 'finer_than_sparse'],
  ['college_going', 2021, 'county', 'sparse'],
] as const;

export const FIXTURE_RUN_ID = 'fixture-run-1';

/** Writes the publication into `<lake>/published/outcomes/`; `rows` replaces FIXTURE_ROWS. */
export async function writeFixturePublication(lake: string, rows: readonly FixtureRow[] = FIXTURE_ROWS, runId = FIXTURE_RUN_ID): Promise<void> {
  await mkdir(path.dirname(at(lake, PUBLISHED_LOCATIONS.parquet)), { recursive: true });
  const columns = PUBLISHED_COLUMNS.map(([name]) => name);
  await writeFile(at(lake, PUBLISHED_LOCATIONS.csv), stringify(rows.map((r) => columns.map((c) => r[c] ?? null)), { header: true, columns }));
  await writeFile(at(lake, PUBLISHED_LOCATIONS.withheld), stringify(FIXTURE_WITHHELD.map((w) => [...w]), { header: true, columns: ['metric_id', 'cohort_year', 'grouping_set', 'reason'] }));
  await writeFile(at(lake, PUBLISHED_LOCATIONS.metadata), JSON.stringify({
    runId,
    publishedAt: '2026-11-30T00:00:00.000Z',
    dataThroughYear: 2025,
    disclosureControl: { threshold: 11, rule: 'test', reasons: SUPPRESSION_REASONS, withheldReasons: WITHHELD_REASONS, suppressedShareOfCounts: 0.2 },
    columns: PUBLISHED_COLUMNS.map(([name, type, description]) => ({ name, type, description })),
    breakdowns: Object.values(BREAKDOWNS),
    cohorts: [
      { id: 'hs_graduates', title: 'High-school graduates', description: 'Graduates of the year.' },
      { id: 'completers', title: 'Completers', description: 'Completers of the year.' },
    ],
    metrics: FIXTURE_METRICS,
  }));
  const engine = await DuckDbEngine.open();
  try {
    await engine.run(publishedParquetSql(at(lake, PUBLISHED_LOCATIONS.csv), at(lake, PUBLISHED_LOCATIONS.parquet)));
  } finally {
    engine.close();
  }
}
