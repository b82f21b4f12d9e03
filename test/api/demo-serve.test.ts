/**
 * `c2c demo` as a user runs it: the whole pipeline, then the Query API served on loopback until
 * Ctrl-C. Over real HTTP, property tests (fast-check) send many valid and many malformed queries:
 * every answer conforms to the OpenAPI document, every value equals the published table's, no
 * count from 1 to threshold − 1 ever appears, and nothing gets a 5xx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import type { ApiResponse } from '../../core/api/handler';
import type { PublishedValue, QueryResult } from '../../core/api/query';
import { BREAKDOWN_IDS } from '../../core/outcomes/breakdowns';
import { nonConformance } from './responses';

const REPO = path.join(__dirname, '..', '..');

let tmp: string;
let demo: ChildProcess;
let output = '';
let base = '';
let exited: Promise<number | null>;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-demo-serve-'));
  demo = spawn(process.execPath, [path.join(REPO, 'bin', 'c2c.js'), 'demo', '--dir', path.join(tmp, 'demo'), '--people', '3000', '--seed', '4', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start serving:\n${output}`)), 240_000);
    const listen = (chunk: Buffer): void => {
      output += chunk.toString();
      const url = /Query API on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    demo.stdout?.on('data', listen);
    demo.stderr?.on('data', listen);
    void exited.then((code) => reject(new Error(`the demo exited (${code}) before serving:\n${output}`)));
  });
}, 300_000);

afterAll(async () => {
  if (demo.exitCode === null) demo.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

async function call(method: string, target: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const response = await fetch(`${base}${target}`, { method, body: init.body, headers: init.headers });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

interface MetricDetail {
  id: string;
  cohort_years: number[];
  grouping_sets: string[][];
  breakdowns: Array<{ id: string; groups: string[] }>;
  threshold: number;
}

async function metrics(): Promise<MetricDetail[]> {
  const list = JSON.parse((await call('GET', '/v1/metrics')).body) as { metrics: Array<{ id: string }> };
  return Promise.all(list.metrics.map(async (m) => JSON.parse((await call('GET', `/v1/metrics/${m.id}`)).body) as MetricDetail));
}

/** The published table as the pipeline wrote it, by metric, year, grouping set and groups. */
async function publishedRows(): Promise<Map<string, Record<string, string>>> {
  const csv = await readFile(path.join(tmp, 'demo', 'lake', 'published', 'outcomes', 'outcomes.csv'), 'utf8');
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  return new Map(rows.map((r) => [[r.metric_id, r.cohort_year, r.grouping_set, ...BREAKDOWN_IDS.map((b) => r[b])].join('|'), r]));
}

const keyOf = (metric: string, groupingSet: string, row: { cohort_year: number; groups: Record<string, string> }): string =>
  [metric, row.cohort_year, groupingSet, ...BREAKDOWN_IDS.map((b) => row.groups[b] ?? '')].join('|');

it('serves the reference page and the document', async () => {
  expect((await call('GET', '/docs')).body).toContain('swagger-ui-bundle.js');
  expect(JSON.parse((await call('GET', '/openapi.json')).body).openapi).toBe('3.0.3');
  const health = await call('GET', '/v1/health');
  expect([health.status, await nonConformance('GET', '/v1/health', health)]).toEqual([200, []]);
});

