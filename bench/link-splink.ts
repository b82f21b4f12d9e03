/**
 * Our linker against Splink 4 (DuckDB backend) in one run, on the same machine at the same time:
 * FEBRL 4 (docs/febrl.md), and a synthetic state of identity records (bench/link.ts) with the C2C
 * model, Splink being given our standardized records and the same model in its own comparison
 * library (bench/splink/run.py). Needs the virtualenv of bench/splink/setup.sh. Not a test.
 *   tsx bench/link-splink.ts [--records 100000] [--febrl reference-data/febrl] [--venv $TMPDIR/c2c-splink-venv] [--dir /tmp] [--keep]
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { linkFiles } from '../bin/cli/link-files';
import { lakeLocations } from '../adapters/lake/local-lake';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { c2cLinkageSettings } from '../core/identity/link';
import { IDENTITY_RECORDS_LOCATION } from '../core/identity/plan';
import { comparisonPlan } from '../core/linkage/plan';
import { LINKAGE_TABLES } from '../core/linkage/sql/tables';
import { runPlan } from '../core/plan/run';
import { link, prepare, quality, RECORDS_PER_PERSON } from './link';

interface SplinkRun {
  readonly seconds: number;
  readonly links: number;
  readonly clusters: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function splink(venv: string, ...args: string[]): SplinkRun {
  const output = execFileSync(path.join(venv, 'bin', 'python'), [path.join(__dirname, 'splink', 'run.py'), ...args], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(output.trim().split('\n').pop() as string) as SplinkRun;
}

/** Our standardized records (the linkage plan's first step) as Parquet, for Splink to read. */
async function writeStandardized(lake: string): Promise<string> {
  const engine = await DuckDbEngine.open({ threads: availableParallelism(), memoryLimit: '2GB' });
  try {
    const plan = comparisonPlan(c2cLinkageSettings(), IDENTITY_RECORDS_LOCATION, 'identity/unused.parquet');
    const location = 'identity/standardized.parquet';
    await runPlan({ ...plan, steps: plan.steps.slice(0, 1), outputs: { [LINKAGE_TABLES.standardized]: { format: 'parquet', location } } }, engine,
      { dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake) });
    return path.join(lake, location);
  } finally {
    engine.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      febrl: { type: 'string', default: 'reference-data/febrl' },
      venv: { type: 'string', default: path.join(process.env.TMPDIR ?? tmpdir(), 'c2c-splink-venv') },
      dir: { type: 'string', default: tmpdir() },
      keep: { type: 'boolean', default: false },
    },
  });
  const rows: string[] = [];
  const row = (problem: string, tool: string, seconds: number, q: { precision: number; recall: number; f1: number }): void => {
    rows.push(`| ${problem} | ${tool} | ${seconds.toFixed(1)} | ${q.precision.toFixed(4)} | ${q.recall.toFixed(4)} | ${q.f1.toFixed(4)} |`);
  };
  const load = loadavg()[0] ?? 0;

  const febrlOut = path.join(values.dir, 'c2c-bench-febrl4');
  const ours = await linkFiles({
    inputs: [path.join(values.febrl, 'dataset4a.csv'), path.join(values.febrl, 'dataset4b.csv')],
    settings: path.join(__dirname, '..', 'docs', 'examples', 'febrl4-settings.json'),
    out: febrlOut, truthColumn: 'rec_id', truthPattern: 'rec-(\\d+)-',
  });
  rmSync(febrlOut, { recursive: true, force: true });
  const theirs = splink(values.venv, 'febrl4', path.join(values.febrl, 'dataset4a.csv'), path.join(values.febrl, 'dataset4b.csv'));
  row('FEBRL 4 (10,000 records)', 'c2c link-files', ours.seconds, ours.quality as NonNullable<typeof ours.quality>);
  row('FEBRL 4 (10,000 records)', 'Splink 4.0.17', theirs.seconds, theirs);
  const ratios = [`FEBRL 4: Splink takes ${(theirs.seconds / ours.seconds).toFixed(1)}x our time.`];

  const parent = path.join(values.dir, 'c2c-bench-link');
  const prepared = await prepare(parent, Math.round(Number(values.records) / RECORDS_PER_PERSON), 'medium');
  try {
    const run = link(prepared.dir, availableParallelism(), '6GB');
    const q = await quality(prepared.dir);
    const standardized = await writeStandardized(path.join(prepared.dir, 'lake'));
    const synthetic = splink(values.venv, 'c2c', standardized, path.join(prepared.dir, 'lake', 'identity', 'truth.parquet'));
    const label = `synthetic, C2C model (${run.identityRecords.toLocaleString('en-US')} identity records)`;
    row(label, 'c2c linkage plan', run.linkageSeconds, q);
    row(label, 'Splink 4.0.17', synthetic.seconds, synthetic);
    ratios.push(`Synthetic: Splink takes ${(synthetic.seconds / run.linkageSeconds).toFixed(1)}x our time.`);
  } finally {
    if (!values.keep) rmSync(prepared.dir, { recursive: true, force: true });
  }
  console.log([
    `Load average before the run: ${load.toFixed(2)}.`,
    '',
    '| problem | linker | seconds | precision | recall | F1 |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...ratios,
  ].join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
