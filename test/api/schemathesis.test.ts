/**
 * schemathesis (PyPI, pinned in test/api/schemathesis/requirements.txt) against the Query API's
 * local server, with the API's own OpenAPI document: it generates requests from the document, valid
 * and invalid, and checks every answer against it (no 5xx, every status, media type, header and
 * body as documented, invalid requests refused, unsupported methods answered 405 with Allow). The
 * settings, and why each check is configured as it is, are in test/api/schemathesis/schemathesis.toml.
 *
 * The server is the one `c2c serve` runs (startApiServer over openLocalQueryApi), in this process,
 * over a lake that `c2c demo --no-serve` publishes first (3,000 people, about 10 s): a real
 * publication, with every metric, suppressed values, withheld grouping sets and sparse years. The
 * venv is created on the first run (test/api/schemathesis/setup.sh, about 20 s), then reused.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLocalQueryApi, type LocalQueryApi } from '../../adapters/api/local-query-api';
import { startApiServer, type RunningApiServer } from '../../adapters/api/local-server';
import { OPENAPI_DOCUMENT } from '../../core/api/document';

const REPO = path.join(__dirname, '..', '..');
const SCHEMATHESIS_DIR = path.join(__dirname, 'schemathesis');
const SCHEMATHESIS = path.join(SCHEMATHESIS_DIR, '.venv', 'bin', 'schemathesis');
const CONFIG = path.join(SCHEMATHESIS_DIR, 'schemathesis.toml');

const SETUP_TIMEOUT_MS = 10 * 60_000;
const DEMO_TIMEOUT_MS = 5 * 60_000;
/** 20 to 45 s on two cores; room for a busy machine. */
const RUN_TIMEOUT_MS = 8 * 60_000;

interface Finished {
  readonly code: number | null;
  /** stdout and stderr as they came. */
  readonly output: string;
}

/** Runs a command without blocking this process (whose event loop serves the API meanwhile). */
function run(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => void (output += chunk.toString('utf8'));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output: signal ? `${output}\n(ended by ${signal}; the limit is ${options.timeoutMs / 1000} s)` : output });
    });
  });
}

async function succeed(what: string, finished: Promise<Finished>): Promise<void> {
  const { code, output } = await finished;
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${output}`);
}

/**
 * schemathesis's environment: the caller's without settings that would change the run
 * (SCHEMATHESIS_*, HYPOTHESIS_*) and with loopback kept away from any proxy.
 */
function schemathesisEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(SCHEMATHESIS_|HYPOTHESIS_|PYTHON)/i.test(name)) env[name] = value;
  }
  return { ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', PYTHONDONTWRITEBYTECODE: '1' };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** "GET /v1/metrics/{metricId}" for each operation of the document, as schemathesis names them. */
function documentedOperations(): string[] {
  return Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([route, item]) =>
    METHODS.filter((method) => item?.[method] !== undefined).map((method) => `${method.toUpperCase()} ${route}`));
}

let tmp: string;
let api: LocalQueryApi | undefined;
let server: RunningApiServer | undefined;
/** What the handler logged: an unexpected error (the 500 path), an engine failure, an unsafe value. */
const logged: string[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-schemathesis-'));
  // Side by side: the venv (at once when it is up to date) and the demo lake.
  await Promise.all([
    succeed('test/api/schemathesis/setup.sh', run('bash', [path.join(SCHEMATHESIS_DIR, 'setup.sh')], { cwd: REPO, timeoutMs: SETUP_TIMEOUT_MS })),
    succeed('c2c demo', run(process.execPath, [path.join(REPO, 'bin', 'c2c.js'), 'demo', '--dir', path.join(tmp, 'demo'), '--people', '3000', '--seed', '1', '--no-serve'], { cwd: REPO, timeoutMs: DEMO_TIMEOUT_MS })),
  ]);
  api = await openLocalQueryApi(path.join(tmp, 'demo', 'lake'), {
    warn: (message, fields) => logged.push(`warning: ${message} ${JSON.stringify(fields)}`),
    error: (message, fields) => logged.push(`error: ${message} ${JSON.stringify(fields)}`),
  });
  server = await startApiServer({ handler: api.handler, port: 0 });
}, SETUP_TIMEOUT_MS + DEMO_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  api?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('schemathesis finds no server error and no answer outside the OpenAPI document', async () => {
  const url = (server as RunningApiServer).url;
  const reports = path.join(tmp, 'schemathesis-reports');
  const { code, output } = await run(SCHEMATHESIS, [
    '--config-file', CONFIG, 'run', `${url}/openapi.json`, '--url', url, '--no-color',
    '--report', 'junit', '--report-dir', reports,
  ], { cwd: tmp, timeoutMs: RUN_TIMEOUT_MS, env: schemathesisEnvironment() });
  // The whole report on failure: each failing case with its check, the response and a curl line to reproduce it.
  if (code !== 0) throw new Error(`schemathesis exited with ${code}:\n${output}`);

  // It tested every operation of the document, and the stateful sequences (list → detail), with no failure or error.
  const [junit] = await readdir(reports);
  const xml = await readFile(path.join(reports, junit as string), 'utf8');
  const tested = [...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]);
  expect(tested.sort()).toEqual([...documentedOperations(), 'Stateful tests'].sort());
  expect(/<testsuites errors="(\d+)" failures="(\d+)"/.exec(xml)?.slice(1)).toEqual(['0', '0']);
  const [, generated, passed] = /(\d+) generated, (\d+) passed/.exec(output) ?? [];
  expect(Number(passed)).toBe(Number(generated));
  expect(Number(generated)).toBeGreaterThan(1000);
  expect(logged).toEqual([]);
}, RUN_TIMEOUT_MS + 60_000);
