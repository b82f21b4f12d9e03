/**
 * Generator benchmark: throughput for a large state on all cores, and in the same run a
 * one-worker baseline on a smaller state, so the parallel speedup is a ratio measured on the
 * same machine at the same time. Usage:
 *   npm run bench:generate -- [--people 1000000] [--baseline-people 100000] [--dir /tmp/c2c-bench]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateToFolder } from '../adapters/generator/generate-to-folder';
import { directorySize } from './measure';

interface Run {
  readonly people: number;
  readonly workers: number;
  readonly seconds: number;
  readonly records: number;
  readonly bytes: number;
}

async function run(people: number, workers: number, parent: string): Promise<Run> {
  const dir = mkdtempSync(path.join(parent, 'state-'));
  try {
    const start = process.hrtime.bigint();
    const summary = await generateToFolder({ people, seed: 1, noise: 'medium' }, dir, { workers });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const records = summary.files.filter((f) => f.kind === 'drop').reduce((sum, f) => sum + f.rows, 0);
    return { people, workers, seconds, records, bytes: await directorySize(path.join(dir, 'drops')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '1000000' },
      'baseline-people': { type: 'string', default: '100000' },
      dir: { type: 'string', default: tmpdir() },
    },
  });
  const parent = mkdtempSync(path.join(values.dir, 'c2c-bench-'));
  const cores = availableParallelism();
  try {
    const baseline = await run(Number(values['baseline-people']), 1, parent);
    const parallelSmall = await run(Number(values['baseline-people']), cores, parent);
    const full = await run(Number(values.people), cores, parent);
    const rate = (r: Run): string => `${Math.round(r.people / r.seconds).toLocaleString('en-US')} people/s, ${Math.round(r.records / r.seconds).toLocaleString('en-US')} records/s`;
    const lines = [
      `| run | people | workers | seconds | throughput | drop files |`,
      `| --- | ---: | ---: | ---: | --- | ---: |`,
      ...[['baseline (1 worker)', baseline], [`parallel (${cores} workers)`, parallelSmall], ['full state', full]].map(([label, r]) => {
        const x = r as Run;
        return `| ${label as string} | ${x.people.toLocaleString('en-US')} | ${x.workers} | ${x.seconds.toFixed(1)} | ${rate(x)} | ${(x.bytes / 1e9).toFixed(2)} GB |`;
      }),
      '',
      `Parallel speedup over one worker (same state size, same run): ${(baseline.seconds / parallelSmall.seconds).toFixed(2)}x.`,
      `Peak resident memory of the whole run (all workers): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`,
    ];
    console.log(lines.join('\n'));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
