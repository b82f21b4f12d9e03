/**
 * Which chart fits a set of query results, and its series: trend lines over cohort years when the
 * rows have at most one breakdown and several years; bars by group (for one year) otherwise.
 * Pure: no DOM, so the choice is the same wherever it is drawn.
 */
import type { Measure, PublishedValue, QueryResult, Row } from './api';
import { formatNumber, formatValue, MEASURE_LABELS } from './format';

export interface ChartPoint {
  /** The category on the x axis: a cohort year, a group or a metric's label. */
  readonly x: string;
  readonly value: PublishedValue;
  /** The 25th and 75th percentile around a median wage. */
  readonly range?: { readonly low: PublishedValue; readonly high: PublishedValue };
  /** The point in words, for its tooltip and its accessible name; a hidden value with its reason. */
  readonly description: string;
}

export interface ChartSeries {
  readonly label: string;
  readonly points: readonly ChartPoint[];
}

export interface ChartModel {
  readonly kind: 'line' | 'bar';
  readonly measure: Measure;
  /** What the x axis shows. */
  readonly xTitle: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  /** The cohort year drawn when bars show one year of several. */
  readonly year?: number;
}

export interface ChartInput {
  /** One result per metric, all of the same breakdowns. */
  readonly results: readonly QueryResult[];
  readonly measure: Measure;
  /** A short label for each metric, used when several share a chart. */
  readonly metricLabel: (metricId: string) => string;
  readonly breakdownTitle: (breakdownId: string) => string;
  /** For bars, the year to draw; default the latest asked. */
  readonly year?: number;
}

/** The row's columns: its breakdowns, then those only filtered on (as the API orders them). */
export function columnsOf(result: QueryResult): string[] {
  const { breakdowns, filters } = result.query;
  return [...breakdowns, ...Object.keys(filters).filter((b) => !breakdowns.includes(b))];
}

/** What each reason code means, from the results' footnotes. */
export function reasonTexts(results: readonly QueryResult[]): Map<string, string> {
  return new Map(results.flatMap((r) => r.footnotes.map((f): [string, string] => [f.code, f.text])));
}

export function describeValue(measure: Measure, value: PublishedValue, reasons: ReadonlyMap<string, string>): string {
  if (!value.suppressed) return formatValue(measure, value);
  return `suppressed (${reasons.get(value.reason ?? '') ?? 'hidden by disclosure control'})`;
}

function rangeOf(row: Row, measure: Measure): ChartPoint['range'] {
  return measure === 'wage_median' && row.wage_p25 && row.wage_p75 ? { low: row.wage_p25, high: row.wage_p75 } : undefined;
}

function describePoint(context: string, measure: Measure, value: PublishedValue, range: ChartPoint['range'], reasons: ReadonlyMap<string, string>): string {
  const text = `${context}: ${MEASURE_LABELS[measure].toLowerCase()} ${describeValue(measure, value, reasons)}`;
  if (!range || range.low.value === null || range.high.value === null) return text;
  return `${text} (middle half ${formatNumber('wage_p25', range.low.value)} to ${formatNumber('wage_p75', range.high.value)})`;
}

/** Trend lines fit rows of at most one breakdown over several years; anything else is bars for one year. */
export const isTrend = (columns: number, years: number): boolean => columns <= 1 && years > 1;

const unique = (items: Iterable<string>): string[] => [...new Set(items)];

export function chartModel(input: ChartInput): ChartModel {
  const { results, measure } = input;
  const reasons = reasonTexts(results);
  const columns = results.length > 0 ? columnsOf(results[0] as QueryResult) : [];
  const years = [...new Set(results.flatMap((r) => r.query.years))].sort((a, b) => a - b);
  const several = results.length > 1;
  const rows = results.flatMap((result) => result.rows.map((row) => ({ metric: result.metric.id, row })));
  const seriesName = (metric: string, parts: readonly string[]): string =>
    [...(several ? [input.metricLabel(metric)] : []), ...parts].join(', ') || 'All';

  if (isTrend(columns.length, years.length)) {
    // Trend lines: one per metric and group, over every asked year (a year without a row is a gap).
    const column = columns[0];
    const byName = new Map<string, ChartPoint[]>();
    for (const { metric, row } of rows) {
      const name = seriesName(metric, column ? [row.groups[column] ?? ''] : []);
      const value = row[measure] ?? { value: null, suppressed: false, reason: null };
      const range = rangeOf(row, measure);
      const point = { x: String(row.cohort_year), value, range, description: describePoint(`${name}, ${row.cohort_year}`, measure, value, range, reasons) };
      byName.set(name, [...(byName.get(name) ?? []), point]);
    }
    return {
      kind: 'line', measure, xTitle: 'Cohort year', categories: years.map(String),
      series: [...byName].map(([label, points]) => ({ label, points })),
    };
  }

  // Bars for one year: by the first breakdown's group (or by metric), one bar per series.
  const year = input.year !== undefined && years.includes(input.year) ? input.year : years[years.length - 1];
  const [first, second] = columns;
  const inYear = rows.filter(({ row }) => row.cohort_year === year);
  const xOf = (metric: string, row: Row): string => (first ? row.groups[first] ?? '' : several ? input.metricLabel(metric) : String(row.cohort_year));
  const nameOf = (metric: string, row: Row): string => (first ? seriesName(metric, second ? [row.groups[second] ?? ''] : []) : 'All');
  const byName = new Map<string, ChartPoint[]>();
  for (const { metric, row } of inYear) {
    const name = nameOf(metric, row);
    const x = xOf(metric, row);
    const value = row[measure] ?? { value: null, suppressed: false, reason: null };
    const range = rangeOf(row, measure);
    const context = [x, ...(name === 'All' ? [] : [name]), ...(first || several ? [String(year)] : [])].join(', ');
    byName.set(name, [...(byName.get(name) ?? []), { x, value, range, description: describePoint(context, measure, value, range, reasons) }]);
  }
  return {
    kind: 'bar', measure,
    xTitle: first ? input.breakdownTitle(first) : several ? 'Metric' : 'Cohort year',
    categories: unique(inYear.map(({ metric, row }) => xOf(metric, row))),
    series: [...byName].map(([label, points]) => ({ label, points })),
    ...(years.length > 1 && year !== undefined ? { year } : {}),
  };
}
