/** Plans the tests run (JSON files, so the Spark runner's parity test can run them too) and their data. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import type { SqlEngine, SqlRow } from '../../core/ports/sql-engine';
import type { LocationResolver } from '../../core/plan/run';
import { sqlString } from '../../core/validation/sql';

const PLANS = path.join(__dirname, 'plans');

export const PLAN_FILES: readonly string[] = readdirSync(PLANS).filter((f) => f.endsWith('.json')).sort();

export function planDocument(file: string): unknown {
  return JSON.parse(readFileSync(path.join(PLANS, file), 'utf8'));
}

/** Plan locations relative to a folder, as the local runner binds them. */
export function underFolder(root: string): LocationResolver {
  return (location, access) => {
    const resolved = path.join(root, location);
    if (access === 'write') mkdirSync(path.dirname(resolved), { recursive: true });
    return resolved;
  };
}

/** Writes the rows of a SELECT (or VALUES) to a Parquet file under root. */
export async function writeParquet(engine: SqlEngine, root: string, file: string, select: string): Promise<void> {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  await engine.run(`COPY (${select}) TO ${sqlString(target)} (FORMAT parquet)`);
}

export async function readParquet(engine: SqlEngine, file: string, orderBy: string): Promise<SqlRow[]> {
  return engine.query(`SELECT * FROM read_parquet(${sqlString(file)}) ORDER BY ${orderBy}`);
}

export const STUDENTS = "SELECT * FROM (VALUES (1, 'Lincoln', 9), (2, 'Lincoln', 10), (3, 'Roosevelt', 9), (4, 'Roosevelt', 9), (5, 'Lincoln', 9)) AS t(student_id, school, grade)";

/** A new DuckDB and an empty folder for each test of the file, both gone after it. */
export function freshEngineAndFolder(): { readonly engine: DuckDbEngine; readonly dir: string } {
  const fresh = {} as { engine: DuckDbEngine; dir: string };
  beforeEach(async () => {
    fresh.engine = await DuckDbEngine.open();
    fresh.dir = mkdtempSync(path.join(tmpdir(), 'c2c-plan-'));
  });
  afterEach(() => {
    fresh.engine.close();
    rmSync(fresh.dir, { recursive: true, force: true });
  });
  return fresh;
}
