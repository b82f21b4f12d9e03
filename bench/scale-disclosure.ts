/**
 * Disclosure control of a larger state's cube, approximated from a measured one (docs/scale.md):
 * the outcome cube of a lake (outcomes/, e.g. the 1M-record lake bench/scale.ts keeps) with every
 * cohort and event count multiplied by --factor, as if each group held that many times the people
 * in the same shares (rates and wage percentiles unchanged), then protectCube as the publish task
 * runs it, for each factor given (1: the cube as measured). The cube's rows stay those
 * of the smaller state: groups too rare to appear in it are missing from the larger one too, so
 * the larger cube is a little short of rows, and its counts are exact multiples.
 *   npx tsx bench/scale-disclosure.ts --lake DIR [--factors 162]
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from '../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { BREAKDOWN_IDS } from '../core/outcomes/breakdowns';
import { CUBE_LOCATIONS } from '../core/outcomes/cube-plan';
import { protectCube, type CubeRow } from '../core/outcomes/protect';
import { readOutputSql } from '../core/plan/run';

async function readCube(lakeDir: string): Promise<CubeRow[]> {
  const lake = await openLocalLake(lakeDir, PLAN_ENGINE_OPTIONS);
  try {
    const cube = await readOutputSql({ dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) }, CUBE_LOCATIONS.cube);
    // The order publishCube reads it in: disclosure control breaks ties by position.
    return (await lake.engine.query(`SELECT * FROM ${cube} ORDER BY metric_id, cohort_year, grouping_set, ${BREAKDOWN_IDS.join(', ')}`)) as unknown as CubeRow[];
  } finally {
    await lake.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { lake: { type: 'string' }, factors: { type: 'string', default: '162' } } });
  if (values.lake === undefined) throw new Error('usage: scale-disclosure.ts --lake DIR [--factors 162]');
  const cube = await readCube(path.resolve(values.lake));
  for (const factor of values.factors.split(',').map(Number)) {
    const scaled = cube.map((row) => ({ ...row, cohort_count: Number(row.cohort_count) * factor, event_count: Number(row.event_count) * factor }));
    const load = loadavg().map((l) => Number(l.toFixed(2)));
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const { summary } = await protectCube(scaled);
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({
      factor, cubeRows: cube.length, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6,
      ...summary, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), loadBefore: load, loadAfter: loadavg().map((l) => Number(l.toFixed(2))),
    }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
