/**
 * Scale benchmark, the measurements behind docs/scale.md: for each size in identity records, a
 * synthetic state (people = records / RECORDS_PER_PERSON; generated, landed and ingested, untimed,
 * as bench/link.ts prepares it, kept under --dir with --keep and reused), then for each engine the
 * pipeline after ingestion as `c2c run --engine <engine>` runs it, on empty derived zones (identity,
 * linked, outcomes and published are removed first, so every run is a first run), in a process of
 * its own (bench/scale-run.ts): wall time per stage, peak memory and CPU of the whole process tree
 * (Spark's JVMs included), load averages, rows of the key outputs, input bytes (drops, raw Parquet)
 * and the Parquet bytes of each zone written, with what two typical analyst queries would read.
 * Prints one JSON line per state and per run as soon as it is measured, then power-law fits per
 * engine and stage (t = a·n^b, least squares on log-log, and t = c + d·n, a fixed part and a cost
 * per record), of wall and of CPU seconds. `--plans-only` stops each run after
 * the outcome cube (disclosure control and publishing do not depend on the engine); `--fit`
 * prints the fits of the runs in earlier outputs of this benchmark instead of measuring.
 *   npm run bench:scale -- [--records 100000,300000,1000000] [--engines duckdb,spark] [--dir /tmp] [--keep] [--plans-only]
 *   npm run bench:scale -- --fit /tmp/scale-duckdb.log,/tmp/scale-spark.log
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { PLAN_ENGINES, type PlanEngine } from '../bin/cli/engines';
import { LINKED_TABLE_NAMES } from '../core/linked/plan';
import { PUBLISHED_LOCATIONS } from '../core/outcomes/published-table';
import { sqlString } from '../core/validation/sql';
import { prepare, RECORDS_PER_PERSON } from './link';
import { directorySize, sampleProcessTree, type TreeUsage } from './measure';
import type { ScaleRun } from './scale-run';

/** The zones a pipeline run writes: emptied before each run. */
const DERIVED_ZONES = ['identity', 'linked', 'outcomes', 'published'] as const;

/**
 * Typical analyst queries over linked/ and the columns Athena would read for them: Parquet is
 * columnar, so a query is billed for the column chunks it names, not the table.
 */
const ANALYST_QUERIES = [
  { query: 'SELECT fall_year, count(*) FROM linked.postsecondary_enrollments GROUP BY fall_year', table: 'postsecondary_enrollments', columns: ['fall_year'] },
  { query: 'SELECT year, approx_percentile(wages, 0.5) FROM linked.quarterly_wages GROUP BY year', table: 'quarterly_wages', columns: ['year', 'wages'] },
] as const;

interface Inputs {
  readonly people: number;
  readonly dropRows: number;
  readonly dropBytes: number;
  readonly rawRows: number;
  readonly rawParquetBytes: number;
}

interface Measured extends ScaleRun, RunUsage {
  readonly records: number;
  readonly people: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly wallSeconds: number;
  /** Parquet bytes written per zone (plan files and Spark's logs left out). */
  readonly zoneParquetBytes: Readonly<Record<string, number>>;
  readonly linkedTables: Readonly<Record<string, { rows: number; bytes: number }>>;
  readonly analystQueries: ReadonlyArray<{ query: string; bytesRead: number }>;
  /** null when the run stopped after the cube (--plans-only). */
  readonly publishedParquetBytes: number | null;
}

const loads = (): number[] => loadavg().map((l) => Number(l.toFixed(2)));

/** A plan output as DuckDB reads it: DuckDB writes one file, Spark a folder of part files. */
function parquetGlob(location: string): string {
  return statSync(location).isDirectory() ? path.join(location, '*.parquet') : location;
}

async function parquetSize(location: string): Promise<number> {
  const info = statSync(location);
  return info.isDirectory() ? directorySize(location, '.parquet') : info.size;
}