it('answers any valid query with exactly the published values, never a small count, always as documented', async () => {
  const catalog = (await metrics()).filter((m) => m.cohort_years.length > 0);
  const published = await publishedRows();
  const query = fc.constantFrom(...catalog).chain((metric) => fc.record({
    metric: fc.constant(metric),
    set: fc.constantFrom(...metric.grouping_sets),
    years: fc.option(fc.subarray(metric.cohort_years, { minLength: 1 }), { nil: undefined }),
    filterIndex: fc.nat(),
    post: fc.boolean(),
    csv: fc.boolean(),
  }));
  await fc.assert(fc.asyncProperty(query, async ({ metric, set, years, filterIndex, post, csv }) => {
    // The last breakdown of the set may become a filter on one of its published groups.
    const filtered = set.length > 0 ? metric.breakdowns.find((b) => b.id === set[set.length - 1] && b.groups.length > 0) : undefined;
    const group = filtered ? filtered.groups[filterIndex % filtered.groups.length] : undefined;
    const breakdowns = filtered ? set.slice(0, -1) : set;
    const response = post
      ? await call('POST', `/v1/query${csv ? '?format=csv' : ''}`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metric: metric.id, breakdowns, ...(years ? { years } : {}), ...(filtered && group !== undefined ? { filters: { [filtered.id]: [group] } } : {}) }),
      })
      : await call('GET', `/v1/query?${new URLSearchParams(([
        ['metric', metric.id], ['breakdowns', breakdowns.join(',')], ['years', years?.join(',')],
        ['filter', filtered && group !== undefined ? `${filtered.id}:${group}` : undefined], ['format', csv ? 'csv' : undefined],
      ] as Array<[string, string | undefined]>).filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')).toString()}`);
    expect(response.status).toBe(200);
    expect(await nonConformance(post ? 'POST' : 'GET', '/v1/query', response)).toEqual([]);
    const small = (n: number | null): boolean => n !== null && n >= 1 && n < metric.threshold;
    if (csv) {
      const rows = parse(response.body, { columns: true }) as Array<Record<string, string>>;
      for (const row of rows) expect([row.cohort_count, row.event_count].filter((v) => v !== '' && small(Number(v)))).toEqual([]);
      return;
    }
    const result = JSON.parse(response.body) as QueryResult;
    // Every published row of the query comes back (grouping sets are named in the metric's order).
    const expected = [...published.values()].filter((r) => r.metric_id === metric.id && r.grouping_set === set.join(',')
      && (!years || years.includes(Number(r.cohort_year))) && (!filtered || r[filtered.id] === group));
    expect(result.rows.length).toBe(Math.min(expected.length, result.page.limit));
    for (const row of result.rows) {
      const source = published.get(keyOf(metric.id, set.join(','), row));
      expect(source).toBeDefined();
      for (const measure of ['cohort_count', 'event_count', 'rate'] as const) {
        const value = row[measure] as PublishedValue;
        expect(small(measure === 'rate' ? null : value.value)).toBe(false);
        expect([value.value === null ? '' : String(value.value), value.reason ?? '']).toEqual([source?.[measure], source?.[`${measure}_suppressed`]]);
      }
    }
  }), { numRuns: 150, seed: 20261130 });
}, 120_000);

it('answers malformed and hostile requests with a documented 4xx, never a 5xx', async () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom("x' OR '1'='1", '1; DROP TABLE outcomes', '../../identity', '%00', '=HYPERLINK("x")', '💥', ''),
  );
  const request = fc.oneof(
    hostile.map((metric) => ({ method: 'GET', target: `/v1/query?metric=${encodeURIComponent(metric)}` })),
    fc.tuple(hostile, hostile).map(([b, g]) => ({ method: 'GET', target: `/v1/query?metric=hs_college_going_12m&breakdowns=${encodeURIComponent(b)}&filter=${encodeURIComponent(g)}` })),
    hostile.map((id) => ({ method: 'GET', target: `/v1/metrics/${encodeURIComponent(id)}` })),
    fc.jsonValue({ maxDepth: 3 }).map((body) => ({ method: 'POST', target: '/v1/query', body: JSON.stringify(body) })),
    fc.string({ maxLength: 200 }).map((body) => ({ method: 'POST', target: '/v1/query', body })),
    fc.record({ metric: hostile, years: fc.array(fc.integer(), { maxLength: 3 }), breakdowns: fc.array(hostile, { maxLength: 3 }), limit: fc.integer() })
      .map((body) => ({ method: 'POST', target: '/v1/query', body: JSON.stringify(body) })),
  );
  await fc.assert(fc.asyncProperty(request, async ({ method, target, body }: { method: string; target: string; body?: string }) => {
    const response = await call(method, target, body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(500);
    expect(await nonConformance(method, target.split('?')[0] as string, response)).toEqual([]);
  }), { numRuns: 300, seed: 20261130 });
}, 120_000);

it('stops serving on Ctrl-C and exits 0', async () => {
  demo.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(output).toMatch(/the LP audit passed/);
});
