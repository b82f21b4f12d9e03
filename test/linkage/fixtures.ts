/** The example settings, person records written as Parquet, and the comparison plan run on DuckDB. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import type { SqlEngine } from '../../core/ports/sql-engine';
import { comparisonPlan } from '../../core/linkage/plan';
import { parseLinkageSettings, type LinkageSettings } from '../../core/linkage/settings';
import { runPlan, type PlanRun } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';
import { underFolder, writeParquet } from '../plan/fixtures';

export const EXAMPLE_FILE = path.join(__dirname, 'example-settings.json');

export function exampleDocument(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8')) as Record<string, unknown>;
}

export function exampleSettings(changes: Partial<LinkageSettings> = {}): LinkageSettings {
  return parseLinkageSettings({ ...exampleDocument(), ...changes });
}

/** A record in the example's input columns; what is left out is NULL. */
export interface PersonRecord {
  readonly id: number;
  readonly partner?: string;
  readonly first?: string | null;
  readonly last?: string | null;
  /** YYYY-MM-DD */
  readonly dob?: string | null;
  readonly ssn?: string | null;
  readonly ssid?: string | null;
}

function text(value: string | null | undefined): string {
  return value === undefined || value === null ? 'NULL' : sqlString(value);
}

/** The records as a SELECT with the example's input columns and types (dob a DATE). */
export function recordsSql(records: readonly PersonRecord[]): string {
  const rows = records.map((r) => `(${r.id}, ${text(r.partner ?? 'k12')}, ${text(r.first)}, ${text(r.last)}, ${text(r.dob)}, ${text(r.ssn)}, ${text(r.ssid)})`);
  return 'SELECT CAST(record_id AS INTEGER) AS record_id, partner, CAST(first_name AS VARCHAR) AS first_name, CAST(last_name AS VARCHAR) AS last_name, ' +
    'CAST(dob AS DATE) AS dob, CAST(ssn AS VARCHAR) AS ssn, CAST(ssid AS VARCHAR) AS ssid ' +
    `FROM (VALUES ${rows.join(', ')}) AS t(record_id, partner, first_name, last_name, dob, ssn, ssid)`;
}

export const OUTPUT = 'out/comparison_vectors.parquet';

/** Writes the records under dir and runs the comparison plan on them; its tables stay in the engine. */
export async function runComparison(engine: SqlEngine, dir: string, settings: LinkageSettings, records: readonly PersonRecord[]): Promise<PlanRun> {
  await writeParquet(engine, dir, 'records.parquet', recordsSql(records));
  return runPlan(comparisonPlan(settings, 'records.parquet', OUTPUT), engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(dir) });
}
