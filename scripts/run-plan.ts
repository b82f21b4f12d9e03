/**
 * Runs one plan (core/plan/plan.ts) with the TypeScript interpreter on DuckDB and prints its run
 * summary as JSON on stdout. It is the DuckDB side of the Spark runner's parity test
 * (glue-jobs/tests/test_parity.py, docs/spark-runner.md), and handy for trying a plan by hand.
 *
 *   node --import tsx scripts/run-plan.ts --plan <plan.json> --root <dir>
 *        [--inputs <dir>] [--setup <fixtures.json>] [--tables <dir>] [--write-plan <file>]
 *   node --import tsx scripts/run-plan.ts --linkage <settings.json> --root <dir> [...]
 *   node --import tsx scripts/run-plan.ts --linked --root <dir> [...]
 *   node --import tsx scripts/run-plan.ts --cube --root <dir> [...]
 *
 * --plan        a plan document (JSON), checked by parsePlan
 * --linkage     instead of --plan: linkage settings; runs their whole linkage plan (core/linkage/plan.ts)
 *               over `records.parquet`, writing `out/comparison_vectors.parquet`
 * --linked      instead of --plan: the linked-tables plan (core/linked/plan.ts) over the datasets with
 *               Parquet under raw/<dataset>/partner=<partner> (after --setup), identity/person_xwalk.parquet
 *               and identity/identity_records.parquet, writing linked/<table>.parquet
 * --cube        instead of --plan: the outcome-cube plan (core/outcomes/cube-plan.ts) over
 *               linked/<table>.parquet, writing outcomes/outcome_cube.parquet
 * --root        plan locations are paths under this folder (parents of outputs are created)
 * --inputs      inputs are read under this folder instead of --root (so that another engine can
 *               read the very same files and write elsewhere)
 * --setup       before the run, write fixture Parquet with DuckDB under --inputs (or --root):
 *               { "files": { "<location>": { "sql": "SELECT ...", "partitionBy": ["col", ...] } } }
 *               (sql may be a list of lines, joined by newlines; partitionBy optional: a directory
 *               of key=value sub-directories, as outputs are)
 * --tables      after the run, write every sql-step table as it ends up to <dir>/<table>.parquet,
 *               and their DuckDB column types to <dir>/schema.json: { table: [[column, type], ...] }
 * --write-plan  write the plan document that was run (JSON) to this file, e.g. the linkage plan
 *
 * Exits 1 with the error (and its cause) on stderr if anything fails.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { identitySources } from '../core/identity/sources';
import { rawLocation } from '../core/identity/plan';
import { linkedTablesPlan } from '../core/linked/plan';
import { linkagePlan } from '../core/linkage/plan';
import { outcomeCubePlan } from '../core/outcomes/cube-plan';
import { parseLinkageSettings } from '../core/linkage/settings';
import { parsePlan, type Plan, type Step } from '../core/plan/plan';
import { runPlan, type LocationResolver } from '../core/plan/run';
import { sqlString } from '../core/validation/sql';

const USAGE = 'usage: node --import tsx scripts/run-plan.ts (--plan <plan.json> | --linkage <settings.json> | --linked | --cube) --root <dir> ' +
  '[--inputs <dir>] [--setup <fixtures.json>] [--tables <dir>] [--write-plan <file>]';

/** Where the linkage plan reads its records and writes its outputs. */
const LINKAGE_INPUT = 'records.parquet';
const LINKAGE_OUTPUTS = {
  predictions: 'out/predictions.parquet',
  clusters: 'out/clusters.parquet',
  parameters: 'out/parameters.parquet',
  training: 'out/training.parquet',
  clusterConflicts: 'out/cluster_conflicts.parquet',
};

/** Where the linked-tables plan reads the identity zone and writes the linked tables (as core/identity/link.ts). */
const LINKED_LOCATIONS = { personXwalk: 'identity/person_xwalk.parquet', identityRecords: 'identity/identity_records.parquet', linkedFolder: 'linked' };

interface FixtureFile {
  readonly sql: string;
  readonly partitionBy?: readonly string[];
}

/** Plan locations as paths under a folder, as test/plan/fixtures.ts binds them; inputs may be read elsewhere. */
function underFolder(root: string, inputs = root): LocationResolver {
  return (location, access) => {
    const resolved = path.join(access === 'read' ? inputs : root, location);
    if (access === 'write') mkdirSync(path.dirname(resolved), { recursive: true });
    return resolved;
  };
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}

