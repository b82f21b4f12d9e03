/**
 * A query of the API, from its parameters to rows: checked against the publication (the metric,
 * its cohort years, breakdowns, grouping sets and groups), turned into one parameterized SELECT
 * over the published table, and its rows shaped as JSON or CSV with every hidden value marked.
 */
import { stringify } from 'csv-stringify/sync';
import type { BreakdownId } from '../outcomes/breakdowns';
import type { TableQuery } from '../ports/published-table';
import type { SqlRow, SqlValue } from '../ports/sql-engine';
import { ApiProblem, listed } from './problem';
import { forPublication, type Publication, type PublishedMetric } from './publication';

export const DEFAULT_LIMIT = 1000;

/** A query as the client sent it, after the OpenAPI document's checks (types, sizes, enums). */
export interface QueryInput {
  readonly metric: string;
  readonly years?: readonly number[];
  readonly breakdowns?: readonly string[];
  /** Groups to keep, by breakdown. */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
  readonly limit?: number;
  readonly cursor?: string;
}

/** How the request names a breakdown's filter, for error messages: `filter` in the URL, `filters.<b>` in a body. */
export type FilterParameterName = (breakdown: string) => string;

export interface PlannedQuery {
  readonly metric: PublishedMetric;
  readonly years: readonly number[];
  readonly breakdowns: readonly BreakdownId[];
  readonly filters: Readonly<Partial<Record<BreakdownId, readonly string[]>>>;
  /** The row's columns: the breakdowns, then the breakdowns only filtered on. */
  readonly columns: readonly BreakdownId[];
  readonly offset: number;
  readonly limit: number;
  /**
   * Every row of the query's grouping set, all cohort years and groups, ordered: what the engine
   * is asked for. Queries of one grouping set share it, so it can be kept (see groupingSetKey).
   */
  readonly groupingSetQuery: TableQuery;
  /** Identifies groupingSetQuery's rows within one publication. */
  readonly groupingSetKey: string;
  /** Identifies the answer within one publication. */
  readonly key: string;
}

type Measure = 'cohort_count' | 'event_count' | 'rate' | 'wage_p25' | 'wage_median' | 'wage_p75';
const RATE_MEASURES: readonly Measure[] = ['cohort_count', 'event_count', 'rate'];
const EMPLOYMENT_MEASURES: readonly Measure[] = [...RATE_MEASURES, 'wage_p25', 'wage_median', 'wage_p75'];
const COUNT_MEASURES: ReadonlySet<Measure> = new Set(['cohort_count', 'event_count']);
/** The published column holding each measure's reason code. */
const REASON_COLUMN: Readonly<Record<Measure, string>> = {
  cohort_count: 'cohort_count_suppressed',
  event_count: 'event_count_suppressed',
  rate: 'rate_suppressed',
  wage_p25: 'wages_suppressed',
  wage_median: 'wages_suppressed',
  wage_p75: 'wages_suppressed',
};

const measuresOf = (metric: PublishedMetric): readonly Measure[] => (metric.kind === 'employment' ? EMPLOYMENT_MEASURES : RATE_MEASURES);
/** The grouping set of these breakdowns as the table names it: in the metric's order of breakdowns (cube-plan.ts). */
const groupingSetOf = (metric: PublishedMetric, columns: readonly BreakdownId[]): BreakdownId[] => metric.breakdowns.filter((b) => columns.includes(b));

function metricBreakdown(metric: PublishedMetric, id: string, parameter: string): BreakdownId {
  const found = metric.breakdowns.find((b) => b === id);
  if (!found) throw ApiProblem.invalid(parameter, `the metric ${metric.id} has no breakdown ${id}; it has ${listed(metric.breakdowns)}`);
  return found;
}

