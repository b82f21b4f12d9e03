/** `c2c serve`: the Query API over a local lake's published zone, and the web app over it, on loopback, until interrupted. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { startApiServer } from '../../adapters/api/local-server';
import { openLocalQueryApi } from '../../adapters/api/local-query-api';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { buildWebApp } from '../../web/build';
import { UsageError } from './errors';

export const DEFAULT_PORT = 8080;

export function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0: any free port).');
  return port;
}

/** Serves the lake until SIGINT or SIGTERM; prints where. */
export async function serveLake(lakeDir: string, port: number, host: string): Promise<void> {
  if (!existsSync(path.join(lakeDir, ...PUBLISHED_LOCATIONS.metadata.split('/')))) {
    throw new UsageError(`${lakeDir} has no published outcomes (${PUBLISHED_LOCATIONS.metadata}); run \`c2c publish --lake ${lakeDir}\` first`);
  }
  // Built on every start, into memory: a fresh clone serves the dashboards with no build step to forget.
  const site = await buildWebApp();
  const api = await openLocalQueryApi(lakeDir, {
    warn: (message, fields) => console.warn(`warning: ${message}`, fields),
    error: (message, fields) => console.error(`error: ${message}`, fields),
  });
  let server;
  try {
    server = await startApiServer({ handler: api.handler, port, host, site });
  } catch (error) {
    api.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; choose another with --port (0: any free port)`);
    throw error;
  }
  console.log(`\nQuery API on ${server.url}/v1/metrics (reference: ${server.url}/docs, document: ${server.url}/openapi.json); dashboards and query builder on ${server.url}/. Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  api.close();
}

export function registerServe(program: Command): void {
  program.command('serve')
    .description('Serve the Query API (and its reference page) and the dashboards over a local lake\'s published outcomes, on loopback.')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders)')
    .option('--port <n>', 'TCP port (0: any free port)', portNumber, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action(async (opts: { lake: string; port: number; host: string }) => {
      await serveLake(opts.lake, opts.port, opts.host);
    });
}