async function inputs(dir: string, people: number, engine: DuckDbEngine): Promise<Inputs> {
  const generation = JSON.parse(readFileSync(path.join(dir, 'state', 'generation.json'), 'utf8')) as { files: Array<{ kind: string; rows: number }> };
  const [raw] = await engine.query(`SELECT sum(num_rows) AS n FROM parquet_file_metadata(${sqlString(path.join(dir, 'lake', 'raw', '**', '*.parquet'))})`);
  return {
    people,
    dropRows: generation.files.filter((f) => f.kind === 'drop').reduce((n, f) => n + f.rows, 0),
    dropBytes: await directorySize(path.join(dir, 'state', 'drops')),
    rawRows: Number(raw?.n ?? 0),
    rawParquetBytes: await directorySize(path.join(dir, 'lake', 'raw'), '.parquet'),
  };
}

async function outputSizes(lake: string, engine: DuckDbEngine): Promise<Pick<Measured, 'zoneParquetBytes' | 'linkedTables' | 'analystQueries' | 'publishedParquetBytes'>> {
  const zoneParquetBytes: Record<string, number> = {};
  for (const zone of DERIVED_ZONES) zoneParquetBytes[zone] = await directorySize(path.join(lake, zone), '.parquet');
  const linked = (table: string): string => parquetGlob(path.join(lake, 'linked', `${table}.parquet`));
  const linkedTables: Record<string, { rows: number; bytes: number }> = {};
  for (const table of LINKED_TABLE_NAMES) {
    const [row] = await engine.query(`SELECT sum(num_rows) AS n FROM parquet_file_metadata(${sqlString(linked(table))})`);
    linkedTables[table] = { rows: Number(row?.n ?? 0), bytes: await parquetSize(path.join(lake, 'linked', `${table}.parquet`)) };
  }
  const analystQueries = [];
  for (const q of ANALYST_QUERIES) {
    const [row] = await engine.query(`SELECT sum(total_compressed_size) AS bytes FROM parquet_metadata(${sqlString(linked(q.table))}) WHERE path_in_schema IN (${q.columns.map(sqlString).join(', ')})`);
    analystQueries.push({ query: q.query, bytesRead: Number(row?.bytes ?? 0) });
  }
  const published = path.join(lake, ...PUBLISHED_LOCATIONS.parquet.split('/'));
  return { zoneParquetBytes, linkedTables, analystQueries, publishedParquetBytes: existsSync(published) ? await parquetSize(published) : null };
}

interface RunUsage extends TreeUsage {
  /** CPU seconds of the process tree per stage, between the stage announcements. */
  readonly stageCpuSeconds: Readonly<Record<string, number>>;
}

function runOnce(lake: string, engine: PlanEngine, sparkDriverMemory: string, plansOnly: boolean): Promise<{ run: ScaleRun; usage: RunUsage }> {
  return new Promise((resolve, reject) => {
    // The Glue job's local session takes Spark's defaults, whose 1 GB driver heap is a laptop's, not a Glue worker's.
    const env = { ...process.env, PYSPARK_SUBMIT_ARGS: `--driver-memory ${sparkDriverMemory} pyspark-shell` };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'scale-run.ts'), lake, engine, ...(plansOnly ? ['plans-only'] : [])], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const sampler = sampleProcessTree(child.pid as number);
    const stageCpuSeconds: Record<string, number> = {};
    let stage: { name: string; cpu: number } | null = null;
    let last = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { stage?: string | null };
      if (event.stage === undefined) {
        last = line;
        return;
      }
      const cpu = sampler.cpuSeconds();
      if (stage) stageCpuSeconds[stage.name] = cpu - stage.cpu;
      stage = event.stage === null ? null : { name: event.stage, cpu };
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const usage = sampler.stop();
      if (code !== 0) reject(new Error(`scale-run.ts exited with code ${String(code)}`));
      else resolve({ run: JSON.parse(last) as ScaleRun, usage: { ...usage, stageCpuSeconds } });
    });
  });
}

type Points = ReadonlyArray<readonly [number, number]>;

const mean = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / v.length;

/** Least squares of y on x: y = intercept + slope·x. */
function line(points: Points): { intercept: number; slope: number } {
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return { intercept: my - slope * mx, slope };
}

/**
 * Two readings of the same points: t = a·n^b (least squares on log-log), the growth if all of t
 * grew with n; and t = c + d·n, a fixed part (Spark's application starts and per-step latency,
 * which do not grow with the data) and a cost per record, which a small exponent can hide.
 */
