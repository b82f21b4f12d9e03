/**
 * The page's state in its URL, so that a view can be shared, bookmarked and reopened, and the
 * browser's back button steps through it. The query builder's parameters are the API's own
 * (`metric`, `years`, `breakdowns`, `filter`), so a page URL reads like the query it shows:
 *   ?view=query&metric=teacher_retention_3y&breakdowns=region&filter=gender:F&measure=rate
 *   ?view=teachers&by=region&year=2020
 */
import { MEASURES, queryParameters, type Measure, type Query } from './api';

export interface QueryPage {
  readonly page: 'query';
  /** Undefined: no metric chosen yet. */
  readonly query: Query | undefined;
  /** The measure charted; undefined: the metric's headline measure. */
  readonly measure?: Measure;
  /** The cohort year charted when the chart cannot show every year; undefined: the latest. */
  readonly chartYear?: number;
}

export interface DashboardPage {
  readonly page: 'dashboard';
  readonly dashboard: string;
  /** The breakdown every panel is broken down by; undefined: totals. */
  readonly by?: string;
  /** One cohort year (bars by group); undefined: every year (trends). */
  readonly year?: number;
}

export type PageState = QueryPage | DashboardPage;

const QUERY_VIEW = 'query';

function year(text: string | null): number | undefined {
  return text !== null && /^\d{4}$/.test(text) ? Number(text) : undefined;
}

const list = (text: string | null): string[] => (text ?? '').split(',').filter((item) => item !== '');

/** The state a URL's query string describes; a URL without a view opens `defaultDashboard`. */
export function parsePageState(search: string, defaultDashboard: string): PageState {
  const parameters = new URLSearchParams(search);
  const view = parameters.get('view') ?? defaultDashboard;
  if (view !== QUERY_VIEW) {
    return { page: 'dashboard', dashboard: view, by: parameters.get('by') ?? undefined, year: year(parameters.get('year')) };
  }
  const metric = parameters.get('metric');
  const measure = MEASURES.find((m) => m === parameters.get('measure'));
  const chartYear = year(parameters.get('chart_year'));
  if (!metric) return { page: 'query', query: undefined, measure, chartYear };
  const years = list(parameters.get('years')).map((y) => year(y)).filter((y): y is number => y !== undefined);
  const filters = new Map<string, string[]>();
  for (const item of parameters.getAll('filter')) {
    // The group may itself hold colons (as the API reads it): split at the first.
    const colon = item.indexOf(':');
    if (colon <= 0) continue;
    const breakdown = item.slice(0, colon);
    filters.set(breakdown, [...(filters.get(breakdown) ?? []), item.slice(colon + 1)]);
  }
  return {
    page: 'query',
    query: { metric, ...(years.length > 0 ? { years } : {}), breakdowns: list(parameters.get('breakdowns')), filters: Object.fromEntries(filters) },
    measure,
    chartYear,
  };
}

/** The query string (with its `?`) of a state; parsePageState reads it back to the same state. */
export function pageSearch(state: PageState): string {
  let parameters: URLSearchParams;
  if (state.page === 'dashboard') {
    parameters = new URLSearchParams({ view: state.dashboard });
    if (state.by) parameters.set('by', state.by);
    if (state.year !== undefined) parameters.set('year', String(state.year));
  } else {
    parameters = new URLSearchParams([['view', QUERY_VIEW], ...(state.query ? queryParameters(state.query) : [])]);
    if (state.measure) parameters.set('measure', state.measure);
    if (state.chartYear !== undefined) parameters.set('chart_year', String(state.chartYear));
  }
  return `?${parameters}`;
}
