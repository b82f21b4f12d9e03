/**
 * Parameter names are the client's: a filter named like a member of Object.prototype, and a query
 * parameter on an operation that takes none, each get a documented 400 naming the parameter (the
 * first was a 500, the second an undocumented 400, both found while running schemathesis).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLocalQueryApi, type LocalQueryApi } from '../../adapters/api/local-query-api';
import type { ApiResponse } from '../../core/api/handler';
import { writeFixturePublication } from './fixture';
import { nonConformance } from './responses';

let tmp: string;
let api: LocalQueryApi;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-api-names-'));
  await writeFixturePublication(tmp);
  api = await openLocalQueryApi(tmp);
});
afterAll(async () => {
  api.close();
  await rm(tmp, { recursive: true, force: true });
});

async function send(method: string, target: string, body?: string): Promise<ApiResponse> {
  const [pathname, query = ''] = target.split('?') as [string, string?];
  const response = await api.handler({ method, path: pathname, query, headers: body ? { 'content-type': 'application/json' } : {}, body });
  expect(await nonConformance(method, pathname, response)).toEqual([]);
  return response;
}

const parameters = (response: ApiResponse): string[] => (JSON.parse(response.body) as { errors: Array<{ parameter: string }> }).errors.map((e) => e.parameter);

it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('a filter on %s is a 400 naming the filter, by GET and by POST', async (name) => {
  const byUrl = await send('GET', `/v1/query?metric=college_going&filter=${name}:x&filter=gender:F`);
  expect([byUrl.status, parameters(byUrl)]).toEqual([400, ['filter']]);
  const byBody = await send('POST', '/v1/query', `{"metric":"college_going","filters":{"${name}":["x"]}}`);
  expect([byBody.status, parameters(byBody)]).toEqual([400, [`filters.${name}`]]);
});

it.each(['/v1/health', '/v1/metrics', '/v1/metrics/college_going'])('GET %s with a parameter it does not take is a 400 naming it', async (target) => {
  const response = await send('GET', `${target}?callback=x`);
  expect([response.status, parameters(response)]).toEqual([400, ['callback']]);
});
