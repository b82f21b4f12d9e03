/**
 * `c2c link-files`: the linker on its own, over any CSV files and a linkage settings document
 * (docs/linkage.md), without a lake. The files are read with DuckDB into one table of records,
 * each given a record id and its file's name as source; the linkage plan of core/linkage runs on
 * it as it does in `c2c link`; and, given a column holding the true entity, the clusters are
 * measured against it with the quality plan. Nothing printed quotes a value from the files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { TempWorkspace } from '../../adapters/workspace/temp-workspace';
import { linkagePlan, type LinkageOutputs } from '../../core/linkage/plan';
import { linkageQualityPlan } from '../../core/linkage/quality';
import { LinkageSettingsError, parseLinkageSettings, type LinkageSettings, type LinkType } from '../../core/linkage/settings';
import { runPlan, type PlanRun } from '../../core/plan/run';
import type { SqlEngine } from '../../core/ports/sql-engine';
import { GLOB_CHARACTERS, sqlIdentifier, sqlString } from '../../core/validation/sql';
import { UsageError } from './errors';
import { Progress } from './progress';
import { table } from './table';

export interface LinkFilesOptions {
  /** CSV files (gzip when named .gz), each with a header; one is deduplicated, several are linked. */
  readonly inputs: readonly string[];
  /** A linkage settings JSON document. */
  readonly settings: string;
  /** The folder the results are written to (created if need be; files of the same names are replaced). */
  readonly out: string;
  /** A column holding the true entity of each record: the clusters are then measured against it. */
  readonly truthColumn?: string;
  /** A regular expression whose first group, in the truth column's value, is the entity (e.g. `rec-(\d+)-`). */
  readonly truthPattern?: string;
  readonly delimiter?: string;
  /** DuckDB's threads and memory limit (beyond which it spills to a temporary folder). */
  readonly threads?: number;
  readonly memoryLimit?: string;
}

export interface LinkFilesQuality {
  /** Records with a truth, and the true entities among them. */
  readonly records: number;
  readonly persons: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly exactPersons: number;
  readonly splitPersons: number;
  readonly mergedClusters: number;
}

