/**
 * Outcomes benchmark: the outcome cube, disclosure control and its audit over a linked synthetic
 * state (generated, landed, ingested and linked first, untimed; kept with --keep and reused by the
 * next run of the same size). Reports the cube build time, the time of suppression with the audit
 * of the final pattern, cube rows, published rows, counts and equations, the suppressed share and
 * the audit's verdict, and peak RSS.
 *   npx tsx bench/outcomes.ts [--people 5000,1000000] [--dir /tmp] [--keep] [--prepare-only]
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateToFolder } from '../adapters/generator/generate-to-folder';
import { landDrops } from '../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from '../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { linkIdentities } from '../core/identity/link';
import { ingestLandingZone } from '../core/ingest/ingest';
import { BREAKDOWN_IDS } from '../core/outcomes/breakdowns';
import { OUTCOME_CUBE, outcomeCubePlan } from '../core/outcomes/cube-plan';
import { protectCube, type CubeRow } from '../core/outcomes/protect';
import { runPlan } from '../core/plan/run';

const PREPARED = '.prepared';

async function prepare(dir: string, people: number): Promise<number> {
  if (existsSync(path.join(dir, PREPARED))) return 0;
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  await generateToFolder({ people, seed: 1, noise: 'medium' }, path.join(dir, 'state'), {});
  const ingesting = await openLocalLake(path.join(dir, 'lake'));
  try {
    await landDrops(path.join(dir, 'state', 'drops'), ingesting.store);
    await ingestLandingZone(ingesting);
  } finally {
    await ingesting.close();
  }
  const lake = await openLocalLake(path.join(dir, 'lake'), PLAN_ENGINE_OPTIONS);
  try {
    await linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
  } finally {
    await lake.close();
  }
  writeFileSync(path.join(dir, PREPARED), `${people}\n`);
  return (performance.now() - started) / 1000;
}

async function measure(dir: string): Promise<Record<string, number | string | boolean>> {
  const lake = await openLocalLake(path.join(dir, 'lake'), PLAN_ENGINE_OPTIONS);
  try {
    let started = performance.now();
    await runPlan(outcomeCubePlan(), lake.engine, { dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
    const cube = (await lake.engine.query(`SELECT * FROM ${OUTCOME_CUBE} ORDER BY metric_id, cohort_year, grouping_set, ${BREAKDOWN_IDS.join(', ')}`)) as unknown as CubeRow[];
    const cubeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const { summary } = await protectCube(cube);
    const protectSeconds = (performance.now() - started) / 1000;
    return {
      cubeSeconds: Number(cubeSeconds.toFixed(1)), protectSeconds: Number(protectSeconds.toFixed(1)),
      cubeRows: cube.length, publishedRows: summary.rows, withheldRows: summary.withheldRows, counts: summary.cells, equations: summary.equations,
      primary: summary.primaryCells, secondary: summary.secondaryCells, suppressedShare: Number(summary.suppressedShare.toFixed(3)),
      rounds: summary.rounds, auditPassed: summary.auditPassed, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await lake.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '5000,1000000' },
      dir: { type: 'string', default: tmpdir() },
      keep: { type: 'boolean', default: false },
      'prepare-only': { type: 'boolean', default: false },
    },
  });
  const sizes = values.people.split(',').map((n) => Number(n.replace(/_/g, '')));
  console.log(`# outcomes benchmark, ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const people of sizes) {
    const dir = path.join(values.dir, `c2c-bench-outcomes-${people}`);
    const prepareSeconds = await prepare(dir, people);
    console.log(JSON.stringify({ people, prepareSeconds: Number(prepareSeconds.toFixed(1)) }));
    if (!values['prepare-only']) console.log(JSON.stringify({ people, ...(await measure(dir)), load: loadavg()[0]?.toFixed(1) }));
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
