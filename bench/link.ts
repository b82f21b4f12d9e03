/**
 * Linkage benchmark: synthetic states of a given number of identity records (the generator's
 * people, landed and ingested into a local lake, untimed), then, timed in a process of its own,
 * what `c2c link` runs over them: the identity records from raw/, and the C2C model end to end
 * (standardize → block → train → predict → cluster) on DuckDB with every core. Reports time,
 * peak RSS, candidate pairs and pairwise precision, recall and F1 against the generator's truth
 * (each identity record's person, recovered from the truth files as test/identity does).
 *   npm run bench:link -- [--records 100000,1000000] [--noise medium] [--dir /tmp] [--keep]
 * A state kept with --keep (under --dir) is reused by the next run of the same size and noise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateToFolder } from '../adapters/generator/generate-to-folder';
import { linkageQualityAgainstTruth } from '../adapters/generator/identity-truth';
import { landDrops } from '../adapters/lake/land-drops';
import { lakeLocations, openLocalLake } from '../adapters/lake/local-lake';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { NOISE_LEVELS, type NoiseLevel } from '../core/generator';
import { ingestLandingZone } from '../core/ingest/ingest';
import type { LinkRun } from './link-run';

/** Identity records per generated person at medium noise (16,183 for 5,000 people, seed 1). */
export const RECORDS_PER_PERSON = 3.24;
const PREPARED = '.prepared';

export interface Prepared {
  readonly dir: string;
  readonly people: number;
  /** Seconds to generate, and to land and ingest; 0 when a kept state was reused. */
  readonly generateSeconds: number;
  readonly ingestSeconds: number;
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

export async function prepare(parent: string, people: number, noise: NoiseLevel): Promise<Prepared> {
  const dir = path.join(parent, `link-${people}-${noise}`);
  if (existsSync(path.join(dir, PREPARED))) return { dir, people, generateSeconds: 0, ingestSeconds: 0 };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let start = process.hrtime.bigint();
  await generateToFolder({ people, seed: 1, noise }, path.join(dir, 'state'));
  const generateSeconds = seconds(start);
  start = process.hrtime.bigint();
  const lake = await openLocalLake(path.join(dir, 'lake'));
  try {
    await landDrops(path.join(dir, 'state', 'drops'), lake.store);
    await ingestLandingZone(lake);
  } finally {
    await lake.close();
  }
  writeFileSync(path.join(dir, PREPARED), 'A generated and ingested state for bench/link.ts.\n');
  return { dir, people, generateSeconds, ingestSeconds: seconds(start) };
}

export interface Quality {
  readonly records: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export async function quality(dir: string): Promise<Quality> {
  const lake = path.join(dir, 'lake');
  const engine = await DuckDbEngine.open({ threads: availableParallelism(), memoryLimit: '2GB' });
  try {
    const q = await linkageQualityAgainstTruth(engine, path.join(dir, 'state'), lake, lakeLocations(lake));
    return { records: q.records, precision: q.pairPrecision, recall: q.pairRecall, f1: q.pairF1 };
  } finally {
    engine.close();
  }
}

export function link(dir: string, threads: number, memoryLimit: string): LinkRun {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'link-run.ts'), path.join(dir, 'lake'), String(threads), memoryLimit], {
    encoding: 'utf8', maxBuffer: 1 << 22,
  });
  return JSON.parse(output.trim().split('\n').pop() as string) as LinkRun;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000,1000000' },
      noise: { type: 'string', default: 'medium' },
      dir: { type: 'string', default: tmpdir() },
      threads: { type: 'string', default: String(availableParallelism()) },
      'memory-limit': { type: 'string', default: '6GB' },
      keep: { type: 'boolean', default: false },
    },
  });
  const noise = values.noise as NoiseLevel;
  if (!NOISE_LEVELS.includes(noise)) throw new Error(`--noise must be one of ${NOISE_LEVELS.join(', ')}`);
  const parent = path.join(values.dir, 'c2c-bench-link');
  const rows: string[] = [];
  const details: string[] = [];
  try {
    for (const target of values.records.split(',').map((n) => Number(n.replace(/_/g, '')))) {
      const load = loadavg()[0] ?? 0;
      const prepared = await prepare(parent, Math.round(target / RECORDS_PER_PERSON), noise);
      const run = link(prepared.dir, Number(values.threads), values['memory-limit']);
      const q = await quality(prepared.dir);
      const n = (v: number): string => v.toLocaleString('en-US');
      rows.push(`| ${n(prepared.people)} | ${n(run.identityRecords)} | ${run.identitySeconds.toFixed(1)} | ${run.linkageSeconds.toFixed(1)} | ` +
        `${(run.identitySeconds + run.linkageSeconds).toFixed(1)} | ${run.linkageCpuSeconds.toFixed(0)} | ${n(run.peakRssMb)} | ${n(run.candidatePairs)} | ${run.emIterations} | ${run.propagationPasses} | ` +
        `${n(run.clusters)} | ${q.precision.toFixed(4)} | ${q.recall.toFixed(4)} | ${q.f1.toFixed(4)} |`);
      details.push(`${n(run.identityRecords)} identity records (${prepared.people.toLocaleString('en-US')} people; ` +
        `${prepared.generateSeconds > 0 ? `generated in ${prepared.generateSeconds.toFixed(0)} s, landed and ingested in ${prepared.ingestSeconds.toFixed(0)} s` : 'a kept state'}; ` +
        `load average before: ${load.toFixed(2)}), linkage steps over 0.5 s:`,
      ...run.steps.filter((s) => s.seconds >= 0.5).map((s) => `  ${s.step}: ${s.seconds.toFixed(1)} s, ${n(s.rows)} rows`));
      if (!values.keep) rmSync(prepared.dir, { recursive: true, force: true });
    }
  } finally {
    if (!values.keep) rmSync(parent, { recursive: true, force: true });
  }
  console.log([
    `Noise ${noise}, seed 1, DuckDB with ${values.threads} threads and a ${values['memory-limit']} memory limit.`,
    '',
    '| people | identity records | identity records s | linkage s | total s | linkage CPU s | peak RSS (MB) | candidate pairs | EM passes | propagation passes | clusters | precision | recall | F1 |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...details,
  ].join('\n'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
