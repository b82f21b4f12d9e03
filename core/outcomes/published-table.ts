/**
 * The published outcomes' layout: where publishing writes and the published table's columns.
 * Apart from publish.ts, so that readers of the published zone (the Query API's Lambda, the
 * catalog) need not load disclosure control to know the layout.
 */
import { sqlString } from '../validation/sql';
import { BREAKDOWN_IDS, BREAKDOWNS } from './breakdowns';

/** Where publishing writes, as `<zone>/<key>` locations. */
export const PUBLISHED_LOCATIONS = {
  csv: 'published/outcomes/outcomes.csv',
  /** Alone in its folder, the location of the catalog's (Athena's) table `outcomes`. */
  parquet: 'published/outcomes/table/outcomes.parquet',
  metadata: 'published/outcomes/metadata.json',
  /** The grouping sets left out as too sparse (metric, cohort year, grouping set, reason): no counts. */
  withheld: 'published/outcomes/withheld.csv',
  /** The disclosure-control summary kept beside the unprotected cube. */
  disclosureSummary: 'outcomes/disclosure_summary.json',
} as const;

/** The published table's columns, in order, with their types (DuckDB names) and meaning. */
export const PUBLISHED_COLUMNS: ReadonlyArray<readonly [name: string, type: 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE', description: string]> = [
  ['metric_id', 'VARCHAR', 'The metric (metadata.json describes each).'],
  ['cohort_year', 'INTEGER', 'The cohort year.'],
  ['grouping_set', 'VARCHAR', 'The breakdowns of the row, comma-separated; empty for the total.'],
  ...BREAKDOWN_IDS.map((b) => [b, 'VARCHAR', `${BREAKDOWNS[b].title}: the group, or empty where the row is not broken down by it.`] as const),
  ['cohort_count', 'BIGINT', 'People in the cohort (the denominator); empty when suppressed.'],
  ['cohort_count_suppressed', 'VARCHAR', 'Why cohort_count is suppressed (a reason code), or empty.'],
  ['event_count', 'BIGINT', 'People of the cohort with the event (the numerator); empty when suppressed.'],
  ['event_count_suppressed', 'VARCHAR', 'Why event_count is suppressed, or empty.'],
  ['rate', 'DOUBLE', 'event_count / cohort_count, to 4 decimals; empty when suppressed.'],
  ['rate_suppressed', 'VARCHAR', 'Why rate is suppressed, or empty.'],
  ['wage_p25', 'DOUBLE', 'Employment metrics: 25th percentile of the earners\' annual wages, whole dollars.'],
  ['wage_median', 'DOUBLE', 'Employment metrics: median annual wages, whole dollars.'],
  ['wage_p75', 'DOUBLE', 'Employment metrics: 75th percentile of annual wages, whole dollars.'],
  ['wages_suppressed', 'VARCHAR', 'Why the wage percentiles are suppressed, or empty.'],
];

/** The statement (DuckDB) that writes the published CSV as the published table's Parquet, typed by PUBLISHED_COLUMNS. */
export function publishedParquetSql(csvPath: string, parquetPath: string): string {
  const columns = PUBLISHED_COLUMNS.map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`).join(', ');
  return `COPY (SELECT * FROM read_csv(${sqlString(csvPath)}, header = true, columns = {${columns}}, force_not_null = ['grouping_set'])) ` +
    `TO ${sqlString(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`;
}
