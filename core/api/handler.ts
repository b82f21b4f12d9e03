/**
 * The Query API as one function from request to response, the same in Lambda and on a laptop.
 * The OpenAPI document (api/openapi.json) routes and validates every request (openapi-backend,
 * on Ajv); this module adds what a schema cannot say (body size and media type, content
 * negotiation, the publication's metrics, years and groups) and answers from the published
 * table only. Answers are cached per publication: the table does not change under a publication.
 */
import Negotiator from 'negotiator';
import OpenAPIBackend, { type Operation as BackendOperation } from 'openapi-backend';
import type { OpenAPIV3 } from 'openapi-types';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { EngineUnavailableError, type PublishedFiles, type PublishedTable } from '../ports/published-table';
import type { SqlRow } from '../ports/sql-engine';
import { OPENAPI_DOCUMENT } from './document';
import { ApiProblem, type ParameterError } from './problem';
import { loadPublication, type Publication, type PublishedMetric } from './publication';
import { pageOf, planQuery, queryCsv, queryResult, type FilterParameterName, type QueryInput } from './query';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** By lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;

export interface ApiLogger {
  warn(message: string, fields: Record<string, string | number>): void;
  error(message: string, fields: Record<string, string | number>): void;
}

export interface QueryApiDependencies {
  readonly table: PublishedTable;
  readonly files: PublishedFiles;
  /** A publication is read again after this long, so a new one is served without a restart. Default: never. */
  readonly publicationMaxAgeMs?: number;
  /** Answers kept per publication (least recently used dropped first). Default 2000. */
  readonly cachedAnswers?: number;
  /**
   * Grouping sets whose rows are kept (least recently used dropped first): a query asks the
   * engine for its grouping set's rows and picks its years, groups and page from them, so the
   * queries of one grouping set cost the engine one query. Default 500.
   */
  readonly cachedGroupingSets?: number;
  readonly log?: ApiLogger;
  readonly now?: () => number;
}