export interface LinkFilesSummary {
  readonly inputs: readonly { readonly source: string; readonly records: number }[];
  readonly records: number;
  /** What was run: link_only across several inputs, link_and_dedupe (a dedupe) of one. */
  readonly linkType: LinkType;
  /** Date values that were neither YYYY-MM-DD nor YYYYMMDD, read as missing, by field. */
  readonly unreadableDates: Readonly<Record<string, number>>;
  readonly candidatePairs: number;
  readonly emIterations: number;
  readonly converged: boolean;
  /** Pairs at or above the threshold that clustering followed. */
  readonly links: number;
  readonly clusters: number;
  /** Clusters of more than one record. */
  readonly linkedClusters: number;
  readonly clusterConflicts: number;
  readonly quality?: LinkFilesQuality;
  /** File name → what it holds, all in the output folder. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly seconds: number;
}

/** The files written to the output folder; the plan's tables keep their names. */
const OUTPUT_FILES = {
  predictions: 'predictions.parquet',
  clusters: 'clusters.parquet',
  parameters: 'parameters.parquet',
  training: 'training.parquet',
  clusterConflicts: 'cluster_conflicts.parquet',
} as const satisfies LinkageOutputs;
const CLUSTERS_CSV = 'clusters.csv';
const QUALITY_FILE = 'linkage_quality.parquet';

/** Columns of the records table besides the settings' recordId and source. */
const FILE_ROW = 'file_row';
const TRUTH = 'true_entity';

/**
 * A header as an identifier, as the settings name columns (`^[a-z_][a-z0-9_]*$`): trimmed,
 * lower-case, every run of other characters one underscore (" Given Name" → given_name).
 */
export function columnName(header: string): string {
  const name = header.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

interface InputFile {
  readonly file: string;
  readonly source: string;
  /** Normalized column name → header as in the file. */
  readonly columns: ReadonlyMap<string, string>;
}

export async function linkFiles(options: LinkFilesOptions, progress: Progress = new Progress()): Promise<LinkFilesSummary> {
  const started = performance.now();
  const fileSettings = await readSettings(options.settings);
  if (options.inputs.length === 0) throw new UsageError('give at least one --input CSV file');
  if (options.truthPattern !== undefined && options.truthColumn === undefined) throw new UsageError('--truth-pattern needs --truth-column');
  if (options.truthPattern !== undefined) checkPattern(options.truthPattern);
  // Several files are linked to each other only, one is deduplicated: the mode follows the inputs.
  const linkType: LinkType = options.inputs.length > 1 ? 'link_only' : 'link_and_dedupe';
  const settings = parseLinkageSettings({ ...fileSettings, linkType });

  const workspace = await TempWorkspace.create();
  const engine = await DuckDbEngine.open({
    threads: options.threads ?? availableParallelism(),
    memoryLimit: options.memoryLimit ?? '2GB',
    tempDirectory: workspace.newFile('duckdb-spill').path,
  });
  try {
    const inputs = await progress.stage(`read ${options.inputs.length} CSV file${options.inputs.length > 1 ? 's' : ''}`, () => describeInputs(engine, options));
    checkColumns(inputs, settings, options.truthColumn);
    const recordsFile = workspace.newFile('records.parquet').path;
    const read = await progress.stage('prepare the records', () => writeRecords(engine, inputs, settings, options, recordsFile));

    await mkdir(options.out, { recursive: true });
    const out = (file: string): string => path.resolve(options.out, file);
    const outputs = Object.fromEntries(Object.entries(OUTPUT_FILES).map(([key, file]) => [key, out(file)])) as unknown as LinkageOutputs;
    const run = await progress.stage('link (standardize, block, train, predict, cluster)', () =>
      runPlan(linkagePlan(settings, recordsFile, outputs), engine, { dialect: duckDbPlanDialect }));
    // The plan's tables stay in the session: its clusters, with each record's file and row.
    await engine.run(`COPY (SELECT r.${settings.source} AS source, r.${FILE_ROW}, c.record_id, c.cluster_id FROM clusters c ` +
      `JOIN records r ON r.${settings.recordId} = c.record_id ORDER BY c.record_id) TO ${sqlString(out(CLUSTERS_CSV))} (FORMAT csv, HEADER)`);
    const counts = await runCounts(engine, run);

    let quality: LinkFilesQuality | undefined;
    if (options.truthColumn !== undefined) {
      const truthFile = workspace.newFile('truth.parquet').path;
      await engine.run(`COPY (SELECT ${settings.recordId} AS record_id, ${TRUTH} AS person_id FROM records WHERE ${TRUTH} IS NOT NULL) TO ${sqlString(truthFile)} (FORMAT parquet)`);
      quality = await progress.stage('measure the clusters against the truth', () => measure(outputs.clusters, truthFile, out(QUALITY_FILE)));
    }
    return {
      inputs: inputs.map((input, i) => ({ source: input.source, records: read.records[i] ?? 0 })),
      records: read.records.reduce((sum, n) => sum + n, 0),
      linkType,
      unreadableDates: read.unreadableDates,
      ...counts,
      ...(quality ? { quality } : {}),
      outputs: {
        [OUTPUT_FILES.predictions]: 'every candidate pair: record ids, match weight and probability, comparison vector',
        [OUTPUT_FILES.clusters]: 'record_id, cluster_id for every record',
        [CLUSTERS_CSV]: `source, ${FILE_ROW} (the record's row in its file, from 1), record_id, cluster_id`,
        [OUTPUT_FILES.parameters]: 'the trained m and u of every comparison level',
        [OUTPUT_FILES.training]: 'λ, EM\'s passes and whether it converged',
        [OUTPUT_FILES.clusterConflicts]: 'pairs of one input in one cluster without a link of their own',
        ...(quality ? { [QUALITY_FILE]: 'pairwise precision, recall and F1 against the truth column' } : {}),
      },
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    engine.close();
    await workspace.clear();
  }
}

async function readSettings(file: string): Promise<LinkageSettings> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new UsageError(`settings file ${file} does not exist`);
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`settings file ${file} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parseLinkageSettings(document);
  } catch (error) {
    // Its message names every problem by its JSON path (/comparisons/0/levels/2) or by comparison and level.
    if (error instanceof LinkageSettingsError) throw new UsageError(`settings file ${file}: ${error.message}`);
    throw error;
  }
}

function checkPattern(pattern: string): void {
  let groups: number;
  try {
    groups = new RegExp(`${pattern}|`).exec('')?.length ?? 0;
  } catch {
    throw new UsageError('--truth-pattern is not a regular expression');
  }
  if (groups < 2) throw new UsageError('--truth-pattern needs a group, (…), around the entity');
}

/** A relation over a CSV file: the dialect given, every field text, nothing guessed (docs/PITFALLS: the sniffer). */
function readCsv(file: string, delimiter: string): string {
  return `read_csv(${sqlString(file)}, header = true, all_varchar = true, delim = ${sqlString(delimiter)}, quote = '"', escape = '"')`;
}

async function describeInputs(engine: SqlEngine, options: LinkFilesOptions): Promise<InputFile[]> {
  const inputs: InputFile[] = [];
  for (const file of options.inputs) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new UsageError(`input ${file} is not a file`);
    if (GLOB_CHARACTERS.test(path.resolve(file))) throw new UsageError(`input ${file}: a path with *, ?, [, ], { or } would be read as a pattern; rename it`);
    const source = path.basename(file);
    if (inputs.some((i) => i.source === source)) throw new UsageError(`two inputs are named ${source}; records take their file's name as source, so rename one`);
    const rows = await inEngine(`input ${file} could not be read as CSV with a header (delimiter ${JSON.stringify(options.delimiter ?? ',')})`,
      () => engine.query(`DESCRIBE SELECT * FROM ${readCsv(path.resolve(file), options.delimiter ?? ',')}`));
    const columns = new Map<string, string>();
    for (const header of rows.map((r) => String(r.column_name))) {
      const name = columnName(header);
      if (columns.has(name)) throw new UsageError(`input ${file}: two columns are both named ${name} once normalized`);
      columns.set(name, header);
    }
    inputs.push({ file: path.resolve(file), source, columns });
  }
  return inputs;
}

/** The input columns the settings read, each with what reads it. */
function neededColumns(settings: LinkageSettings, truthColumn: string | undefined): Map<string, string> {
  const needed = new Map<string, string>();
  for (const field of settings.fields) needed.set(field.column ?? field.name, `field ${field.name}`);
  if (truthColumn !== undefined) needed.set(columnName(truthColumn), '--truth-column');
  return needed;
}

function checkColumns(inputs: readonly InputFile[], settings: LinkageSettings, truthColumn: string | undefined): void {
  const needed = neededColumns(settings, truthColumn);
  for (const made of [settings.recordId, settings.source, FILE_ROW, TRUTH]) {
    if (needed.has(made)) throw new UsageError(`link-files makes column ${made} (the settings' recordId and source, ${FILE_ROW}, ${TRUTH}); ${needed.get(made)} cannot read it`);
  }
  if ([FILE_ROW, TRUTH].includes(settings.recordId) || [FILE_ROW, TRUTH].includes(settings.source)) {
    throw new UsageError(`the settings' recordId and source may not be ${FILE_ROW} or ${TRUTH}, which link-files uses itself`);
  }
  const problems = inputs.flatMap((input) => [...needed]
    .filter(([column]) => !input.columns.has(column))
    .map(([column, user]) => `${input.source} has no column ${column} (needed by ${user}); its columns are ${[...input.columns.keys()].join(', ')}`));
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}

/** Writes the records of every input to one Parquet file, and counts them and their unreadable dates. */
async function writeRecords(engine: SqlEngine, inputs: readonly InputFile[], settings: LinkageSettings, options: LinkFilesOptions, target: string):
  Promise<{ records: number[]; unreadableDates: Record<string, number> }> {
  const dateFields = new Set(settings.fields.filter((f) => f.kind === 'date').map((f) => f.column ?? f.name));
  const columns = [...neededColumns(settings, undefined).keys()];
  const truth = options.truthColumn === undefined ? undefined : columnName(options.truthColumn);
  const selects: string[] = [];
  const records: number[] = [];
  let offset = 0;
  for (const [i, input] of inputs.entries()) {
    // A table keeps the file's order, so rowid is the record's row in its file.
    const table = `input_${i}`;
    await inEngine(`input ${input.source} could not be read as CSV (check its delimiter, quotes and that every row has the header's fields)`,
      () => engine.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${readCsv(input.file, options.delimiter ?? ',')}`));
    const count = Number((await engine.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);
    const value = (column: string): string => sqlIdentifier(input.columns.get(column) as string);
    const selected = [
      `${offset} + rowid + 1 AS ${settings.recordId}`,
      `${sqlString(input.source)} AS ${settings.source}`,
      `rowid + 1 AS ${FILE_ROW}`,
      ...columns.map((c) => (dateFields.has(c) ? `${dateOf(value(c))} AS ${c}` : `${value(c)} AS ${c}`)),
      ...(truth === undefined ? [] : [`NULLIF(${truthOf(value(truth), options.truthPattern)}, '') AS ${TRUTH}`]),
    ];
    selects.push(`SELECT ${selected.join(', ')} FROM ${table}`);
    records.push(count);
    offset += count;
  }
  await engine.run(`CREATE OR REPLACE TEMP TABLE prepared AS ${selects.join('\nUNION ALL\n')}`);
  const unreadableDates: Record<string, number> = {};
  for (const column of dateFields) {
    const raw = inputs.map((input, i) => `SELECT ${sqlIdentifier(input.columns.get(column) as string)} AS value FROM input_${i}`).join(' UNION ALL ');
    const [row] = await engine.query(`SELECT count(*) AS n FROM (${raw}) WHERE trim(value) <> '' AND ${dateOf('value')} IS NULL`);
    unreadableDates[column] = Number(row?.n ?? 0);
  }
  await engine.run(`COPY prepared TO ${sqlString(target)} (FORMAT parquet)`);
  for (const i of inputs.keys()) await engine.run(`DROP TABLE input_${i}`);
  await engine.run('DROP TABLE prepared');
  return { records, unreadableDates };
}

/** A date field's text as a DATE (the linkage SQL wants one): YYYY-MM-DD or YYYYMMDD; anything else is missing. */
function dateOf(value: string): string {
  return `COALESCE(TRY_CAST(trim(${value}) AS DATE), CAST(TRY_STRPTIME(trim(${value}), '%Y%m%d') AS DATE))`;
}

function truthOf(value: string, pattern: string | undefined): string {
  return pattern === undefined ? `trim(${value})` : `regexp_extract(trim(${value}), ${sqlString(pattern)}, 1)`;
}

async function runCounts(engine: SqlEngine, run: PlanRun): Promise<Pick<LinkFilesSummary, 'candidatePairs' | 'emIterations' | 'converged' | 'links' | 'clusters' | 'linkedClusters' | 'clusterConflicts'>> {
  const rows = (step: string): number => {
    const found = run.steps.find((s) => s.name === step);
    return found?.kind === 'sql' ? found.rows : 0;
  };
  const [training] = await engine.query('SELECT iteration, converged FROM training');
  const [clusters] = await engine.query('SELECT count(*) AS clusters, count(*) FILTER (WHERE n > 1) AS linked FROM (SELECT cluster_id, count(*) AS n FROM clusters GROUP BY cluster_id)');
  return {
    candidatePairs: rows('candidate_pairs'),
    emIterations: Number(training?.iteration ?? 0),
    converged: training?.converged === true,
    links: rows('cluster_edges'),
    clusters: Number(clusters?.clusters ?? 0),
    linkedClusters: Number(clusters?.linked ?? 0),
    clusterConflicts: rows('cluster_conflicts'),
  };
}

/** The quality plan in a session of its own: the linkage session already has a table named clusters. */
async function measure(clusters: string, truth: string, output: string): Promise<LinkFilesQuality> {
  const engine = await DuckDbEngine.open();
  try {
    await runPlan(linkageQualityPlan({ clusters, truth }, output), engine, { dialect: duckDbPlanDialect });
    const [q] = await engine.query('SELECT * FROM linkage_quality');
    const n = (key: string): number => Number(q?.[key] ?? 0);
    return {
      records: n('records'), persons: n('persons'), precision: n('pair_precision'), recall: n('pair_recall'), f1: n('pair_f1'),
      exactPersons: n('exact_persons'), splitPersons: n('split_persons'), mergedClusters: n('merged_clusters'),
    };
  } finally {
    engine.close();
  }
}

/** An engine's message may quote a value from the files, so only ours is shown (C2C_DEBUG shows the cause). */
async function inEngine<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new UsageError(message, { cause: error });
  }
}

export function linkFilesSummaryText(summary: LinkFilesSummary, out: string): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const mode = summary.linkType === 'link_only' ? `linked across ${summary.inputs.length} inputs (link_only)` : 'deduplicated (link_and_dedupe)';
  const lines = [
    table(['input', 'records'], [...summary.inputs.map((i) => [i.source, i.records] as [string, number]), ['total', summary.records]]),
    '',
    `${n(summary.records)} records ${mode}: ${n(summary.candidatePairs)} candidate pairs; EM ${summary.converged ? 'converged' : 'did not converge'} ` +
      `in ${summary.emIterations} passes; ${n(summary.links)} links; ${n(summary.clusters)} clusters, ${n(summary.linkedClusters)} of them with more than one record; ` +
      `${n(summary.clusterConflicts)} cluster conflicts. ${summary.seconds.toFixed(1)} s.`,
    ...Object.entries(summary.unreadableDates).filter(([, count]) => count > 0)
      .map(([column, count]) => `${n(count)} values of ${column} were not dates (YYYY-MM-DD or YYYYMMDD) and were read as missing.`),
  ];
  if (summary.quality) {
    const q = summary.quality;
    lines.push('', `Against the truth (${n(q.records)} records of ${n(q.persons)} entities): pairwise precision ${q.precision.toFixed(4)}, ` +
      `recall ${q.recall.toFixed(4)}, F1 ${q.f1.toFixed(4)}; ${n(q.exactPersons)} entities found exactly, ${n(q.splitPersons)} split, ${n(q.mergedClusters)} clusters merging entities.`);
  }
  lines.push('', `Written to ${out}:`, ...Object.entries(summary.outputs).map(([file, what]) => `  ${file}: ${what}`));
  return lines.join('\n');
}

function positive(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < 1 || value > 256) throw new InvalidArgumentError(`${name} must be a whole number from 1 to 256.`);
    return value;
  };
}

/** Adds `link-files` to the program. */
export function registerLinkFiles(program: Command): void {
  program.command('link-files')
    .description('Link (several inputs: across inputs only) or deduplicate (one input) the records of CSV files with a linkage settings file; ' +
      'predictions and clusters go to --out.')
    .requiredOption('--input <file>', 'a CSV file with a header (repeat for several; .gz read as gzip)', (file: string, files: string[] | undefined) => [...(files ?? []), file])
    .requiredOption('--settings <file>', 'linkage settings JSON (docs/linkage.md, docs/schemas/linkage-settings.schema.json)')
    .requiredOption('--out <dir>', 'folder for predictions, clusters and the trained parameters')
    .option('--truth-column <name>', 'a column holding each record\'s true entity id: report pairwise precision, recall and F1')
    .option('--truth-pattern <regex>', 'take the entity id from the truth column\'s value as the first group of this regular expression')
    .option('--delimiter <char>', 'the CSV delimiter', ',')
    .option('--threads <n>', 'DuckDB threads (default: one per core)', positive('--threads'))
    .option('--memory-limit <size>', 'DuckDB memory limit; it spills to a temporary folder beyond it', '2GB')
    .action(async (opts: { input: string[]; settings: string; out: string; truthColumn?: string; truthPattern?: string; delimiter: string; threads?: number; memoryLimit: string }) => {
      if (existsSync(opts.out) && !(await stat(opts.out)).isDirectory()) throw new UsageError(`--out ${opts.out} is not a folder`);
      const summary = await linkFiles({ ...opts, inputs: opts.input });
      console.log(linkFilesSummaryText(summary, opts.out));
    });
}
