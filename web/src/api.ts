/**
 * The Query API as the web app sees it: the response shapes of api/openapi.json that the app
 * reads, and a client for its three read endpoints. The app talks to nothing else.
 */

export const MEASURES = ['cohort_count', 'event_count', 'rate', 'wage_p25', 'wage_median', 'wage_p75'] as const;
export type Measure = (typeof MEASURES)[number];
export type MetricKind = 'rate' | 'employment';

/** A published value, or a hidden one: `value` null, `suppressed` true, with its reason code. */
export interface PublishedValue {
  readonly value: number | null;
  readonly suppressed: boolean;
  readonly reason: string | null;
}

export interface Row {
  readonly cohort_year: number;
  readonly groups: Readonly<Record<string, string>>;
  readonly cohort_count: PublishedValue;
  readonly event_count: PublishedValue;
  readonly rate: PublishedValue;
  readonly wage_p25?: PublishedValue;
  readonly wage_median?: PublishedValue;
  readonly wage_p75?: PublishedValue;
}

export interface Footnote {
  readonly code: string;
  readonly text: string;
  readonly cohort_years?: readonly number[];
}

export interface QueryResult {
  readonly metric: { readonly id: string; readonly title: string; readonly kind: MetricKind };
  readonly query: { readonly metric: string; readonly years: readonly number[]; readonly breakdowns: readonly string[]; readonly filters: Readonly<Record<string, readonly string[]>> };
  readonly data_through_year: number;
  readonly threshold: number;
  readonly rows: readonly Row[];
  readonly footnotes: readonly Footnote[];
  readonly page: { readonly limit: number; readonly returned: number; readonly next_cursor: string | null };
}

export interface MetricSummary {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: MetricKind;
  readonly cohort: { readonly id: string; readonly title: string };
  readonly breakdowns: readonly string[];
  readonly cohort_years: readonly number[];
}

export interface BreakdownDetail {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly parent: string | null;
  readonly groups: readonly string[];
}

export interface MetricDetail {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: MetricKind;
  readonly cohort: { readonly id: string; readonly title: string; readonly description: string };
  readonly event: string;
  readonly window: string;
  readonly follow_up_years: number;
  readonly caveats: readonly string[];
  readonly breakdowns: readonly BreakdownDetail[];
  readonly grouping_sets: ReadonlyArray<readonly string[]>;
  readonly cohort_years: readonly number[];
  readonly data_through_year: number;
  readonly threshold: number;
}

/** A query of one metric, as `GET /v1/query` takes it. No years: all the metric's cohort years. */
export interface Query {
  readonly metric: string;
  readonly years?: readonly number[];
  readonly breakdowns: readonly string[];
  /** Groups kept, by breakdown. */
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

/** The API's largest page: the app shows one page and says so when there are more rows. */
const PAGE_LIMIT = 5000;

/** `GET /v1/query`'s parameters for a query, in the API's own names (the page URL reuses them). */
export function queryParameters(query: Query): URLSearchParams {
  const parameters = new URLSearchParams({ metric: query.metric });
  if (query.years && query.years.length > 0) parameters.set('years', query.years.join(','));
  if (query.breakdowns.length > 0) parameters.set('breakdowns', query.breakdowns.join(','));
  for (const [breakdown, groups] of Object.entries(query.filters)) {
    for (const group of groups) parameters.append('filter', `${breakdown}:${group}`);
  }
  return parameters;
}

export class QueryApi {
  /**
   * Answers kept for the page's life, by path: the published data change only with a new
   * publication, and dashboards and the back button ask the same questions again.
   */
  private readonly answers = new Map<string, Promise<unknown>>();

  /** `base`: the API's origin and path prefix, '' for the page's own origin. */
  constructor(private readonly base: string) {}

  async metrics(): Promise<readonly MetricSummary[]> {
    return (await this.get<{ metrics: MetricSummary[] }>('/v1/metrics')).metrics;
  }

  metric(id: string): Promise<MetricDetail> {
    return this.get<MetricDetail>(`/v1/metrics/${encodeURIComponent(id)}`);
  }

  query(query: Query): Promise<QueryResult> {
    return this.get<QueryResult>(`/v1/query?${this.pageParameters(query)}`);
  }

  /** The API's own CSV of the same page of rows as `query` returns. */
  csvUrl(query: Query): string {
    const parameters = this.pageParameters(query);
    parameters.set('format', 'csv');
    return `${this.base}/v1/query?${parameters}`;
  }

  private pageParameters(query: Query): URLSearchParams {
    const parameters = queryParameters(query);
    parameters.set('limit', String(PAGE_LIMIT));
    return parameters;
  }

  private get<T>(path: string): Promise<T> {
    let answer = this.answers.get(path) as Promise<T> | undefined;
    if (!answer) {
      answer = this.fetchJson<T>(path);
      this.answers.set(path, answer);
      // A failure is not kept: asking again may succeed (the API answers 503 while its engine is down).
      answer.catch(() => this.answers.delete(path));
    }
    return answer;
  }

  private async fetchJson<T>(path: string): Promise<T> {
    const response = await fetch(`${this.base}${path}`, { headers: { accept: 'application/json' } });
    if (!response.ok) {
      const problem = (await response.json().catch(() => undefined)) as { detail?: string } | undefined;
      // The problem document's detail names the parameter at fault; the page shows it as is.
      throw new Error(problem?.detail ?? `The Query API answered ${response.status}.`);
    }
    return (await response.json()) as T;
  }
}