export function planQuery(publication: Publication, input: QueryInput, filterParameter: FilterParameterName, tableName: string): PlannedQuery {
  const metric = publication.metrics.get(input.metric);
  if (!metric) throw ApiProblem.invalid('metric', `no published metric is called ${input.metric}; GET /v1/metrics lists them`);

  const unknownYears = (input.years ?? []).filter((y) => !metric.cohortYears.includes(y));
  if (unknownYears.length > 0) {
    throw ApiProblem.invalid('years', `the metric ${metric.id} has no cohort year ${listed(unknownYears)}; it has ${listed(metric.cohortYears)}`);
  }
  const years = input.years ? [...input.years].sort((a, b) => a - b) : metric.cohortYears;

  const breakdowns = (input.breakdowns ?? []).map((b) => metricBreakdown(metric, b, 'breakdowns'));
  const filters: Partial<Record<BreakdownId, readonly string[]>> = {};
  for (const [name, groups] of Object.entries(input.filters ?? {})) {
    const breakdown = metricBreakdown(metric, name, filterParameter(name));
    const published = metric.groups.get(breakdown) ?? [];
    if (published.length === 0) {
      throw ApiProblem.invalid(filterParameter(name), `no group of ${breakdown} is published for ${metric.id}: every cohort year of it is withheld as too sparse`);
    }
    const unknown = groups.filter((g) => !published.includes(g));
    if (unknown.length > 0) {
      throw ApiProblem.invalid(filterParameter(name), `${breakdown} has no published group ${listed(unknown.map((g) => JSON.stringify(g)))} for ${metric.id}; it has ${listed(published)}`);
    }
    filters[breakdown] = [...new Set(groups)].sort();
  }

  const filtered = Object.keys(filters) as BreakdownId[];
  const columns = [...breakdowns, ...filtered.filter((b) => !breakdowns.includes(b))];
  const groupingSet = groupingSetOf(metric, columns);
  if (groupingSet.length > 2) {
    throw ApiProblem.invalid(filtered.length > 0 ? filterParameter(filtered[0] as string) : 'breakdowns',
      `a query combines at most two breakdowns, counting the filtered ones; this one has ${groupingSet.join(', ')}`);
  }
  if (!metric.groupingSets.some((set) => set.join(',') === groupingSet.join(','))) {
    // Only a breakdown with its own parent (county with region, institution with segment) is not published together.
    throw ApiProblem.invalid(filtered.length > 0 ? filterParameter(filtered[0] as string) : 'breakdowns',
      `${groupingSet.join(' and ')} are not published together: each group of one lies in one group of the other; use the finer breakdown alone`);
  }

  const offset = input.cursor === undefined ? 0 : Number(input.cursor);
  const limit = input.limit ?? DEFAULT_LIMIT;
  const measures = measuresOf(metric);
  const selected = ['cohort_year', ...groupingSet, ...new Set(measures.flatMap((m) => [m, REASON_COLUMN[m]]))];
  // Column names come from the breakdown ids and the measures, never from the request; values are bound.
  const sql = forPublication(publication.runId, `SELECT ${selected.join(', ')} FROM ${tableName} WHERE metric_id = ? AND grouping_set = ? ORDER BY ${['cohort_year', ...groupingSet].join(', ')}`);
  return {
    metric, years, breakdowns, filters, columns, offset, limit,
    groupingSetQuery: { sql, parameters: [metric.id, groupingSet.join(',')] },
    groupingSetKey: `${metric.id}|${groupingSet.join(',')}`,
    key: JSON.stringify([metric.id, input.years ? years : null, breakdowns, filters, offset, limit]),
  };
}

/**
 * The page of the answer among the grouping set's rows: the asked-for cohort years and groups, in
 * order, from the offset, with one row more than the page shows (it tells that a next page exists).
 */
export function pageOf(plan: PlannedQuery, groupingSetRows: readonly SqlRow[]): SqlRow[] {
  const years = new Set(plan.years);
  const filters = Object.entries(plan.filters).map(([b, groups]) => [b, new Set(groups)] as const);
  return groupingSetRows
    .filter((row) => years.has(Number(row.cohort_year)) && filters.every(([b, groups]) => groups.has(String(row[b]))))
    .slice(plan.offset, plan.offset + plan.limit + 1);
}

export interface PublishedValue {
  readonly value: number | null;
  readonly suppressed: boolean;
  readonly reason: string | null;
}

export interface ResultRow {
  readonly cohort_year: number;
  readonly groups: Readonly<Record<string, string>>;
  readonly [measure: string]: PublishedValue | number | Readonly<Record<string, string>>;
}

export interface Footnote {
  readonly code: string;
  readonly text: string;
  readonly cohort_years?: readonly number[];
}

export interface QueryResult {
  readonly metric: { readonly id: string; readonly title: string; readonly kind: string };
  readonly query: { readonly metric: string; readonly years: readonly number[]; readonly breakdowns: readonly string[]; readonly filters: Readonly<Record<string, readonly string[]>> };
  readonly data_through_year: number;
  readonly threshold: number;
  readonly rows: readonly ResultRow[];
  readonly footnotes: readonly Footnote[];
  readonly page: { readonly limit: number; readonly returned: number; readonly next_cursor: string | null };
}

