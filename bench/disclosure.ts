/**
 * Disclosure control at the size of a statewide outcome cube: `npx tsx bench/disclosure.ts`
 * (`--metrics 20 --cohorts 5 --seed 1` are the defaults).
 *
 * Each metric × cohort year is an independent family of linked tables over race (9), gender (3),
 * disability (2), foster (2), homeless (2), county (58, grouped into 10 regions) and award level (5),
 * with grouping sets total, every single dimension and every pair (county and region both). Counts
 * come from a synthetic population of 1M people (200,000 per cohort year) with skewed, California-
 * like shares; each metric counts a share of its cohort. Times the system build, our suppression
 * (elimination, slack pass, LP-audited interval protection, final exact audit), and the naive
 * "next smallest cell" heuristic with the same audit, in the same run.
 */
import { performance } from 'node:perf_hooks';
import { auditSuppression, naiveSuppression, primarySuppression, suppressTableSystem, type Equation, type TableSystem } from '../core/disclosure';
import { linkedTables, seededRandom, type Dimension } from '../test/disclosure/linked-tables';

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const METRICS = argument('metrics', 20);
const COHORTS = argument('cohorts', 5);
const SEED = argument('seed', 1);
const COHORT_SIZE = 200_000;

/** Value shares per dimension, in the dimension order below (roughly California's). */
const COUNTY_SHARES = Array.from({ length: 58 }, (_, i) => (i === 0 ? 25 : 40 / (i + 1) ** 1.1));
const SHARES: readonly (readonly number[])[] = [
  [56, 21, 12, 5, 2.5, 2, 0.5, 0.5, 0.5], // race/ethnicity
  [49, 49, 2], // gender
  [87, 13], // disability
  [99.5, 0.5], // foster
  [97, 3], // homeless
  COUNTY_SHARES,
  [35, 25, 20, 15, 5], // award level
];
const DIMENSIONS: readonly Dimension[] = SHARES.map((shares, d) =>
  d === 5 ? { size: shares.length, groupOf: shares.map((_, county) => Math.min(9, Math.floor(county / 6))) } : { size: shares.length });
/** Each metric's denominator as a share of its cohort (enrolled, completed, employed, ...). */
const METRIC_SHARES = Array.from({ length: METRICS }, (_, m) => [1, 0.7, 0.5, 0.35, 0.2, 0.1, 0.05][m % 7] as number);

function cumulative(shares: readonly number[]): Float64Array {
  const sum = shares.reduce((a, b) => a + b, 0);
  let running = 0;
  return Float64Array.from(shares, (share) => (running += share / sum));
}

/** Inner counts (full cross of the dimensions) for `people` random people. */
function innerCounts(people: number, random: () => number): Int32Array {
  const cumulatives = SHARES.map(cumulative);
  const counts = new Int32Array(DIMENSIONS.reduce((n, d) => n * d.size, 1));
  for (let person = 0; person < people; person++) {
    let index = 0;
    cumulatives.forEach((cdf, d) => {
      const u = random();
      let value = 0;
      while (value < cdf.length - 1 && u > (cdf[value] as number)) value++;
      index = index * (DIMENSIONS[d] as Dimension).size + value;
    });
    counts[index] = (counts[index] as number) + 1;
  }
  return counts;
}

/** All families side by side in one system, cells and equations renumbered. */
function concatenate(systems: readonly TableSystem[]): TableSystem {
  const values: number[] = [];
  const equations: Equation[] = [];
  for (const system of systems) {
    const offset = values.length;
    values.push(...system.values);
    for (const { total, parts } of system.equations) equations.push({ total: total + offset, parts: parts.map((part) => part + offset) });
  }
  return { values, equations };
}

const seconds = (since: number): string => ((performance.now() - since) / 1000).toFixed(1);
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;

async function main(): Promise<void> {
  const random = seededRandom(SEED);
  let started = performance.now();
  const families: TableSystem[] = [];
  for (let cohort = 0; cohort < COHORTS; cohort++) {
    for (let metric = 0; metric < METRICS; metric++) {
      families.push(linkedTables(DIMENSIONS, innerCounts(Math.round(COHORT_SIZE * (METRIC_SHARES[metric] as number)), random)).system);
    }
  }
  const system = concatenate(families);
  console.log(`system: ${families.length} families, ${system.values.length.toLocaleString()} cells, ${system.equations.length.toLocaleString()} equations, built in ${seconds(started)} s`);

  started = performance.now();
  const ours = await suppressTableSystem(system);
  const oursSeconds = seconds(started);
  const loss = ours.informationLoss;
  console.log(`ours: ${oursSeconds} s (suppression and final audit); audit ${ours.audit.passed ? 'passed' : 'FAILED'}`);
  console.log(`  primary ${loss.primaryCells.toLocaleString()}, secondary ${loss.secondaryCells.toLocaleString()} (elimination ${ours.phases.eliminationSecondary}, slack ${ours.phases.slackSecondary}, protection ${ours.phases.protectionSecondary} in ${ours.phases.protectionRounds} rounds)`);
  console.log(`  suppressed ${percent(loss.suppressedShare)} of cells, ${percent(loss.suppressedPopulation / loss.population)} of the summed population`);

  started = performance.now();
  const reaudit = await auditSuppression(system, ours.suppressed, ours.primary);
  console.log(`  audit alone (fresh, every interval by LP or certificate): ${seconds(started)} s, ${reaudit.passed ? 'passed' : 'FAILED'}`);

  started = performance.now();
  const primary = primarySuppression(system);
  const naive = naiveSuppression(system, primary.map(({ cell }) => cell));
  const naiveSeconds = seconds(started);
  started = performance.now();
  const naiveAudit = await auditSuppression(system, naive, primary);
  const naiveLoss = (naive.length - primary.length) / 1;
  const naivePopulation = naive.reduce((sum, cell) => sum + (system.values[cell] as number), 0);
  console.log(`naive: ${naiveSeconds} s, audit ${seconds(started)} s; audit ${naiveAudit.passed ? 'passed' : 'FAILED'}: ${naiveAudit.exactlyRecovered.length} cells recovered exactly, ${naiveAudit.underProtected.length} primaries under-protected`);
  console.log(`  secondary ${naiveLoss.toLocaleString()}, suppressed ${percent(naive.length / system.values.length)} of cells, ${percent(naivePopulation / loss.population)} of the summed population`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