function fixtureFiles(document: unknown, file: string): [string, FixtureFile][] {
  const files = (document as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new Error(`fixtures ${file}: "files" must be an object of location → { sql, partitionBy? }`);
  return Object.entries(files).map(([location, spec]) => {
    const { sql: lines, partitionBy } = (spec ?? {}) as { sql?: unknown; partitionBy?: unknown };
    const sql = Array.isArray(lines) && lines.every((l) => typeof l === 'string') ? lines.join('\n') : lines;
    if (typeof sql !== 'string' || sql.trim() === '') throw new Error(`fixtures ${file}: ${location} needs "sql", a SELECT (a string or a list of lines)`);
    if (partitionBy !== undefined && !(Array.isArray(partitionBy) && partitionBy.length > 0 && partitionBy.every((c) => typeof c === 'string' && /^[a-z_][a-z0-9_]*$/.test(c)))) {
      throw new Error(`fixtures ${file}: ${location}: "partitionBy" must be a non-empty list of column names`);
    }
    return [location, { sql, partitionBy: partitionBy as string[] | undefined }];
  });
}

async function writeFixtures(engine: DuckDbEngine, root: string, file: string): Promise<void> {
  for (const [location, fixture] of fixtureFiles(readJson(file, 'fixtures'), file)) {
    const target = path.join(root, location);
    mkdirSync(fixture.partitionBy ? target : path.dirname(target), { recursive: true });
    const options = ['FORMAT parquet', ...(fixture.partitionBy ? [`PARTITION_BY (${fixture.partitionBy.join(', ')})`, 'OVERWRITE'] : [])];
    await engine.run(`COPY (${fixture.sql}) TO ${sqlString(target)} (${options.join(', ')})`);
  }
}

/** As rawIdentityInputs: contract id → raw location, for the datasets with Parquet under the folder. */
function rawInputsUnder(folder: string): Record<string, string> {
  const hasParquet = (dir: string): boolean => existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
  return Object.fromEntries(identitySources().flatMap(({ contract }) => (hasParquet(path.join(folder, rawLocation(contract))) ? [[contract.id, rawLocation(contract)]] : [])));
}

/** The sql steps' tables, loop bodies included, in the order they are first made. */
function sqlTables(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => (step.kind === 'sql' ? [step.name] : sqlTables(step.body)));
}

/** Every sql-step table as Parquet, and the DuckDB types of their columns (Parquet loses some: HUGEINT). */
async function writeTables(engine: DuckDbEngine, plan: Plan, folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const schema: Record<string, [string, string][]> = {};
  for (const table of new Set(sqlTables(plan.steps))) {
    await engine.run(`COPY (SELECT * FROM ${table}) TO ${sqlString(path.join(folder, `${table}.parquet`))} (FORMAT parquet)`);
    const columns = await engine.query(`DESCRIBE SELECT * FROM ${table}`);
    schema[table] = columns.map((c) => [String(c.column_name), String(c.column_type)]);
  }
  writeFileSync(path.join(folder, 'schema.json'), `${JSON.stringify(schema)}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      plan: { type: 'string' },
      linkage: { type: 'string' },
      linked: { type: 'boolean' },
      cube: { type: 'boolean' },
      root: { type: 'string' },
      inputs: { type: 'string' },
      setup: { type: 'string' },
      tables: { type: 'string' },
      'write-plan': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const sources = [values.plan !== undefined, values.linkage !== undefined, values.linked === true, values.cube === true];
  if (!values.root || sources.filter(Boolean).length !== 1) throw new Error(USAGE);
  const root = path.resolve(values.root);
  const inputs = path.resolve(values.inputs ?? values.root);

  const engine = await DuckDbEngine.open();
  try {
    mkdirSync(root, { recursive: true });
    // Fixtures first: the linked-tables plan reads the datasets they hold.
    if (values.setup) await writeFixtures(engine, inputs, values.setup);
    const plan: Plan = values.plan !== undefined ? parsePlan(readJson(values.plan, 'plan'))
      : values.linkage !== undefined ? linkagePlan(parseLinkageSettings(readJson(values.linkage, 'linkage settings')), LINKAGE_INPUT, LINKAGE_OUTPUTS)
        : values.linked ? linkedTablesPlan(rawInputsUnder(inputs), LINKED_LOCATIONS)
          : outcomeCubePlan();
    if (values['write-plan']) {
      mkdirSync(path.dirname(path.resolve(values['write-plan'])), { recursive: true });
      writeFileSync(values['write-plan'], `${JSON.stringify(plan, null, 2)}\n`);
    }
    const summary = await runPlan(plan, engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(root, inputs) });
    if (values.tables) await writeTables(engine, plan, path.resolve(values.tables));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    engine.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? `\ncause: ${error.cause.message}` : '';
  process.stderr.write(`run-plan: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
  process.exitCode = 1;
});
