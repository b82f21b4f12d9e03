/**
 * The Query API handler over a hand-made publication (test/api/fixture.ts) and the local DuckDB
 * adapter: answers, hidden values, footnotes, pages, formats, and a clear problem for every bad
 * request. Every response is also checked against the OpenAPI document.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { openLocalQueryApi, type LocalQueryApi } from '../../adapters/api/local-query-api';
import { DuckDbPublishedTable } from '../../adapters/api/duckdb-published-table';
import { localPublishedFiles } from '../../adapters/api/local-published-files';
import { createQueryApi, MAX_BODY_BYTES, type ApiRequest, type ApiResponse } from '../../core/api/handler';
import type { QueryResult } from '../../core/api/query';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { EngineUnavailableError, type PublishedTable } from '../../core/ports/published-table';
import { FIXTURE_ROWS, writeFixturePublication } from './fixture';
import { nonConformance } from './responses';

let tmp: string;
let api: LocalQueryApi;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-api-'));
  await writeFixturePublication(tmp);
  api = await openLocalQueryApi(tmp);
});
afterAll(async () => {
  api.close();
  await rm(tmp, { recursive: true, force: true });
});

function request(method: string, url: string, init: { body?: string; headers?: Record<string, string> } = {}): ApiRequest {
  const [pathname, query = ''] = url.split('?') as [string, string?];
  return { method, path: pathname, query, headers: init.headers ?? {}, body: init.body };
}

/** Sends the request and checks the response against the document before returning it. */
async function send(method: string, url: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const response = await api.handler(request(method, url, init));
  expect(await nonConformance(method, url.split('?')[0] as string, response)).toEqual([]);
  return response;
}
const postJson = (body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> =>
  send('POST', '/v1/query', { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
const json = <T>(response: ApiResponse): T => JSON.parse(response.body) as T;

describe('metrics', () => {
  it('lists each published metric with its cohort years, withheld-only years included', async () => {
    const response = await send('GET', '/v1/metrics');
    expect(response.status).toBe(200);
    const body = json<{ data_through_year: number; metrics: Array<{ id: string; cohort_years: number[]; cohort: { title: string } }> }>(response);
    expect(body.data_through_year).toBe(2025);
    expect(body.metrics.map((m) => [m.id, m.cohort_years, m.cohort.title])).toEqual([
      ['college_going', [2020, 2021], 'High-school graduates'],
      ['wages_1y', [2021], 'Completers'],
    ]);
  });

  it('describes one metric: breakdowns with their published groups, grouping sets without a breakdown paired with its parent', async () => {
    const body = json<{ breakdowns: Array<{ id: string; groups: string[]; parent: string | null }>; grouping_sets: string[][]; caveats: string[]; threshold: number }>(await send('GET', '/v1/metrics/college_going'));
    expect(body.breakdowns).toEqual([
      expect.objectContaining({ id: 'region', groups: ['Bay Area', 'Central Coast'], parent: null }),
      expect.objectContaining({ id: 'county', groups: [], parent: 'region' }),
      expect.objectContaining({ id: 'gender', groups: ['F', 'M', 'X'], parent: null }),
    ]);
    // In the metric's order, as the table names them.
    expect(body.grouping_sets).toEqual([[], ['region'], ['county'], ['gender'], ['region', 'gender'], ['county', 'gender']]);
    expect(body.caveats).toEqual(['Out-of-state enrollment is not seen.']);
    expect(body.threshold).toBe(11);
  });

  it('answers 404 naming metricId for a metric that is not published', async () => {
    const response = await send('GET', '/v1/metrics/no_such_metric');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json<{ errors: unknown[] }>(response).errors).toEqual([{ parameter: 'metricId', detail: 'no such metric' }]);
  });
});

describe('queries', () => {
  it('gives each row its groups and every value published or hidden with its reason, never a zero in place of a hidden value', async () => {
    const result = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&years=2020&breakdowns=gender'));
    expect(result.query).toEqual({ metric: 'college_going', years: [2020], breakdowns: ['gender'], filters: {} });
    expect(result.rows.map((r) => [r.groups, r.cohort_count, r.event_count])).toEqual([
      [{ gender: 'F' }, { value: 100, suppressed: false, reason: null }, { value: 61, suppressed: false, reason: null }],
      [{ gender: 'M' }, { value: null, suppressed: true, reason: 'complementary' }, { value: null, suppressed: true, reason: 'denominator_suppressed' }],
      [{ gender: 'X' }, { value: null, suppressed: true, reason: 'small_count' }, { value: null, suppressed: true, reason: 'denominator_suppressed' }],
    ]);
    expect(result.rows[0]?.rate).toEqual({ value: 0.61, suppressed: false, reason: null });
    expect(result.footnotes.map((f) => f.code)).toEqual(['complementary', 'denominator_suppressed', 'small_count', 'caveat_1']);
  });

  it('publishes a real zero as zero', async () => {
    const result = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&years=2020&breakdowns=region'));
    expect(result.rows[1]?.event_count).toEqual({ value: 0, suppressed: false, reason: null });
  });

  it('keeps filtered groups only, with the filtered breakdown as a column, the same by GET and by POST', async () => {
    const byUrl = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&breakdowns=gender&filter=region:Central%20Coast'));
    const byBody = json<QueryResult>(await postJson({ metric: 'college_going', breakdowns: ['gender'], filters: { region: ['Central Coast'] } }));
    expect(byBody).toEqual(byUrl);
    expect(byUrl.rows.map((r) => r.groups)).toEqual(['F', 'M', 'X'].map((gender) => ({ gender, region: 'Central Coast' })));
  });

  it('gives wage percentiles for employment metrics only, hidden together with their reason', async () => {
    const wages = json<QueryResult>(await send('GET', '/v1/query?metric=wages_1y&breakdowns=gender'));
    expect(wages.rows[0]?.wage_median).toEqual({ value: null, suppressed: true, reason: 'few_earners' });
    const total = json<QueryResult>(await send('GET', '/v1/query?metric=wages_1y'));
    expect([total.rows[0]?.wage_p25, total.rows[0]?.wage_median, total.rows[0]?.wage_p75].map((v) => (v as { value: number }).value)).toEqual([30000, 40000, 50000]);
    const rate = json<QueryResult>(await send('GET', '/v1/query?metric=college_going'));
    expect(Object.keys(rate.rows[0] ?? {})).toEqual(['cohort_year', 'groups', 'cohort_count', 'event_count', 'rate']);
  });

  it('explains cohort years whose grouping set is withheld, by reason', async () => {
    const county = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&breakdowns=county'));
    expect(county.rows).toEqual([]);
    expect(county.footnotes.find((f) => f.code === 'withheld_sparse')).toEqual(expect.objectContaining({ cohort_years: [2020, 2021] }));
    const finer = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&breakdowns=gender,county&years=2020'));
    expect(finer.query.breakdowns).toEqual(['gender', 'county']);
    expect(finer.footnotes.map((f) => f.code)).toContain('withheld_finer_than_sparse');
  });

  it('pages through large results with a cursor, every row once, in order', async () => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: QueryResult = json<QueryResult>(await send('GET', `/v1/query?metric=college_going&breakdowns=gender,region&limit=4${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.rows.map((r) => r.groups));
      cursor = page.page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(2);
    const all = json<QueryResult>(await send('GET', '/v1/query?metric=college_going&breakdowns=gender,region'));
    expect(seen).toEqual(all.rows.map((r) => r.groups));
    expect(seen).toHaveLength(6);
  });

  it('answers CSV on format=csv or Accept: text/csv, with the values and reasons of the JSON answer', async () => {
    const csv = await send('GET', '/v1/query?metric=college_going&years=2020&breakdowns=gender&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="college_going.csv"');
    const records = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => [r.gender, r.cohort_count, r.cohort_count_suppressed, r.event_count_suppressed])).toEqual([
      ['F', '100', '', ''], ['M', '', 'complementary', 'denominator_suppressed'], ['X', '', 'small_count', 'denominator_suppressed'],
    ]);
    const accepted = await postJson({ metric: 'college_going', years: [2020], breakdowns: ['gender'] }, { accept: 'text/csv' });
    expect(accepted.body).toBe(csv.body);
  });
});

describe('bad requests get a 4xx problem naming the parameter, never a 5xx', () => {
  it.each([
    ['unknown metric', 'GET', '/v1/query?metric=nope', 400, 'metric'],
    ['no metric', 'GET', '/v1/query?years=2020', 400, 'metric'],
    ['three breakdowns', 'GET', '/v1/query?metric=college_going&breakdowns=gender,region,county', 400, 'breakdowns'],
    ['a breakdown the metric lacks', 'GET', '/v1/query?metric=college_going&breakdowns=award_level', 400, 'breakdowns'],
    ['a breakdown with its parent', 'GET', '/v1/query?metric=college_going&breakdowns=region,county', 400, 'breakdowns'],
    ['two breakdowns and a filter on a third', 'GET', '/v1/query?metric=college_going&breakdowns=gender,region&filter=county:Alameda', 400, 'filter'],
    ['a filter group that is not published', 'GET', '/v1/query?metric=college_going&filter=region:Atlantis', 400, 'filter'],
    ['a filter without a colon', 'GET', '/v1/query?metric=college_going&filter=region', 400, 'filter'],
    ['a year without data', 'GET', '/v1/query?metric=college_going&years=1999', 400, 'years'],
    ['a year that is not a number', 'GET', '/v1/query?metric=college_going&years=twenty', 400, 'years'],
    ['SQL in the metric', 'GET', `/v1/query?metric=${encodeURIComponent("x' OR 1=1; DROP TABLE t --")}`, 400, 'metric'],
    ['SQL in a filter', 'GET', `/v1/query?metric=college_going&filter=${encodeURIComponent("gender:F' OR '1'='1")}`, 400, 'filter'],
    ['a limit too large', 'GET', '/v1/query?metric=college_going&limit=100000', 400, 'limit'],
    ['a cursor that is not one', 'GET', '/v1/query?metric=college_going&cursor=abc', 400, 'cursor'],
    ['an unknown parameter in the body', 'POST', '{"metric":"college_going","sql":"SELECT 1"}', 400, 'sql'],
    ['bad JSON', 'POST', '{"metric":', 400, 'body'],
    ['a body that is not an object', 'POST', '[1,2]', 400, 'body'],
    ['filters on three breakdowns', 'POST', '{"metric":"college_going","filters":{"gender":["F"],"region":["Bay Area"],"county":["x"]}}', 400, 'filters'],
    ['SQL in a body filter', 'POST', `{"metric":"college_going","filters":{"gender":["F' OR '1'='1"]}}`, 400, 'filters.gender'],
  ])('%s', async (_case, method, target, status, parameter) => {
    const response = method === 'GET' ? await send('GET', target) : await send('POST', '/v1/query', { body: target, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(status);
    const problem = json<{ type: string; status: number; errors: Array<{ parameter: string }> }>(response);
    expect(problem.status).toBe(status);
    expect(problem.errors.map((e) => e.parameter)).toContain(parameter);
  });

  it('refuses a body over 16 KiB with 413, and one that is not JSON with 415', async () => {
    const huge = JSON.stringify({ metric: 'college_going', filters: { gender: ['x'.repeat(MAX_BODY_BYTES)] } });
    expect((await send('POST', '/v1/query', { body: huge, headers: { 'content-type': 'application/json' } })).status).toBe(413);
    expect((await send('POST', '/v1/query', { body: 'metric=college_going', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
  });

  it('answers 406 when Accept allows no format the operation has', async () => {
    expect((await send('GET', '/v1/metrics', { headers: { accept: 'text/csv' } })).status).toBe(406);
    expect((await send('GET', '/v1/query?metric=college_going', { headers: { accept: 'image/png' } })).status).toBe(406);
  });

  it('answers 405 with Allow for a method the path lacks, 404 for a path the API lacks', async () => {
    const wrong = await api.handler(request('DELETE', '/v1/query'));
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, POST']);
    expect((await api.handler(request('GET', '/v2/everything'))).status).toBe(404);
  });

  it('quotes no more of a bad request than the parameter and the rule it broke', async () => {
    const secret = '123-45-6789';
    const response = await send('POST', '/v1/query', { body: `{"metric":"college_going","ssn":"${secret}"}`, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).not.toContain(secret);
  });
});

describe('safety and failure', () => {
  it('hides an unsuppressed count from 1 to threshold − 1 that reached the table, and logs it', async () => {
    const lake = await mkdtemp(path.join(os.tmpdir(), 'c2c-api-unsafe-'));
    const errors: string[] = [];
    try {
      await writeFixturePublication(lake, [...FIXTURE_ROWS, { metric_id: 'wages_1y', cohort_year: 2021, grouping_set: 'gender', gender: 'M', cohort_count: 25, event_count: 3, rate: 0.12 }]);
      const unsafe = await openLocalQueryApi(lake, { warn: () => undefined, error: (message) => void errors.push(message) });
      try {
        const result = json<QueryResult>(await unsafe.handler(request('GET', '/v1/query?metric=wages_1y&breakdowns=gender')));
        expect(result.rows.find((r) => r.groups.gender === 'M')?.event_count).toEqual({ value: null, suppressed: true, reason: 'small_count' });
        expect(errors).toHaveLength(1);
      } finally {
        unsafe.close();
      }
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After when the engine fails, and recovers when it is back', async () => {
    const table = await DuckDbPublishedTable.open(path.join(tmp, ...PUBLISHED_LOCATIONS.parquet.split('/')));
    let down = false;
    const flaky: PublishedTable = {
      tableName: table.tableName,
      select: (query) => (down ? Promise.reject(new EngineUnavailableError('engine down')) : table.select(query)),
    };
    try {
      const handler = await createQueryApi({ table: flaky, files: localPublishedFiles(tmp), log: { warn: () => undefined, error: () => undefined } });
      down = true;
      const failed = await handler(request('GET', '/v1/health'));
      expect([failed.status, failed.headers['retry-after']]).toEqual([503, '5']);
      expect(failed.body).not.toContain('engine down');
      down = false;
      expect((await handler(request('GET', '/v1/health'))).status).toBe(200);
    } finally {
      table.close();
    }
  });

  it('tags every query with the publication\'s run id, so Athena never reuses a result across publications', async () => {
    const table = await DuckDbPublishedTable.open(path.join(tmp, ...PUBLISHED_LOCATIONS.parquet.split('/')));
    const sent: string[] = [];
    const recording: PublishedTable = { tableName: table.tableName, select: (query) => (sent.push(query.sql), table.select(query)) };
    try {
      const handler = await createQueryApi({ table: recording, files: localPublishedFiles(tmp) });
      expect((await handler(request('GET', '/v1/query?metric=college_going&breakdowns=gender'))).status).toBe(200);
      expect(sent).toHaveLength(2);
      for (const sql of sent) expect(sql.startsWith('/* publication fixture-run-1 */ SELECT ')).toBe(true);
    } finally {
      table.close();
    }
  });

  it('serves a new publication once the old one is older than the maximum age', async () => {
    const lake = await mkdtemp(path.join(os.tmpdir(), 'c2c-api-reload-'));
    let clock = 0;
    try {
      await writeFixturePublication(lake, FIXTURE_ROWS, 'run-1');
      const table = await DuckDbPublishedTable.open(path.join(lake, ...PUBLISHED_LOCATIONS.parquet.split('/')));
      try {
        const handler = await createQueryApi({ table, files: localPublishedFiles(lake), publicationMaxAgeMs: 1000, now: () => clock });
        const runOf = async (): Promise<string> => json<{ run_id: string }>(await handler(request('GET', '/v1/health'))).run_id;
        expect(await runOf()).toBe('run-1');
        await writeFixturePublication(lake, FIXTURE_ROWS, 'run-2');
        clock = 999;
        expect(await runOf()).toBe('run-1');
        clock = 1001;
        expect(await runOf()).toBe('run-2');
      } finally {
        table.close();
      }
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  });
});
