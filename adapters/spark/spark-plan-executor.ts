/**
 * Runs plans on local Spark with the Glue job's own entry point (glue-jobs/c2c_glue/glue_job.py,
 * docs/spark-runner.md), in the project's virtualenv, over a local lake: the same runner the
 * cloud pipeline runs in Glue, so `c2c run --engine spark` tries the Glue path on a laptop.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PlanError, type Plan } from '../../core/plan/plan';
import type { PlanExecutor, PlanRun } from '../../core/plan/run';

const GLUE_JOBS = path.resolve(__dirname, '..', '..', 'glue-jobs');
export const SPARK_PYTHON = path.join(GLUE_JOBS, '.venv', 'bin', 'python');

export class SparkUnavailableError extends Error {}

/**
 * `lakeRoot`: plan locations are paths under it; `workDir`: where each run's plan file and log go
 * (the log can quote data, as an engine's messages can, so it belongs with the lake, not on screen).
 */
export function sparkPlanExecutor(lakeRoot: string, workDir: string): PlanExecutor {
  if (!existsSync(SPARK_PYTHON)) {
    throw new SparkUnavailableError(`Spark's virtualenv is not set up (${path.relative(process.cwd(), SPARK_PYTHON)} is missing); run bash glue-jobs/scripts/setup-venv.sh once`);
  }
  return async (plan: Plan): Promise<PlanRun> => {
    const runId = `local-${randomUUID()}`;
    await mkdir(workDir, { recursive: true });
    const planFile = path.join(workDir, `${plan.name}-${runId}.json`);
    const logFile = path.join(workDir, `${plan.name}-${runId}.log`);
    await writeFile(planFile, JSON.stringify(plan));
    const args = ['-m', 'c2c_glue.glue_job', '--plan', planFile, '--bindings', '{}', '--run_id', runId, '--root', path.resolve(lakeRoot)];
    const lines = await run(args, logFile);
    // The job prints progress events, then its summary, one JSON object per line.
    const summary = lines.map(parseJson).reverse().find((event) => event !== null && 'steps' in event && 'outputs' in event);
    if (!summary) throw new PlanError(`plan ${plan.name} gave no run summary on Spark; see ${logFile}`);
    return summary as unknown as PlanRun;
  };
}

function parseJson(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Runs the job; resolves to its stdout lines, or rejects naming the log (never quoting it). */
function run(args: readonly string[], logFile: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(SPARK_PYTHON, args, { cwd: GLUE_JOBS, env: { ...process.env, PYTHONPATH: GLUE_JOBS }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      log.write(chunk);
    });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error) => reject(new SparkUnavailableError(`cannot start Spark's Python (${error.message})`)));
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolve(stdout.split('\n').filter((l) => l.trim() !== ''));
      else reject(new PlanError(`the Spark job exited with code ${String(code)}; its log is ${logFile}`));
    });
  });
}
