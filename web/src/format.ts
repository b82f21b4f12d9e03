/** How the app names and writes the API's measures. */
import { MEASURES, type Measure, type MetricKind, type PublishedValue } from './api';

export const MEASURE_LABELS: Readonly<Record<Measure, string>> = {
  cohort_count: 'Cohort',
  event_count: 'With the outcome',
  rate: 'Rate',
  wage_p25: 'Wage, 25th percentile',
  wage_median: 'Median wage',
  wage_p75: 'Wage, 75th percentile',
};

/** The measures of a metric, in the API's column order. */
export function measuresOf(kind: MetricKind): readonly Measure[] {
  return kind === 'employment' ? MEASURES : MEASURES.filter((m) => !m.startsWith('wage_'));
}

/** The measures worth a chart of their own: the quartiles are drawn around the median. */
export function chartableMeasures(kind: MetricKind): readonly Measure[] {
  return kind === 'employment' ? ['rate', 'wage_median', 'cohort_count'] : ['rate', 'cohort_count'];
}

const COUNT = new Intl.NumberFormat('en-US');
const PERCENT = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const COMPACT_DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });

export function formatNumber(measure: Measure, value: number): string {
  if (measure === 'rate') return PERCENT.format(value);
  if (measure.startsWith('wage_')) return DOLLARS.format(value);
  return COUNT.format(value);
}

/** For axis ticks, where space is short. */
export function formatTick(measure: Measure, value: number): string {
  if (measure === 'rate') return `${Math.round(value * 100)}%`;
  if (measure.startsWith('wage_')) return COMPACT_DOLLARS.format(value);
  return COUNT.format(value);
}

export const SUPPRESSED_LABEL = 'Suppressed';

/** A published value as text; a hidden one says so (never "0"). */
export function formatValue(measure: Measure, value: PublishedValue): string {
  if (value.suppressed) return SUPPRESSED_LABEL;
  return value.value === null ? 'no value' : formatNumber(measure, value.value);
}
