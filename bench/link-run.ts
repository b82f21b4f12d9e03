/**
 * One timed linkage run over an ingested local lake, in a process of its own so that its peak
 * memory is its own (bench/link.ts starts it): the identity records from raw/, then the linkage
 * plan of the C2C model (standardize, block, train, predict, cluster), on DuckDB with all cores.
 * Prints one line of JSON: times, each step's rows and time, counts, peak RSS. Usage:
 *   tsx bench/link-run.ts <lake dir> <threads> <memory limit>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lakeLocations } from '../adapters/lake/local-lake';
import { LocalFolderStore } from '../adapters/object-store/local-folder';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { c2cLinkageSettings, LINK_LOCATIONS } from '../core/identity/link';
import { IDENTITY_RECORDS_LOCATION, identityRecordsPlan, rawIdentityInputs } from '../core/identity/plan';
import { linkagePlan } from '../core/linkage/plan';
import { runPlan, type PlanRun, type StepRun } from '../core/plan/run';

export interface StepTime {
  readonly step: string;
  readonly rows: number;
  readonly seconds: number;
}

export interface LinkRun {
  readonly threads: number;
  readonly identitySeconds: number;
  readonly linkageSeconds: number;
  /** CPU seconds of the linkage (all threads): what contention from other processes does not inflate. */
  readonly linkageCpuSeconds: number;
  readonly identityRecords: number;
  readonly candidatePairs: number;
  readonly emIterations: number;
  readonly propagationPasses: number;
  readonly clusters: number;
  readonly peakRssMb: number;
  readonly steps: readonly StepTime[];
}

/** Loops are summed over their passes, each step once with its rows in the last pass. */
export function stepTimes(run: PlanRun): StepTime[] {
  const times = new Map<string, { rows: number; ms: number }>();
  const add = (step: StepRun): void => {
    if (step.kind === 'sql') {
      const seen = times.get(step.name);
      times.set(step.name, { rows: step.rows, ms: (seen?.ms ?? 0) + step.ms });
    } else {
      for (const iteration of step.iterations) iteration.steps.forEach(add);
    }
  };
  run.steps.forEach(add);
  for (const output of run.outputs) times.set(`write ${output.table}`, { rows: output.rows, ms: output.ms });
  return [...times].map(([step, t]) => ({ step, rows: t.rows, seconds: t.ms / 1000 }));
}

async function main(): Promise<void> {
  const [lakeDir, threadsText, memoryLimit] = process.argv.slice(2);
  if (!lakeDir || !threadsText || !memoryLimit) throw new Error('usage: link-run.ts <lake dir> <threads> <memory limit>');
  const threads = Number(threadsText);
  const spill = mkdtempSync(path.join(tmpdir(), 'c2c-link-spill-'));
  const engine = await DuckDbEngine.open({ threads, memoryLimit, tempDirectory: spill });
  try {
    const store = new LocalFolderStore(lakeDir);
    const options = { dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lakeDir) };
    // What `c2c link` runs (core/identity/link.ts), less the stable ids, with each step's time.
    const identity = await runPlan(identityRecordsPlan(await rawIdentityInputs(store)), engine, options);
    const cpu = process.cpuUsage();
    const linkage = await runPlan(linkagePlan(c2cLinkageSettings(), IDENTITY_RECORDS_LOCATION, LINK_LOCATIONS.linkage), engine, options);
    const used = process.cpuUsage(cpu);
    const [training] = await engine.query('SELECT iteration FROM training');
    const [clusters] = await engine.query('SELECT count(DISTINCT cluster_id) AS n FROM clusters');
    const steps = stepTimes(linkage);
    const rows = (step: string): number => steps.find((s) => s.step === step)?.rows ?? 0;
    const propagation = linkage.steps.find((s) => s.name === 'propagate_labels');
    const result: LinkRun = {
      threads,
      identitySeconds: identity.ms / 1000,
      linkageSeconds: linkage.ms / 1000,
      linkageCpuSeconds: (used.user + used.system) / 1e6,
      identityRecords: rows('standardized'),
      candidatePairs: rows('candidate_pairs'),
      emIterations: Number(training?.iteration ?? 0),
      propagationPasses: propagation?.kind === 'loop' ? propagation.iterations.length : 0,
      clusters: Number(clusters?.n ?? 0),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      steps,
    };
    console.log(JSON.stringify(result));
  } finally {
    engine.close();
    rmSync(spill, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
