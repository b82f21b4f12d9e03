/**
 * One measured run for bench/validate.ts, in its own process so its peak memory is its own:
 *   tsx bench/validate-run.ts <mode> <file> <partner> <dataset>
 * Prints one JSON line: seconds, CPU seconds, records, verdict, peak RSS.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { contractFor } from '../core/contracts/catalog';
import { compileRecordCheckers } from '../core/contracts/field-check';
import type { Contract } from '../core/contracts/types';
import { readCsvSql, sqlIdentifier, sqlString, typedValueSql } from '../core/validation/sql';
import { validateDrop } from '../core/validation/validate';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';

export const MODES = ['validator', 'validator-one-core', 'engine-only', 'engine-profile', 'baseline'] as const;
type Mode = (typeof MODES)[number];
/** Seconds DuckDB's own profile gives each step of the floor's conversion. */
export interface EngineSteps {
  readonly readCsv: number;
  readonly typeValues: number;
  readonly writeParquet: number;
}
type Outcome = { records: number; verdict: string; steps?: EngineSteps };

/** DuckDB with one thread and a memory limit, spilling to a scratch folder. */
async function withEngine(work: (engine: DuckDbEngine, scratch: string) => Promise<Outcome>): Promise<Outcome> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'c2c-bench-'));
  const engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '160MB', tempDirectory: scratch });
  try {
    return await work(engine, scratch);
  } finally {
    engine.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The validator as ingestion runs it: every check, and the typed Parquet of the accepted file. */
function validator(concurrent: boolean) {
  return (file: string, contract: Contract): Promise<Outcome> => withEngine(async (engine, scratch) => {
    const drop = { name: path.basename(file), localPath: file, read: () => createReadStream(file, { highWaterMark: 1 << 20 }) };
    const parquet = { path: path.join(scratch, 'out.parquet'), sourceObject: `${contract.id}/${drop.name}`, concurrent };
    const { report, parquetRecords } = await validateDrop(drop, contract, engine, { parquet });
    return { records: parquetRecords ?? report.rows.read, verdict: report.verdict };
  });
}

/** The floor: DuckDB converting the file to the same typed Parquet, checking nothing. */
function engineOnly(file: string, contract: Contract): Promise<Outcome> {
  return withEngine(async (engine, scratch) => ({ records: await convert(engine, scratch, file, contract), verdict: 'not checked' }));
}

async function convert(engine: DuckDbEngine, scratch: string, file: string, contract: Contract): Promise<number> {
  const columns = contract.schema.fields.map((f) => `${typedValueSql(f, contract.schema.missingValues)} AS ${sqlIdentifier(f.name)}`).join(', ');
  const rows = await engine.query(
    `COPY (SELECT ${columns} FROM ${readCsvSql(file, contract, contract.file.compression === 'gzip')}) ` +
    `TO ${sqlString(path.join(scratch, 'out.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return Number(rows[0]?.Count);
}

interface ProfileNode {
  readonly operator_type?: string;
  readonly operator_timing?: number;
  readonly children?: readonly ProfileNode[];
}

/** The floor again, profiled by DuckDB (a run of its own: profiling costs time): where its time goes. */
function engineProfile(file: string, contract: Contract): Promise<Outcome> {
  return withEngine(async (engine, scratch) => {
    const profile = path.join(scratch, 'profile.json');
    await engine.run(`SET enable_profiling = 'json'`);
    await engine.run(`SET profiling_output = ${sqlString(profile)}`);
    const records = await convert(engine, scratch, file, contract);
    const seconds = (type: string): number => {
      const sum = (node: ProfileNode): number =>
        (node.operator_type === type ? node.operator_timing ?? 0 : 0) + (node.children ?? []).reduce((total, child) => total + sum(child), 0);
      return sum(JSON.parse(readFileSync(profile, 'utf8')) as ProfileNode);
    };
    return {
      records, verdict: 'not checked',
      steps: { readCsv: seconds('TABLE_SCAN'), typeValues: seconds('PROJECTION'), writeParquet: seconds('COPY_TO_FILE') },
    };
  });
}

/** The naive way: a CSV library's row loop with the same field rules and key check, no Parquet. */
async function baseline(file: string, contract: Contract): Promise<Outcome> {
  const checkers = compileRecordCheckers(contract);
  const keyIndexes = contract.schema.primaryKey.map((k) => contract.schema.fields.findIndex((f) => f.name === k));
  const keys = new Set<string>();
  let records = 0;
  let problems = 0;
  const parser = createReadStream(file).pipe(parse({ delimiter: contract.dialect.delimiter, quote: contract.dialect.quoteChar, bom: true, from_line: 2 }));
  for await (const row of parser as AsyncIterable<string[]>) {
    records++;
    for (let i = 0; i < checkers.length; i++) if ((checkers[i] as (t: string) => unknown)(row[i] ?? '') !== null) problems++;
    const key = keyIndexes.map((i) => row[i]).join('\u0000');
    if (keys.has(key)) problems++;
    else keys.add(key);
  }
  return { records, verdict: problems === 0 ? 'accepted' : 'rejected' };
}

const RUNS: Readonly<Record<Mode, (file: string, contract: Contract) => Promise<Outcome>>> = {
  validator: validator(true),
  'validator-one-core': validator(false),
  'engine-only': engineOnly,
  'engine-profile': engineProfile,
  baseline,
};

async function main(): Promise<void> {
  const [mode, file, partner, dataset] = process.argv.slice(2) as [Mode, string, string, string];
  const run = RUNS[mode];
  if (!run) throw new Error(`mode must be one of ${MODES.join(', ')}`);
  const start = process.hrtime.bigint();
  const result = await run(file, contractFor(partner, dataset));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const usage = process.resourceUsage();
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ mode, seconds, cpuSeconds, ...result, peakRssMb: Math.round(usage.maxRSS / 1024) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
