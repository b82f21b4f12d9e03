/**
 * Validation benchmark: a large generated drop (default 1 GB of CALPADS enrollment), validated
 * end to end (the single pass over the bytes with every field rule, keys in DuckDB with one
 * thread, the typed Parquet written), with the Parquet written while checking and, on one core,
 * after it; against, in the same run, the floor (DuckDB converting the file to the same
 * Parquet, checking nothing), where DuckDB's own profile says the floor's time goes, and a naive
 * baseline (csv-parse's row loop with the same field rules and key check, writing nothing). Each
 * run is its own process, so peak memory is its own.
 *   npm run bench:validate -- [--megabytes 1024] [--dir /tmp]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { generateToFolder } from '../adapters/generator/generate-to-folder';
import type { EngineSteps } from './validate-run';

/** Repeats a generated year of enrollment, shifting the school year of each copy so keys stay unique. */
async function buildDrop(dir: string, megabytes: number): Promise<string> {
  const state = path.join(dir, 'state');
  const summary = await generateToFolder({ people: 60_000, seed: 1, noise: 'medium' }, state);
  const source = summary.files.filter((f) => f.dataset === 'k12_enrollment' && f.kind === 'drop').sort((a, b) => b.rows - a.rows)[0];
  if (!source) throw new Error('no enrollment file was generated');
  const [header, ...rows] = readFileSync(path.join(state, source.path), 'utf8').split('\n').filter((line) => line.length > 0);
  const file = path.join(dir, 'k12_enrollment_2019-20.txt');
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  const target = megabytes * 1024 * 1024;
  let written = 0;
  for (let copy = 0; written < target; copy++) {
    const year = 3000 + copy;
    const chunk = rows.map((row) => `${year}-${String((year + 1) % 100).padStart(2, '0')}${row.slice(7)}`).join('\n') + '\n';
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  rmSync(state, { recursive: true, force: true });
  return file;
}

interface Run {
  readonly mode: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly records: number;
  readonly verdict: string;
  readonly peakRssMb: number;
  readonly steps?: EngineSteps;
}

function run(mode: string, file: string): Run {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'validate-run.ts'), mode, file, 'cde', 'k12_enrollment'], {
    encoding: 'utf8', maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split('\n').pop() as string) as Run;
}

const LABELS: ReadonlyArray<readonly [string, string]> = [
  ['validator', 'validator (Parquet written on the engine\'s thread while checking)'],
  ['validator-one-core', 'validator, one core (Parquet written after checking)'],
  ['engine-only', 'floor: DuckDB alone, CSV to the same typed Parquet, no checks'],
  ['baseline', 'baseline: csv-parse row loop, same checks, no Parquet'],
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { megabytes: { type: 'string', default: '1024' }, dir: { type: 'string', default: tmpdir() } } });
  const dir = mkdtempSync(path.join(values.dir, 'c2c-bench-validate-'));
  try {
    const file = await buildDrop(dir, Number(values.megabytes));
    const megabytes = statSync(file).size / 1e6;
    const runs = LABELS.map(([mode]) => run(mode, file));
    const { steps } = run('engine-profile', file) as Run & { steps: EngineSteps };
    const byMode = new Map(runs.map((r) => [r.mode, r]));
    const row = ([mode, label]: readonly [string, string]): string => {
      const r = byMode.get(mode) as Run;
      return `| ${label} | ${r.verdict} | ${r.records.toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ` +
        `${(megabytes / r.seconds).toFixed(0)} | ${(megabytes / r.cpuSeconds).toFixed(0)} | ${Math.round(r.records / r.seconds).toLocaleString('en-US')} | ${r.peakRssMb} |`;
    };
    const ratio = (mode: string, over: string): string => ((byMode.get(over) as Run).seconds / (byMode.get(mode) as Run).seconds).toFixed(1);
    console.log([
      `File: ${megabytes.toFixed(0)} MB, tab-delimited CALPADS enrollment, 18 fields.`,
      '',
      '| run | verdict | records | seconds | CPU seconds | MB/s | MB per CPU second | records/s | peak RSS (MB) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...LABELS.map(row),
      '',
      `Speedup over the baseline: ${ratio('validator', 'baseline')}x (one core: ${ratio('validator-one-core', 'baseline')}x). ` +
      `Time over the engine's own conversion: ${(1 / Number(ratio('validator', 'engine-only'))).toFixed(2)}x.`,
      '',
      `The floor's steps, as DuckDB's profile times them (a run of their own): reading the CSV ${steps.readCsv.toFixed(1)} s, ` +
      `typing the values ${steps.typeValues.toFixed(1)} s, writing the Parquet ${steps.writeParquet.toFixed(1)} s.`,
    ].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