function fit(points: Points): { a: number; b: number; fixedSeconds: number; secondsPerMillionRecords: number } {
  const logLog = line(points.map(([n, t]) => [Math.log(n), Math.log(t)] as const));
  const linear = line(points);
  return { a: Math.exp(logLog.intercept), b: logLog.slope, fixedSeconds: linear.intercept, secondsPerMillionRecords: linear.slope * 1e6 };
}

type Fitted = Pick<ScaleRun, 'engine' | 'identityRecords' | 'stages'> & Partial<Pick<RunUsage, 'stageCpuSeconds'>>;

/** Per engine and stage, over the sizes measured: fits of wall seconds and, where sampled, of the process tree's CPU seconds. */
function fits(results: readonly Fitted[]): unknown[] {
  const lines: unknown[] = [];
  for (const engine of PLAN_ENGINES) {
    for (const stage of new Set(results.flatMap((r) => Object.keys(r.stages)))) {
      const runs = results.filter((r) => r.engine === engine && r.stages[stage] !== undefined);
      if (runs.length < 2) continue;
      const cpu = runs.flatMap((r) => (r.stageCpuSeconds?.[stage] === undefined ? [] : [[r.identityRecords, r.stageCpuSeconds[stage]] as const]));
      lines.push({
        engine, stage, sizes: runs.length, wall: fit(runs.map((r) => [r.identityRecords, r.stages[stage] as number] as const)),
        ...(cpu.length === runs.length ? { cpu: fit(cpu) } : {}),
      });
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000,300000,1000000' },
      engines: { type: 'string', default: PLAN_ENGINES.join(',') },
      dir: { type: 'string', default: tmpdir() },
      'spark-driver-memory': { type: 'string', default: '6g' },
      keep: { type: 'boolean', default: false },
      'plans-only': { type: 'boolean', default: false },
      fit: { type: 'string' },
    },
  });
  if (values.fit !== undefined) {
    const runs = values.fit.split(',').flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Partial<Fitted>)
      .filter((r): r is Fitted => r.engine !== undefined && r.stages !== undefined);
    for (const line of fits(runs)) console.log(JSON.stringify(line));
    return;
  }
  const engines = values.engines.split(',').map((e) => {
    const engine = PLAN_ENGINES.find((p) => p === e);
    if (!engine) throw new Error(`--engines: ${e} is not one of ${PLAN_ENGINES.join(', ')}`);
    return engine;
  });
  const sizes = values.records.split(',').map((n) => Number(n.replace(/_/g, ''))).sort((x, y) => x - y);
  const parent = path.join(values.dir, 'c2c-bench-scale');
  console.log(JSON.stringify({ bench: 'scale', cores: availableParallelism(), memoryGb: Math.round(totalmem() / 2 ** 30), sparkDriverMemory: values['spark-driver-memory'], load: loads() }));
  const engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '1GB' });
  const results: Measured[] = [];
  try {
    for (const records of sizes) {
      const prepared = await prepare(parent, Math.round(records / RECORDS_PER_PERSON), 'medium');
      const lake = path.join(prepared.dir, 'lake');
      console.log(JSON.stringify({ records, ...(await inputs(prepared.dir, prepared.people, engine)), generateSeconds: prepared.generateSeconds, ingestSeconds: prepared.ingestSeconds }));
      for (const planEngine of engines) {
        for (const zone of DERIVED_ZONES) {
          rmSync(path.join(lake, zone), { recursive: true, force: true });
          mkdirSync(path.join(lake, zone));
        }
        const loadBefore = loads();
        const start = process.hrtime.bigint();
        const { run, usage } = await runOnce(lake, planEngine, values['spark-driver-memory'], values['plans-only']);
        const measured: Measured = {
          records, people: prepared.people, ...run, ...usage, loadBefore, loadAfter: loads(),
          wallSeconds: Number(process.hrtime.bigint() - start) / 1e9, ...(await outputSizes(lake, engine)),
        };
        results.push(measured);
        console.log(JSON.stringify(measured));
      }
      if (!values.keep && existsSync(prepared.dir)) rmSync(prepared.dir, { recursive: true, force: true });
    }
  } finally {
    engine.close();
    if (!values.keep) rmSync(parent, { recursive: true, force: true });
  }
  for (const line of fits(results)) console.log(JSON.stringify(line));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