/** Larger bodies get a 413: a query is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
const RETRY_AFTER_SECONDS = 5;
const DEFAULT_CACHED_GROUPING_SETS = 500;
const CACHEABLE = 'public, max-age=300';
const JSON_TYPE = 'application/json; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';
type Operation = BackendOperation<OpenAPIV3.Document>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'] as const;

const jsonResponse = (status: number, body: unknown, cacheControl: string): ApiResponse => ({
  status, headers: { 'content-type': JSON_TYPE, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff' }, body: JSON.stringify(body),
});

function problemResponse(problem: ApiProblem, extraHeaders: Record<string, string> = {}): ApiResponse {
  return {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extraHeaders },
    body: JSON.stringify(problem.document()),
  };
}

/** Ajv's errors as parameter errors: `/query/years/0` → `years`, `/requestBody/filters/region` → `filters.region`. */
function parameterErrors(errors: readonly ErrorObject[]): ParameterError[] {
  const seen = new Set<string>();
  return errors.flatMap((error) => {
    const [where, ...rest] = error.instancePath.split('/').filter(Boolean);
    const missing = error.keyword === 'required' ? String((error.params as { missingProperty?: string }).missingProperty ?? '') : '';
    const extra = error.keyword === 'additionalProperties' ? String((error.params as { additionalProperty?: string }).additionalProperty ?? '') : '';
    const path = [...rest.filter((part) => !/^\d+$/.test(part)), missing || extra].filter(Boolean);
    const parameter = where === 'requestBody' ? (path.length > 0 ? path.join('.') : 'body') : (path[0] ?? where ?? 'request');
    const detail = extra ? `is not a parameter of this operation` : `${error.message ?? 'is invalid'}`;
    const key = `${parameter}|${detail}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ parameter, detail }];
  });
}

type Format = 'json' | 'csv';

/** JSON unless the client asks for CSV (by `format` or by Accept); a 406 when Accept allows neither. */
function negotiate(accept: string | undefined, format: unknown, offered: readonly string[]): Format {
  if (format === 'csv' || format === 'json') return format;
  const chosen = new Negotiator({ headers: { accept: accept ?? '*/*' } }).mediaType([...offered]);
  if (!chosen) throw new ApiProblem(406, `Accept allows none of ${offered.join(', ')}`, [{ parameter: 'Accept', detail: `must allow ${offered.join(' or ')}` }]);
  return chosen === 'text/csv' ? 'csv' : 'json';
}

function metricSummary(metric: PublishedMetric): unknown {
  return {
    id: metric.id, title: metric.title, description: metric.description, kind: metric.kind,
    cohort: { id: metric.cohort.id, title: metric.cohort.title },
    breakdowns: metric.breakdowns, cohort_years: metric.cohortYears,
  };
}

function metricDetail(publication: Publication, metric: PublishedMetric): unknown {
  return {
    id: metric.id, title: metric.title, description: metric.description, kind: metric.kind,
    cohort: metric.cohort, event: metric.event, window: metric.window, follow_up_years: metric.followUpYears, caveats: metric.caveats,
    breakdowns: metric.breakdowns.map((id) => {
      const b = publication.breakdowns.get(id);
      return { id, title: b?.title ?? id, description: b?.description ?? '', parent: b?.parent ?? null, groups: metric.groups.get(id) ?? [] };
    }),
    grouping_sets: metric.groupingSets,
    cohort_years: metric.cohortYears,
    data_through_year: publication.dataThroughYear,
    threshold: publication.threshold,
  };
}

/**
 * `region:Central Coast` → filters.region = ['Central Coast'] (the group may itself hold colons).
 * Collected in a Map: the name is the client's, and on a plain object `filter=__proto__:x` or
 * `filter=constructor:x` would read Object.prototype's members (a 500 before planQuery could
 * answer that no such breakdown exists).
 */
function urlFilters(filter: readonly string[] | undefined): Record<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const item of filter ?? []) {
    const colon = item.indexOf(':');
    const [breakdown, group] = [item.slice(0, colon), item.slice(colon + 1)];
    filters.set(breakdown, [...(filters.get(breakdown) ?? []), group]);
  }
  return Object.fromEntries(filters);
}

interface UrlQuery {
  metric: string;
  years?: number[];
  breakdowns?: string[];
  filter?: string[];
  limit?: number;
  cursor?: string;
  format?: string;
}

/**
 * Values by key, at most `size`, the least recently used dropped first. Concurrent misses of one
 * key share one computation; a failed one is not kept.
 */
class LeastRecentlyUsed<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly size: number) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.entries.set(key, value);
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

export async function createQueryApi(deps: QueryApiDependencies): Promise<ApiHandler> {
  // A copy: openapi-backend dereferences its definition in place, which turned the shared document
  // (served as /openapi.json, and read by anything else in the process) into an 82 KB one with every
  // $ref expanded.
  const api = new OpenAPIBackend<OpenAPIV3.Document>({ definition: structuredClone(OPENAPI_DOCUMENT), coerceTypes: true, validate: true, customizeAjv: (ajv) => addFormats(ajv) });
  await api.init();
  const now = deps.now ?? Date.now;
  const maxAge = deps.publicationMaxAgeMs ?? Number.POSITIVE_INFINITY;
  const cacheSize = deps.cachedAnswers ?? 2000;
  let loaded: { publication: Promise<Publication>; at: number } | undefined;
  const answers = new LeastRecentlyUsed<ApiResponse>(cacheSize);
  const groupingSets = new LeastRecentlyUsed<SqlRow[]>(deps.cachedGroupingSets ?? DEFAULT_CACHED_GROUPING_SETS);

  function publication(): Promise<Publication> {
    if (!loaded || now() - loaded.at > maxAge) {
      const attempt = loadPublication(deps.files, deps.table);
      loaded = { publication: attempt, at: now() };
      // A failed load is not kept: the next request tries again.
      attempt.catch(() => { if (loaded?.publication === attempt) loaded = undefined; });
    }
    return loaded.publication;
  }

  async function query(input: QueryInput, format: Format, filterParameter: FilterParameterName): Promise<ApiResponse> {
    const current = await publication();
    const plan = planQuery(current, input, filterParameter, deps.table.tableName);
    return answers.get(`${current.runId}|${format}|${plan.key}`, async () => {
      const rows = await groupingSets.get(`${current.runId}|${plan.groupingSetKey}`, () => deps.table.select(plan.groupingSetQuery));
      const result = queryResult(current, plan, pageOf(plan, rows),
        (metricId, measure) => deps.log?.error('the published table holds an unsuppressed small count; hidden in the answer', { metricId, measure }));
      if (format === 'json') return jsonResponse(200, result, CACHEABLE);
      return {
        status: 200,
        headers: { 'content-type': CSV_TYPE, 'cache-control': CACHEABLE, 'content-disposition': `attachment; filename="${plan.metric.id}.csv"`, 'x-content-type-options': 'nosniff' },
        body: queryCsv(plan, result),
      };
    });
  }

  async function dispatch(operation: Operation, request: ApiRequest, parsedBody: unknown): Promise<ApiResponse> {
    const validation = api.validateRequest({ method: request.method, path: request.path, query: request.query, headers: request.headers as Record<string, string>, body: parsedBody }, operation);
    if (!validation.valid) {
      const errors = parameterErrors(validation.errors ?? []);
      throw new ApiProblem(400, errors.map((e) => `${e.parameter}: ${e.detail}`).join('; '), errors);
    }
    const coerced = (validation.coerced ?? {}) as { query?: Record<string, unknown>; params?: Record<string, string> };
    const urlQuery = (coerced.query ?? {}) as Partial<UrlQuery>;
    const isQuery = operation.operationId === 'queryGet' || operation.operationId === 'queryPost';
    const format = negotiate(request.headers.accept, urlQuery.format, isQuery ? ['application/json', 'text/csv'] : ['application/json']);

    switch (operation.operationId) {
      case 'getHealth': {
        const current = await publication();
        return jsonResponse(200, { status: 'ok', run_id: current.runId, published_at: current.publishedAt, data_through_year: current.dataThroughYear }, 'no-store');
      }
      case 'listMetrics': {
        const current = await publication();
        return jsonResponse(200, { data_through_year: current.dataThroughYear, metrics: [...current.metrics.values()].map(metricSummary) }, CACHEABLE);
      }
      case 'getMetric': {
        const current = await publication();
        const id = coerced.params?.metricId ?? '';
        const metric = current.metrics.get(id);
        if (!metric) throw new ApiProblem(404, `no published metric is called ${id}; GET /v1/metrics lists them`, [{ parameter: 'metricId', detail: 'no such metric' }]);
        return jsonResponse(200, metricDetail(current, metric), CACHEABLE);
      }
      case 'queryGet': {
        const { metric = '', years, breakdowns, filter, limit, cursor } = urlQuery;
        return query({ metric, years, breakdowns, filters: urlFilters(filter), limit, cursor }, format, () => 'filter');
      }
      case 'queryPost':
        return query(parsedBody as QueryInput, format, (breakdown) => `filters.${breakdown}`);
      default:
        throw new ApiProblem(500, `operation ${operation.operationId ?? '?'} has no implementation`);
    }
  }

  /** The methods the path allows, for a 405's Allow header; none when no path matches. */
  function allowedMethods(path: string): string[] {
    return METHODS.filter((method) => api.matchOperation({ method, path, headers: {} })).map((m) => m.toUpperCase());
  }

  function parseBody(operation: Operation, request: ApiRequest): unknown {
    if (!operation.requestBody) return undefined;
    if (request.body !== undefined && Buffer.byteLength(request.body, 'utf8') > MAX_BODY_BYTES) {
      throw new ApiProblem(413, `the body has more than ${MAX_BODY_BYTES} bytes`, [{ parameter: 'body', detail: `at most ${MAX_BODY_BYTES} bytes` }]);
    }
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new ApiProblem(415, `the body must be application/json, not ${mediaType ? mediaType.slice(0, 100) : 'untyped'}`, [{ parameter: 'Content-Type', detail: 'must be application/json' }]);
    }
    try {
      return JSON.parse(request.body ?? '');
    } catch {
      throw ApiProblem.invalid('body', 'is not valid JSON');
    }
  }

  return async (request) => {
    try {
      const operation = api.matchOperation({ method: request.method.toLowerCase(), path: request.path, headers: {} });
      if (!operation) {
        const allowed = allowedMethods(request.path);
        if (allowed.length === 0) throw new ApiProblem(404, 'no such resource; the API reference lists the paths');
        return problemResponse(new ApiProblem(405, `${request.method.toUpperCase().slice(0, 10)} is not allowed here; use ${allowed.join(' or ')}`), { allow: allowed.join(', ') });
      }
      return await dispatch(operation, request, parseBody(operation, request));
    } catch (error) {
      if (error instanceof ApiProblem) return problemResponse(error);
      if (error instanceof EngineUnavailableError) {
        deps.log?.error('the query engine failed', { error: error.message });
        return problemResponse(new ApiProblem(503, 'the query engine is unavailable; try again shortly'), { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
      deps.log?.error('unexpected error', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      return problemResponse(new ApiProblem(500, 'an unexpected error; it has been logged'));
    }
  };
}
