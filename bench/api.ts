/**
 * Query API benchmark: requests per second and latency (p50, p99) of the local server on loopback
 * (what `c2c serve` runs: node:http around the handler the Lambda runs, DuckDB over the published
 * Parquet), for a query with two breakdowns, against a baseline measured in the same run on the
 * same server (bench/api-server.ts):
 *   - baseline: a copy of the query's answer, answered as a static file by the same server through
 *     the same response path without the handler: the floor of HTTP on loopback for those bytes,
 *     load generator included;
 *   - the same query repeated: after the first request, answers from the handler's cache;
 *   - the same shape (metric and breakdowns) with other cohort years and filters on each request,
 *     cycling through more combinations than the answer cache holds: every request a miss of it, so
 *     OpenAPI validation, planning, picking the rows from the grouping set's (kept after its first
 *     query: a publication has a few hundred grouping sets) and JSON shaping each time.
 * The lake is the demo pipeline's on a synthetic state (seed 1), built once into --dir and reused.
 * The server runs in a process of its own; autocannon (one connection per simulated client,
 * no pipelining) runs in this one, so both compete for the machine's cores.
 *   npm run bench:api -- [--people 30000] [--dir /tmp] [--duration 10] [--connections 10,50]
 *                        [--metric hs_college_going_12m] [--breakdowns race_ethnicity,gender]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const REPO = path.join(__dirname, '..');
const C2C = path.join(REPO, 'bin', 'c2c.js');
const STATIC_ANSWER_PATH = '/bench/static-answer';
/** The answers the handler caches (createQueryApi's default): the varied queries must outnumber them to miss every time. */
const HANDLER_CACHED_ANSWERS = 2000;
/** A warm-up run before each measured one: JIT, DuckDB's prepared statements, and for the repeated query its cache entry. */
const WARMUP_SECONDS = 2;

interface Scenario {
  readonly name: string;
  /** The path of each request in turn. */
  readonly next: () => string;
}

interface Measurement {
  readonly scenario: string;
  readonly connections: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanBytes: number;
  /** CPU time of the server process per request (Linux: from /proc); null where it cannot be read. */
  readonly serverCpuMsPerRequest: number | null;
  /** CPU time of this process (the load generator) per request. */
  readonly loadCpuMsPerRequest: number;
  readonly load: number;
}

