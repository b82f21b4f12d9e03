/**
 * The outcome cube as a plan over the linked zone: for every metric of the catalog and every
 * cohort year with a complete follow-up window, the cohort count, the event count, the rate and
 * (for employment metrics) the earners' wage percentiles, over the metric's grouping sets (the
 * total, each breakdown, each pair). Written to outcomes/ (restricted: the counts are not yet
 * protected). docs/outcomes.md describes the table.
 */
import { COUNTIES } from '../reference/california';
import { INSTITUTIONS } from '../reference/institutions';
import { literal } from '../linkage/sql/expressions';
import type { Plan, SqlStep } from '../plan/plan';
import { BREAKDOWN_IDS, groupingSets, type BreakdownId } from './breakdowns';
import { COHORTS, METRICS, SHARED_STEPS, type MetricDefinition } from './metrics';

export const OUTCOME_CUBE = 'outcome_cube';

/** The linked tables the catalog reads. */
export const CUBE_INPUT_TABLES = [
  'persons', 'k12_graduates', 'postsecondary_enrollments', 'postsecondary_awards', 'quarterly_wages', 'credentials', 'k12_staff_assignments', 'cal_grant_awards', 'calfresh_spells',
] as const;

export interface CubeLocations {
  /** The folder of the linked tables (`<folder>/<table>.parquet`). */
  readonly linkedFolder: string;
  readonly cube: string;
  /** One row: `last_year`, the last year the data cover (the cube's follow-up windows end by it). */
  readonly vintage: string;
}

export const CUBE_LOCATIONS: CubeLocations = { linkedFolder: 'linked', cube: 'outcomes/outcome_cube.parquet', vintage: 'outcomes/data_vintage.parquet' };
export const DATA_VINTAGE = 'data_vintage';

export function outcomeCubePlan(locations: CubeLocations = CUBE_LOCATIONS, metrics: readonly MetricDefinition[] = METRICS): Plan {
  const steps: SqlStep[] = [
    { kind: 'sql', name: 'counties', sql: valuesSql(['county_code', 'county', 'region'], COUNTIES.map((c) => [c.code, c.name, c.region])) },
    { kind: 'sql', name: 'institutions', sql: valuesSql(['segment', 'institution_code', 'county_code'], Object.values(INSTITUTIONS).flat().map((i) => [i.segment, i.code, i.county.code])) },
    ...SHARED_STEPS.filter((s) => !s.readsCohorts).map((s): SqlStep => ({ kind: 'sql', name: s.name, sql: s.sql })),
    ...COHORTS.map((c): SqlStep => ({ kind: 'sql', name: `cohort_${c.id}`, sql: c.sql })),
    ...SHARED_STEPS.filter((s) => s.readsCohorts).map((s): SqlStep => ({ kind: 'sql', name: s.name, sql: s.sql })),
    ...metrics.flatMap((m): SqlStep[] => [
      { kind: 'sql', name: `events_${m.id}`, sql: m.eventsSql.replace(/\{cohort\}/g, `cohort_${m.cohort}`) },
      { kind: 'sql', name: `cube_${m.id}`, sql: metricCubeSql(m) },
    ]),
    { kind: 'sql', name: OUTCOME_CUBE, sql: metrics.map((m) => `SELECT * FROM cube_${m.id}`).join('\nUNION ALL\n') },
  ];
  return {
    name: 'outcome_cube',
    description: 'Counts, rates and wage percentiles of every metric of the catalog by cohort year over its grouping sets, from the linked zone.',
    inputs: Object.fromEntries(CUBE_INPUT_TABLES.map((t) => [t, { format: 'parquet' as const, location: `${locations.linkedFolder}/${t}.parquet` }])),
    steps,
    outputs: { [OUTCOME_CUBE]: { format: 'parquet', location: locations.cube }, [DATA_VINTAGE]: { format: 'parquet', location: locations.vintage } },
  };
}

/**
 * A table of constants as one inline VALUES table: Spark takes seconds per hundred branches to
 * analyze a UNION ALL of one-row SELECTs (20 s for the 233 institutions), a VALUES list no time.
 */
function valuesSql(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  return `SELECT ${columns.join(', ')} FROM (VALUES\n${rows.map((r) => `(${r.map((v) => literal(v)).join(', ')})`).join(',\n')}\n) AS t(${columns.join(', ')})`;
}

/** One metric's rows: its cohort joined to its events, grouped by cohort year and each grouping set. */
function metricCubeSql(metric: MetricDefinition): string {
  const grouped = (b: BreakdownId): string => `GROUPING(c.${b}) = 0`;
  const sets = groupingSets(metric.breakdowns).map((set) => `(${['c.cohort_year', ...set.map((b) => `c.${b}`)].join(', ')})`);
  const wage = (p: number): string => (metric.kind === 'employment' ? `percentile_cont(${p}) WITHIN GROUP (ORDER BY e.wages)` : 'CAST(NULL AS DOUBLE)');
  const columns = [
    `${literal(metric.id)} AS metric_id`,
    'c.cohort_year',
    // The breakdowns grouped by, in the catalog's order: '' for the total.
    `concat_ws(',', ${metric.breakdowns.length === 0 ? "''" : metric.breakdowns.map((b) => `CASE WHEN ${grouped(b)} THEN ${literal(b)} END`).join(', ')}) AS grouping_set`,
    ...BREAKDOWN_IDS.map((b) => (metric.breakdowns.includes(b) ? `CASE WHEN ${grouped(b)} THEN c.${b} END AS ${b}` : `CAST(NULL AS STRING) AS ${b}`)),
    'CAST(COUNT(*) AS BIGINT) AS cohort_count',
    'CAST(COUNT(e.member_id) AS BIGINT) AS event_count',
    'CAST(COUNT(e.member_id) AS DOUBLE) / COUNT(*) AS rate',
    `${wage(0.25)} AS wage_p25`,
    `${wage(0.5)} AS wage_median`,
    `${wage(0.75)} AS wage_p75`,
  ];
  return [
    `SELECT ${columns.join(',\n  ')}`,
    `FROM cohort_${metric.cohort} c`,
    `LEFT JOIN events_${metric.id} e ON e.member_id = c.member_id`,
    'CROSS JOIN data_vintage v',
    `WHERE c.cohort_year + ${metric.followUpYears} <= v.last_year`,
    `GROUP BY GROUPING SETS (${sets.join(', ')})`,
  ].join('\n');
}
