/**
 * Outcomes, from the linked zone to the published one: the cube plan (outcomes/, restricted),
 * disclosure control of the whole cube (protect.ts), then the published cube as CSV and Parquet
 * with its metadata. Nothing reaches published/ unless the audit passed; nothing in it carries a
 * c2c_id or a count the suppression hid.
 */
import { stringify } from 'csv-stringify/sync';
import { objectAtLocation } from '../lake/zones';
import type { ObjectStore } from '../ports/object-store';
import type { SqlEngine } from '../ports/sql-engine';
import { readOutputSql, runPlan, type LocationResolver, type PlanDialect, type PlanExecutor } from '../plan/run';
import { BREAKDOWN_IDS, BREAKDOWNS } from './breakdowns';
import { PUBLISHED_COLUMNS, PUBLISHED_LOCATIONS, publishedParquetSql } from './published-table';
import { CUBE_LOCATIONS, outcomeCubePlan } from './cube-plan';
import { COHORTS, METRICS } from './metrics';
import { protectCube, SUPPRESSION_REASONS, WITHHELD_REASONS, type CubeRow, type ProtectedRow, type ProtectionSummary, type ProtectOptions } from './protect';

export interface PublishDependencies {
  readonly store: ObjectStore;
  readonly engine: SqlEngine;
  readonly dialect: PlanDialect;
  readonly resolveLocation: LocationResolver;
  /** Where the cube plan runs (e.g. Spark); by default runPlan on `engine`, which reads the outputs either way. */
  readonly executePlan?: PlanExecutor;
  readonly runId: string;
  readonly options?: ProtectOptions;
  readonly onStage?: (stage: string) => void;
}

export interface PublishSummary {
  readonly runId: string;
  /** The last year the data covers (the cube's data_vintage). */
  readonly dataThroughYear: number;
  readonly protection: ProtectionSummary;
  /** Published rows and, of their counts (two per row), how many are suppressed. */
  readonly rows: number;
  readonly suppressedCounts: number;
}

export async function publishOutcomes(deps: PublishDependencies): Promise<PublishSummary> {
  deps.onStage?.('outcome cube');
  await (deps.executePlan ?? ((p) => runPlan(p, deps.engine, { dialect: deps.dialect, resolveLocation: deps.resolveLocation })))(outcomeCubePlan());
  return publishCube(deps);
}

/**
 * Disclosure control and publishing of a cube already built (at CUBE_LOCATIONS): what runs after
 * the cube plan, here or after a Glue job wrote the cube.
 */
export async function publishCube(deps: Omit<PublishDependencies, 'executePlan'>): Promise<PublishSummary> {
  const { store, engine } = deps;
  const [vintage] = await engine.query(`SELECT last_year FROM ${await readOutputSql(deps, CUBE_LOCATIONS.vintage)}`);
  // In a fixed order, so that disclosure control (which breaks ties by position) gives one pattern.
  const cube = (await engine.query(`SELECT * FROM ${await readOutputSql(deps, CUBE_LOCATIONS.cube)} ORDER BY metric_id, cohort_year, grouping_set, ${BREAKDOWN_IDS.join(', ')}`)) as unknown as CubeRow[];

  deps.onStage?.('disclosure control');
  const { rows, withheld, summary } = await protectCube(cube, deps.options);
  await store.put(objectAtLocation(PUBLISHED_LOCATIONS.disclosureSummary, ['published', 'outcomes']), JSON.stringify({ runId: deps.runId, cube: CUBE_LOCATIONS.cube, ...summary }, null, 2) + '\n');

  deps.onStage?.('publish');
  const dataThroughYear = Number(vintage?.last_year);
  await store.put(objectAtLocation(PUBLISHED_LOCATIONS.csv, ['published', 'outcomes']), publishedCsv(rows));
  await store.put(objectAtLocation(PUBLISHED_LOCATIONS.withheld, ['published', 'outcomes']),
    stringify(withheld.map((w) => [w.metric_id, w.cohort_year, w.grouping_set, w.reason]), { header: true, columns: ['metric_id', 'cohort_year', 'grouping_set', 'reason'] }));
  await engine.run(publishedParquetSql(await deps.resolveLocation(PUBLISHED_LOCATIONS.csv, 'read'), await deps.resolveLocation(PUBLISHED_LOCATIONS.parquet, 'write')));
  await store.put(objectAtLocation(PUBLISHED_LOCATIONS.metadata, ['published', 'outcomes']), JSON.stringify(metadata(deps.runId, dataThroughYear, summary), null, 2) + '\n');

  const suppressedCounts = rows.reduce((n, r) => n + (r.cohort_count_suppressed ? 1 : 0) + (r.event_count_suppressed ? 1 : 0), 0);
  return { runId: deps.runId, dataThroughYear, protection: summary, rows: rows.length, suppressedCounts };
}

/** The published values: hidden ones empty, each with its reason; rates and wages rounded. */
export function publishedCsv(rows: readonly ProtectedRow[]): string {
  const round = (value: number | null, digits: number): number | null => (value === null ? null : Number(value.toFixed(digits)));
  const records = rows.map((r) => [
    r.metric_id, r.cohort_year, r.grouping_set, ...BREAKDOWN_IDS.map((b) => r[b]),
    r.cohort_count_suppressed ? null : r.cohort_count, r.cohort_count_suppressed,
    r.event_count_suppressed ? null : r.event_count, r.event_count_suppressed,
    r.rate_suppressed ? null : round(r.rate, 4), r.rate_suppressed,
    ...[r.wage_p25, r.wage_median, r.wage_p75].map((w) => (r.wages_suppressed ? null : round(w, 0))), r.wages_suppressed,
  ]);
  return stringify(records, { header: true, columns: PUBLISHED_COLUMNS.map(([name]) => name) });
}

function metadata(runId: string, dataThroughYear: number, summary: ProtectionSummary): unknown {
  return {
    runId,
    publishedAt: new Date().toISOString(),
    dataThroughYear,
    disclosureControl: {
      threshold: summary.threshold,
      rule: `Counts from 1 to ${summary.threshold - 1} are suppressed; zero is published. Further counts are suppressed so that no suppressed count can be worked out ` +
        `from published ones: an attacker using every published count is left an interval at least ${summary.protection} wide for each small count (checked by linear programming).`,
      reasons: SUPPRESSION_REASONS,
      withheldReasons: WITHHELD_REASONS,
      suppressedShareOfCounts: summary.suppressedShare,
    },
    columns: PUBLISHED_COLUMNS.map(([name, type, description]) => ({ name, type, description })),
    breakdowns: Object.values(BREAKDOWNS),
    cohorts: COHORTS.map(({ id, title, description }) => ({ id, title, description })),
    metrics: METRICS.map(({ id, title, description, cohort, event, window, followUpYears, breakdowns, caveats, kind }) => ({ id, title, description, cohort, event, window, followUpYears, breakdowns, caveats, kind })),
  };
}