/** Builds the demo lake once; a lake with published outcomes in the folder is reused. */
function prepareLake(dir: string, people: number): string {
  const lake = path.join(dir, 'lake');
  if (existsSync(path.join(lake, 'published', 'outcomes', 'metadata.json'))) return lake;
  console.error(`building the demo lake of ${people.toLocaleString('en-US')} people in ${dir} (once) ...`);
  execFileSync(process.execPath, [C2C, 'demo', '--dir', dir, '--people', String(people), '--seed', '1', '--no-serve'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return lake;
}

interface Server {
  readonly url: string;
  readonly process: ChildProcess;
}

/** bench/api-server.ts on a free port; resolves once it prints where it listens. */
function startServer(lake: string, query: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'api-server.ts'), lake, query, STATIC_ANSWER_PATH], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server did not start within 60 s:\n${output}`));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ url: (JSON.parse(line) as { url: string }).url, process: child });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
}

/** Clock ticks per second, the unit of the CPU times in /proc. */
const CLOCK_TICKS = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in ms, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Subsets of `values` with 1 to `most` members, in a fixed shuffled order (so that consecutive requests are unrelated). */
function subsets<T>(values: readonly T[], most: number): T[][] {
  const all: T[][] = [];
  const grow = (start: number, chosen: T[]): void => {
    if (chosen.length > 0) all.push(chosen);
    if (chosen.length === most) return;
    for (let i = start; i < values.length; i++) grow(i + 1, [...chosen, values[i] as T]);
  };
  grow(0, []);
  let seed = 1;
  for (let i = all.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 0x7fffffff;
    const j = seed % (i + 1);
    [all[i], all[j]] = [all[j] as T[], all[i] as T[]];
  }
  return all;
}

interface MetricDetail {
  readonly cohort_years: number[];
  readonly breakdowns: Array<{ id: string; groups: string[] }>;
}

/** The scenarios; checks that the query has rows and that the varied queries outnumber the cached answers. */
async function scenarios(url: string, metric: string, breakdowns: readonly string[], queryString: string): Promise<{ list: Scenario[]; rows: number; distinct: number }> {
  const detail = await getJson<MetricDetail>(`${url}/v1/metrics/${encodeURIComponent(metric)}`);
  const query = `/v1/query?${queryString}`;
  const answer = await getJson<{ rows: unknown[] }>(`${url}${query}`);
  if (answer.rows.length === 0) throw new Error(`${query} has no rows in this publication (its grouping set is withheld as sparse); try more people`);

  // Filters on one group of the second breakdown, or none: the grouping set stays the query's.
  const [, second] = breakdowns;
  const groups = detail.breakdowns.find((b) => b.id === second)?.groups ?? [];
  const filters = ['', ...groups.map((g) => `&filter=${encodeURIComponent(`${second}:${g}`)}`)];
  const varied = subsets(detail.cohort_years, 4).flatMap((years) => filters.map((filter) => `${query}&years=${years.join(',')}${filter}`));
  if (varied.length <= HANDLER_CACHED_ANSWERS) throw new Error(`only ${varied.length} varied queries: they would come round again while still cached`);
  let i = 0;
  return {
    rows: answer.rows.length,
    distinct: varied.length,
    list: [
      { name: 'baseline: the same answer as a static file', next: () => STATIC_ANSWER_PATH },
      { name: 'query, repeated (cache hits)', next: () => query },
      { name: 'query, other years and filters each time (answer-cache misses)', next: () => varied[i++ % varied.length] as string },
    ],
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function measure(url: string, scenario: Scenario, connections: number, seconds: number, pid: number | undefined): Promise<Measurement> {
  const options = (duration: number): autocannon.Options => ({
    url, connections, duration, pipelining: 1,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: scenario.next() }) }],
  });
  await autocannon(options(WARMUP_SECONDS));

  const latencies: number[] = [];
  let bytes = 0;
  const serverBefore = processCpuMs(pid);
  const loadBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options(seconds), (error: unknown, done: autocannon.Result) => (error ? reject(error) : resolve(done)));
    // autocannon's own histogram keeps whole milliseconds, and loopback latencies are often below one: each is kept exactly.
    instance.on('response', (_client, _status, responseBytes, responseTime) => {
      latencies.push(responseTime);
      bytes += responseBytes;
    });
  });
  const load = process.cpuUsage(loadBefore);
  const serverAfter = processCpuMs(pid);

  if (result.errors > 0 || result.non2xx > 0) throw new Error(`${scenario.name}: ${result.errors} errors, ${result.non2xx} answers other than 2xx`);
  const sorted = Float64Array.from(latencies).sort();
  const requests = result.requests.total;
  return {
    scenario: scenario.name, connections, requests,
    requestsPerSecond: Math.round(requests / result.duration),
    p50Ms: Number(percentile(sorted, 0.5).toFixed(2)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(2)),
    // Headers included. autocannon's own byte total came out short for the fastest runs.
    meanBytes: Math.round(bytes / latencies.length),
    serverCpuMsPerRequest: serverBefore === null || serverAfter === null ? null : Number(((serverAfter - serverBefore) / requests).toFixed(3)),
    loadCpuMsPerRequest: Number(((load.user + load.system) / 1000 / requests).toFixed(3)),
    load: Number((loadavg()[0] ?? 0).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '30000' },
      dir: { type: 'string', default: tmpdir() },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10,50' },
      metric: { type: 'string', default: 'hs_college_going_12m' },
      breakdowns: { type: 'string', default: 'race_ethnicity,gender' },
    },
  });
  const people = Number(values.people.replace(/_/g, ''));
  const connectionCounts = values.connections.split(',').map(Number);
  const breakdowns = values.breakdowns.split(',');
  if (breakdowns.length !== 2) throw new Error('--breakdowns takes two breakdowns');

  const lake = prepareLake(path.join(values.dir, `c2c-bench-api-${people}`), people);
  const query = `metric=${encodeURIComponent(values.metric)}&breakdowns=${breakdowns.map(encodeURIComponent).join(',')}`;
  const server = await startServer(lake, query);
  try {
    const { list, rows, distinct } = await scenarios(server.url, values.metric, breakdowns, query);
    console.log(`# Query API benchmark: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${people.toLocaleString('en-US')} people; ${values.metric} by ${breakdowns.join(' and ')}: ` +
      `${rows} rows; ${distinct.toLocaleString('en-US')} distinct varied queries`);
    const results: Measurement[] = [];
    for (const connections of connectionCounts) {
      for (const scenario of list) {
        const result = await measure(server.url, scenario, connections, Number(values.duration), server.process.pid);
        console.log(JSON.stringify(result));
        results.push(result);
      }
    }
    const baseline = (connections: number): Measurement => results.find((r) => r.connections === connections && r.scenario === list[0]?.name) as Measurement;
    const ms = (value: number | null): string => (value === null ? '–' : value.toFixed(2));
    console.log([
      '',
      '| request | connections | requests/s | p50 (ms) | p99 (ms) | requests/s vs baseline | p99 vs baseline | bytes per answer | server CPU ms per request | load generator CPU ms per request |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...results.map((r) => {
        const b = baseline(r.connections);
        return `| ${r.scenario} | ${r.connections} | ${r.requestsPerSecond.toLocaleString('en-US')} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ` +
          `${(r.requestsPerSecond / b.requestsPerSecond).toFixed(2)} | ${(r.p99Ms / b.p99Ms).toFixed(2)} | ${r.meanBytes.toLocaleString('en-US')} | ` +
          `${ms(r.serverCpuMsPerRequest)} | ${ms(r.loadCpuMsPerRequest)} |`;
      }),
    ].join('\n'));
  } finally {
    server.process.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