/** Called when the table holds an unsuppressed count from 1 to threshold − 1: publishing is broken, and the API hides it. */
export type UnsafeValueListener = (metricId: string, measure: string) => void;

function numberOrNull(value: SqlValue | undefined): number | null {
  return typeof value === 'number' ? value : value === null || value === undefined || value === '' ? null : Number(value);
}

/**
 * A measure as published, with a last check: a count from 1 to threshold − 1 that is not marked
 * suppressed is hidden here too, since showing it could single people out.
 */
function publishedValue(row: SqlRow, measure: Measure, threshold: number, onUnsafe: () => void): PublishedValue {
  const reason = row[REASON_COLUMN[measure]];
  const value = numberOrNull(row[measure]);
  if (typeof reason === 'string' && reason !== '') return { value: null, suppressed: true, reason };
  if (COUNT_MEASURES.has(measure) && value !== null && value >= 1 && value < threshold) {
    onUnsafe();
    return { value: null, suppressed: true, reason: 'small_count' };
  }
  return { value, suppressed: false, reason: null };
}

/** One page of rows (pageOf): `rows` holds up to limit + 1 rows (the extra one only says a next page exists). */
export function queryResult(publication: Publication, plan: PlannedQuery, rows: readonly SqlRow[], onUnsafe: UnsafeValueListener = () => undefined): QueryResult {
  const { metric } = plan;
  const page = rows.slice(0, plan.limit);
  const measures = measuresOf(metric);
  const reasons = new Set<string>();
  const shaped = page.map((row): ResultRow => {
    const values = Object.fromEntries(measures.map((m) => {
      const value = publishedValue(row, m, publication.threshold, () => onUnsafe(metric.id, m));
      if (value.reason) reasons.add(value.reason);
      return [m, value];
    }));
    return { cohort_year: Number(row.cohort_year), groups: Object.fromEntries(plan.columns.map((b) => [b, String(row[b])])), ...values };
  });
  return {
    metric: { id: metric.id, title: metric.title, kind: metric.kind },
    query: { metric: metric.id, years: plan.years, breakdowns: plan.breakdowns, filters: plan.filters as Record<string, readonly string[]> },
    data_through_year: publication.dataThroughYear,
    threshold: publication.threshold,
    rows: shaped,
    footnotes: [
      ...[...reasons].sort().map((code) => ({ code, text: publication.reasons[code] ?? 'Suppressed by disclosure control.' })),
      ...withheldFootnotes(publication, plan),
      ...metric.caveats.map((text, i) => ({ code: `caveat_${i + 1}`, text })),
    ],
    page: { limit: plan.limit, returned: shaped.length, next_cursor: rows.length > plan.limit ? String(plan.offset + plan.limit) : null },
  };
}

/** The asked-for cohort years whose grouping set is not published at all, by reason. */
function withheldFootnotes(publication: Publication, plan: PlannedQuery): Footnote[] {
  const byYear = plan.metric.withheld.get(groupingSetOf(plan.metric, plan.columns).join(','));
  if (!byYear) return [];
  const byReason = new Map<string, number[]>();
  for (const year of plan.years) {
    const reason = byYear.get(year);
    if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), year]);
  }
  return [...byReason].map(([reason, years]) => ({ code: `withheld_${reason}`, text: publication.withheldReasons[reason] ?? 'Not published for these cohort years.', cohort_years: years }));
}

/** The page as CSV: the published columns of the query, hidden values empty with their reason beside them. */
export function queryCsv(plan: PlannedQuery, result: QueryResult): string {
  const measures = measuresOf(plan.metric);
  const wageColumns = measures.includes('wage_p25') ? ['wage_p25', 'wage_median', 'wage_p75', 'wages_suppressed'] : [];
  const header = ['metric_id', 'cohort_year', ...plan.columns, 'cohort_count', 'cohort_count_suppressed', 'event_count', 'event_count_suppressed', 'rate', 'rate_suppressed', ...wageColumns];
  const records = result.rows.map((row) => {
    const value = (m: Measure): PublishedValue => row[m] as PublishedValue;
    const cells = (m: Measure): Array<number | string | null> => [value(m).value, value(m).reason ?? ''];
    return [
      plan.metric.id, row.cohort_year, ...plan.columns.map((b) => row.groups[b] ?? ''),
      ...cells('cohort_count'), ...cells('event_count'), ...cells('rate'),
      ...(wageColumns.length > 0 ? [value('wage_p25').value, value('wage_median').value, value('wage_p75').value, value('wage_p25').reason ?? ''] : []),
    ];
  });
  return stringify(records, { header: true, columns: header });
}
