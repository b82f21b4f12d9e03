/**
 * The server of bench/api.ts, in a process of its own: what `c2c serve` runs (startApiServer around
 * openLocalQueryApi's handler) plus one path that answers a copy of the benchmark query's answer
 * without the handler. That copy is the baseline: the same bytes through the same node:http server
 * and the same response path, so what a cache hit costs beyond it is the handler's own work.
 * Prints {"url": ...} once listening; stops on SIGTERM.
 *   node --import tsx bench/api-server.ts <lake> <query string> <path of the copy>
 */
import { openLocalQueryApi } from '../adapters/api/local-query-api';
import { startApiServer } from '../adapters/api/local-server';
import type { ApiHandler, ApiResponse } from '../core/api/handler';

async function main(): Promise<void> {
  const [lake, query, staticPath] = process.argv.slice(2);
  if (!lake || query === undefined || !staticPath) throw new Error('usage: api-server.ts <lake> <query string> <path of the copy>');
  const api = await openLocalQueryApi(lake, {
    warn: (message, fields) => console.error(`warning: ${message}`, fields),
    error: (message, fields) => console.error(`error: ${message}`, fields),
  });
  const answer = await api.handler({ method: 'GET', path: '/v1/query', query, headers: {}, body: undefined });
  if (answer.status !== 200) throw new Error(`the benchmark query answered ${answer.status}: ${answer.body}`);
  // An object of its own, encoded once by the server as a cached answer is, but never seen by the handler.
  const staticAnswer: ApiResponse = { status: 200, headers: { ...answer.headers }, body: answer.body };
  const handler: ApiHandler = (request) => (request.path === staticPath ? Promise.resolve(staticAnswer) : api.handler(request));
  const server = await startApiServer({ handler, port: 0 });
  console.log(JSON.stringify({ url: server.url }));
  process.once('SIGTERM', () => {
    void server.close().then(() => api.close());
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
