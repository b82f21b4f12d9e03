/**
 * One measured run for bench/validate.ts, in its own process so its peak memory is its own:
 *   tsx bench/validate-run.ts validator|baseline <file> <partner> <dataset>
 * Prints one JSON line: seconds, records, verdict, peak RSS.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import { contractFor } from '../core/contracts/catalog';
import { compileRecordCheckers } from '../core/contracts/field-check';
import { validateDrop } from '../core/validation/validate';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';

async function validator(file: string, partner: string, dataset: string): Promise<{ records: number; verdict: string }> {
  const contract = contractFor(partner, dataset);
  const scratch = await mkdtemp(path.join(tmpdir(), 'c2c-bench-'));
  const engine = await DuckDbEngine.open({ threads: 1, memoryLimit: '160MB', tempDirectory: scratch });
  try {
    const drop = { name: path.basename(file), localPath: file, read: () => createReadStream(file, { highWaterMark: 1 << 20 }) };
    const parquet = { path: path.join(scratch, 'out.parquet'), sourceObject: `${partner}/${dataset}/${drop.name}` };
    const { report, parquetRecords } = await validateDrop(drop, contract, engine, { parquet });
    return { records: parquetRecords ?? report.rows.read, verdict: report.verdict };
  } finally {
    engine.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The naive way: a CSV library's row loop with the same field rules and key check, no Parquet. */
async function baseline(file: string, partner: string, dataset: string): Promise<{ records: number; verdict: string }> {
  const contract = contractFor(partner, dataset);
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

async function main(): Promise<void> {
  const [mode, file, partner, dataset] = process.argv.slice(2) as [string, string, string, string];
  const start = process.hrtime.bigint();
  const result = await (mode === 'baseline' ? baseline : validator)(file, partner, dataset);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ mode, seconds, ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
