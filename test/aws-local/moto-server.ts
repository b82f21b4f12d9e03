/**
 * moto's server on loopback, for tests of the AWS adapters against a real AWS API (DESIGN.md §5):
 * real HTTP, real SDK serialisation, retries and errors, no AWS account.
 *
 * `useMotoServer()` in a test file starts one server for the file (beforeAll) and stops it
 * afterwards (afterAll). The server is moto's `moto.server`, run as `python -m moto.server -H
 * 127.0.0.1 -p <free port>` would run it (plus a watchdog thread, below), with the Python of the
 * project venv test/aws-local/.venv (created by test/aws-local/setup.sh, which this helper runs
 * too, so that `npx jest <file>` works on a fresh clone). It runs in its own process group, which
 * stop() kills; and it exits by itself when its stdin closes, i.e. when the jest worker that started
 * it dies without running afterAll, so no test run leaves a server behind.
 *
 * Clients for it come from `testS3Client()`, `testDynamoDbClient()` and `testAthenaClient()`: endpoint on loopback, fixed
 * region and fake static credentials, and every setting the SDK would otherwise look up in the
 * environment or in ~/.aws set explicitly, so a developer's AWS profile can neither leak in nor
 * change the tests.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const AWS_LOCAL = __dirname;
const SETUP = path.join(AWS_LOCAL, 'setup.sh');
const VENV_PYTHON = path.join(AWS_LOCAL, '.venv', 'bin', 'python');

/** The first run installs moto into the venv (about a minute); later runs return at once. */
const SETUP_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
/** Output kept for error messages: the end of what the server printed. */
const OUTPUT_TAIL_BYTES = 16_384;

export const TEST_REGION = 'us-west-2';

/**
 * Runs moto's server, plus a thread that ends the process as soon as its stdin reaches end of file:
 * the parent closed it (stop()) or died. SIGTERM ends it at once too (moto's own handler exits
 * through the interpreter's shutdown, which takes about a second; moto keeps everything in memory,
 * so there is nothing to flush). The arguments after `-c` are moto.server's own.
 */
const SERVER_PROGRAM = `
import os, sys, threading

def exit_with_parent():
    sys.stdin.buffer.read()
    os._exit(0)

threading.Thread(target=exit_with_parent, daemon=True).start()
import moto.server
moto.server.signal_handler = lambda signum, frame: os._exit(0)
moto.server.main(sys.argv[1:])
`;

export interface MotoServer {
  /** e.g. `http://127.0.0.1:50123` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawning the server to its first answer. */
  readonly startupMs: number;
  /** Stops the server and its process group; waits until it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Settings shared by the test clients. Each is one the SDK would otherwise look up in the
 * environment (AWS_*) or in ~/.aws/config; set here, the lookup never happens (checked with strace:
 * the test process opens no file under ~/.aws). Values are the SDK's defaults, so the clients
 * behave as in production apart from endpoint, region and credentials.
 */
function commonClientConfig(endpoint: string) {
  return {
    endpoint,
    region: TEST_REGION,
    // Static credentials: the SDK's default chain (environment, ~/.aws, SSO, instance metadata) is
    // never consulted. moto accepts any key.
    credentials: { accessKeyId: 'AKIAMOTOTESTKEY00000', secretAccessKey: 'moto-test-secret-not-a-real-key' },
    maxAttempts: 3,
    retryMode: 'standard',
    defaultsMode: 'standard' as const,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    authSchemePreference: [] as string[],
    disableClockSkewCorrection: false,
    userAgentAppId: async (): Promise<string | undefined> => undefined,
  };
}

/** An S3 client for the server (path-style addressing: bucket names are not resolvable host names on loopback). */
export function testS3Client(endpoint: string): S3Client {
  return new S3Client({
    ...commonClientConfig(endpoint),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_SUPPORTED',
    responseChecksumValidation: 'WHEN_SUPPORTED',
    disableS3ExpressSessionAuth: false,
    useArnRegion: false,
    sigv4aSigningRegionSet: async (): Promise<string[] | undefined> => undefined,
  });
}

export function testDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    ...commonClientConfig(endpoint),
    accountIdEndpointMode: 'preferred',
    endpointDiscoveryEnabledProvider: async (): Promise<boolean | undefined> => undefined,
  });
}

export function testAthenaClient(endpoint: string): AthenaClient {
  return new AthenaClient(commonClientConfig(endpoint));
}

/** Creates or refreshes the venv (no-op when up to date). */
export async function setUpVenv(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [SETUP], { timeout: SETUP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`bash ${path.relative(process.cwd(), SETUP)} failed (${error.message.split('\n')[0]}):\n${stderr}`));
      else resolve();
    });
  });
}

/** Starts a server on a free loopback port and waits until it answers. */
export async function startMotoServer(): Promise<MotoServer> {
  await setUpVenv();
  // The port is free when asked, but another process may take it before moto binds it: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

/**
 * Registers beforeAll/afterAll hooks that run one server for the current test file; returns a
 * getter for it (valid inside tests and later hooks).
 */
export function useMotoServer(): () => MotoServer {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMotoServer();
  }, SETUP_TIMEOUT_MS + START_TIMEOUT_MS);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the moto server is not running (useMotoServer() must be called at the top level of the test file)');
    return server;
  };
}

class PortTakenError extends Error {}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no port from the OS'))));
    });
  });
}

/**
 * Environment for the server: the caller's, minus anything AWS, moto or Python would read, and a
 * HOME without files, so that the botocore inside moto reads no ~/.aws (config, credentials, models).
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|MOTO_|PYTHON|BOTO)/.test(name)) env[name] = value;
  }
  return { ...env, HOME: path.join(AWS_LOCAL, '.venv', 'no-home'), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

async function startOnce(port: number): Promise<MotoServer> {
  const started = performance.now();
  const child = spawn(VENV_PYTHON, ['-c', SERVER_PROGRAM, '-H', '127.0.0.1', '-p', String(port)], {
    cwd: AWS_LOCAL,
    env: serverEnvironment(),
    // Its own process group, so that stop() signals everything it might start.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let tail = '';
  // Werkzeug prints "Running on http://..." once it has bound the port: from then on, whatever
  // answers on it is this server (and not another process that took the port first).
  let bound = false;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    bound ||= tail.includes(`Running on http://127.0.0.1:${port}`);
  };
  // Always drained: moto logs every request, and a full pipe would block the server.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // 'close': the server has exited and every process holding its output (its group) is gone.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      if (!spawnError) await exited;
      if (/address already in use/i.test(tail)) throw new PortTakenError(`port ${port} is taken`);
      throw new Error(`moto server did not start (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}):\n${tail}`);
    }
    if (bound && (await answers(port))) break;
    if (Date.now() > deadline) {
      await killGroup(child, exited);
      throw new Error(`moto server did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000}s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const startupMs = Math.round(performance.now() - started);
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid as number,
    startupMs,
    stop: () => (stopping ??= killGroup(child, exited)),
  };
}

/** True when something answers HTTP on the port (any status). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/moto-api/data.json', agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  child.stdin?.end();
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone
    }
  };
  signalGroup('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)));
  if (await Promise.race([exited.then(() => false), timedOut])) {
    signalGroup('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
