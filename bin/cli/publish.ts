/**
 * `c2c publish`: the outcome cube of a local lake's linked zone, disclosure control, and the
 * published cube; and the few headline outcomes the demo prints from it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from '../../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { metricById } from '../../core/outcomes/metrics';
import { publishOutcomes, type PublishSummary } from '../../core/outcomes/publish';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import type { SqlEngine, SqlRow } from '../../core/ports/sql-engine';
import { sqlString } from '../../core/validation/sql';
import { planExecutor, type PlanEngine } from './engines';
import { UsageError } from './errors';
import { Progress } from './progress';
import { table } from './table';

export interface PublishOptions {
  readonly threshold?: number;
  readonly protection?: number;
}

export async function publishLake(lakeDir: string, options: PublishOptions, progress: Progress, engine: PlanEngine = 'duckdb'): Promise<{ summary: PublishSummary; headlines: string }> {
  const lake = await openLocalLake(lakeDir, PLAN_ENGINE_OPTIONS);
  try {
    const executePlan = planExecutor(engine, lake.store.root);
    const summary = await progress.stage('outcomes: cube, disclosure control and audit, publish', (report) => {
      let stages = 0;
      return publishOutcomes({
        store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root), executePlan, runId: randomUUID(), options,
        onStage: () => report((stages += 1), 3, 'stages'),
      });
    });
    return { summary, headlines: await headlines(lake.engine, path.join(lake.store.root, ...PUBLISHED_LOCATIONS.parquet.split('/'))) };
  } finally {
    await lake.close();
  }
}

export function publishSummaryText({ protection: p, ...summary }: PublishSummary): string {
  const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;
  return `Published ${summary.rows.toLocaleString('en-US')} outcome rows (data through ${summary.dataThroughYear}). Disclosure control over ${p.cells.toLocaleString('en-US')} counts ` +
    `and ${p.equations.toLocaleString('en-US')} equations: ${p.primaryCells.toLocaleString('en-US')} below ${p.threshold} or with a small complement, ` +
    `${p.secondaryCells.toLocaleString('en-US')} more to protect them, ${percent(p.suppressedShare)} of counts hidden; the LP audit ${p.auditPassed ? 'passed' : 'FAILED'} ` +
    `(every hidden small count keeps an interval at least ${p.protection} wide).`;
}

/** The latest cohort year's total and groups of a few metrics, as published (suppressed values say so). */
async function headlines(engine: SqlEngine, parquet: string): Promise<string> {
  const published = `read_parquet(${sqlString(parquet)})`;
  const sections: string[] = [];
  const show = async (metricId: string, breakdown: string, wages: boolean): Promise<void> => {
    const [latest] = await engine.query(`SELECT MAX(cohort_year) AS year FROM ${published} WHERE metric_id = ${sqlString(metricId)} AND grouping_set = '' AND rate IS NOT NULL`);
    if (latest?.year === null || latest?.year === undefined) return;
    const rows = await engine.query(`SELECT * FROM ${published} WHERE metric_id = ${sqlString(metricId)} AND cohort_year = ${Number(latest.year)} AND grouping_set IN ('', ${sqlString(breakdown)}) ORDER BY grouping_set, cohort_count DESC NULLS LAST, ${breakdown}`);
    const cell = (value: unknown, reason: unknown, format: (v: number) => string): string => (reason ? `suppressed (${String(reason)})` : value === null ? '' : format(Number(value)));
    const body = rows.map((r: SqlRow) => [
      r.grouping_set === '' ? 'all' : String(r[breakdown]),
      cell(r.cohort_count, r.cohort_count_suppressed, (v) => v.toLocaleString('en-US')),
      cell(r.rate, r.rate_suppressed, (v) => `${(100 * v).toFixed(1)}%`),
      ...(wages ? [cell(r.wage_median, r.wages_suppressed, (v) => `$${v.toLocaleString('en-US')}`)] : []),
    ]);
    sections.push(`${metricById(metricId).title}, cohort ${String(latest.year)}, by ${breakdown.replace('_', ' ')}:\n` +
      table(['group', 'cohort', 'rate', ...(wages ? ['median wage'] : [])], body));
  };
  await show('hs_college_going_12m', 'race_ethnicity', false);
  await show('employment_wages_1y', 'award_level', true);
  await show('teacher_employed_1y', 'credential_type', false);
  return sections.join('\n\n');
}

const count = (name: string) => (text: string): number => {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 2 || value > 1000) throw new InvalidArgumentError(`${name} must be a whole number from 2 to 1,000.`);
  return value;
};

export function registerPublish(program: Command): void {
  program.command('publish')
    .description('Build the outcome cube from a local lake\'s linked zone, apply disclosure control (audited), and publish it to published/outcomes/.')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders), linked by `c2c link`')
    .option('--threshold <n>', 'counts from 1 to n − 1 are suppressed (default 11: 1–10 hidden, zero published)', count('--threshold'))
    .option('--protection <n>', 'interval width each small count must keep against every published count (default: the threshold)', count('--protection'))
    .action(async (opts: { lake: string; threshold?: number; protection?: number }) => {
      if (!existsSync(path.join(opts.lake, 'linked', 'persons.parquet'))) throw new UsageError(`${opts.lake} has no linked tables; run c2c link --lake ${opts.lake} first`);
      const { summary, headlines: text } = await publishLake(opts.lake, opts, new Progress());
      console.log(publishSummaryText(summary));
      console.log(`\n${text}`);
    });
}
