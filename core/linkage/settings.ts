/**
 * Linkage settings: the documented JSON that configures a Fellegi-Sunter model in the manner of
 * Splink (standardization, blocking, graded comparisons, prior, threshold). docs/linkage.md
 * describes the format; docs/schemas/linkage-settings.schema.json its shape. The SQL generators
 * in core/linkage/sql/ assume settings that passed parseLinkageSettings.
 */
import Ajv, { type ErrorObject } from 'ajv';
import settingsSchema from '../../docs/schemas/linkage-settings.schema.json';
import { describeSchemaError } from '../plan/plan';

export type LinkType = 'link_only' | 'link_and_dedupe';

interface FieldBase {
  /** The standardized column, and the prefix of the columns derived from it. */
  readonly name: string;
  /** The input column; `name` when absent. */
  readonly column?: string;
}

export interface NameField extends FieldBase {
  readonly kind: 'name';
  /** Adds `<name>_canonical`: nicknames mapped to one given name. */
  readonly nicknames?: boolean;
  /** Adds `<name>_first` and `<name>_last`: the first and last words. */
  readonly compound?: boolean;
}

/** An input column of type DATE; adds `<name>_year`, `<name>_month`, `<name>_day`. */
export interface DateField extends FieldBase {
  readonly kind: 'date';
}

export interface IdentifierField extends FieldBase {
  /** `ssn` also nulls numbers never issued as SSNs. */
  readonly kind: 'identifier' | 'ssn';
  /** Placeholders (digits only) treated as missing. */
  readonly invalidValues?: readonly string[];
}

export type Field = NameField | DateField | IdentifierField;

export interface BlockingCondition {
  readonly column: string;
  /** Compare only the first this many characters. */
  readonly prefix?: number;
}

/** All conditions must hold; they are equalities, so a NULL on either side never pairs. */
export interface BlockingRule {
  readonly on: readonly BlockingCondition[];
}

/** The levels that compare one column (the comparison's unless the level names another). */
export interface ColumnLevel {
  readonly kind: 'null' | 'day_month_transposed' | 'same_year_month' | 'same_year';
  readonly column?: string;
}

export interface ExactLevel {
  readonly kind: 'exact';
  readonly column?: string;
  /** Term-frequency adjustment on this level's column (its tables are built at training). */
  readonly termFrequency?: boolean;
}

export interface JaroWinklerLevel {
  readonly kind: 'jaro_winkler';
  readonly column?: string;
  readonly threshold: number;
}

export interface DistanceLevel {
  readonly kind: 'damerau_levenshtein' | 'levenshtein';
  readonly column?: string;
  readonly maxDistance: number;
}

export interface WithinDaysLevel {
  readonly kind: 'within_days';
  readonly column?: string;
  readonly days: number;
}

/** An escape hatch: a condition over `l.<column>` and `r.<column>`. */
export interface CustomLevel {
  readonly kind: 'custom';
  readonly sql: string;
}

export interface ElseLevel {
  readonly kind: 'else';
}

export type ComparisonLevel = ColumnLevel | ExactLevel | JaroWinklerLevel | DistanceLevel | WithinDaysLevel | CustomLevel | ElseLevel;

export interface Comparison {
  readonly name: string;
  readonly column: string;
  /** Most similar first; an optional null level first, an else level last. */
  readonly levels: readonly ComparisonLevel[];
}

/** Either the probability itself, or recall: the share of all matches the deterministic rules find. */
export interface Prior {
  readonly probabilityTwoRandomRecordsMatch?: number;
  readonly recall?: number;
  readonly deterministicRules?: readonly BlockingRule[];
}

/** How the model is trained (docs/linkage.md, "Training"); what is left out takes TRAINING_DEFAULTS. */
export interface TrainingSettings {
  /** About how many random pairs u is estimated from. */
  readonly uSamplePairs?: number;
  /** Chooses the random pairs: the same seed and records give the same pairs. */
  readonly seed?: number;
  /** EM stops after this many passes if it has not converged before. */
  readonly maxIterations?: number;
}

/** How links become persons (docs/linkage.md, "Clustering"); what is left out takes CLUSTERING_DEFAULTS. */
export interface ClusteringSettings {
  /** The match probability a link between two records of one source needs (at least matchThreshold). */
  readonly sameSourceThreshold?: number;
  /** Rules whose pairs of records of different sources are links whatever their score. */
  readonly deterministicLinks?: readonly BlockingRule[];
}

export interface LinkageSettings {
  readonly name: string;
  readonly description?: string;
  readonly recordId: string;
  readonly source: string;
  readonly linkType: LinkType;
  readonly fields: readonly Field[];
  readonly blockingRules: readonly BlockingRule[];
  readonly comparisons: readonly Comparison[];
  readonly prior: Prior;
  /** Match probability at or above which a pair is a link. */
  readonly matchThreshold: number;
  readonly training?: TrainingSettings;
  readonly clustering?: ClusteringSettings;
}

export const TRAINING_DEFAULTS: Required<TrainingSettings> = { uSamplePairs: 1_000_000, seed: 0, maxIterations: 25 };
export const CLUSTERING_DEFAULTS: Required<ClusteringSettings> = { sameSourceThreshold: 0.999, deterministicLinks: [] };

/** A standardized column's type; `input` is whatever type the input column has (the record id and source). */
export type ColumnType = 'text' | 'date' | 'integer' | 'input';

/** A column of the standardized table. */
export interface StandardizedColumn {
  readonly type: ColumnType;
  /** Who produces it: `the record id`, `the source` or `field <name>`. */
  readonly producer: string;
}

/** Settings that are malformed or inconsistent; the message names every problem. */
export class LinkageSettingsError extends Error {}

/** The standardized table always has these two, whatever the input calls them. */
export const RECORD_ID = 'record_id';
export const SOURCE = 'source';

const DIGITS = '^[0-9]+$';
const validateDocument = new Ajv({ allErrors: true, strict: true }).compile(settingsSchema);

/** Checks a settings document's shape and meaning and returns it typed, or throws a LinkageSettingsError naming every problem. */
export function parseLinkageSettings(document: unknown): LinkageSettings {
  const label = String((document as { name?: unknown } | null)?.name ?? '(settings without name)');
  if (!validateDocument(document)) {
    // `if` only announces the errors that follow it.
    const problems = (validateDocument.errors ?? []).filter((e) => e.keyword !== 'if').map(schemaProblem);
    throw new LinkageSettingsError(`linkage settings ${label} are invalid: ${[...new Set(problems)].join('; ')}`);
  }
  const settings = document as unknown as LinkageSettings;
  const { columns, problems } = produce(settings);
  problems.push(...priorProblems(settings.prior));
  settings.blockingRules.forEach((rule, i) => problems.push(...ruleProblems(rule, `blocking rule ${i + 1}`, columns)));
  settings.prior.deterministicRules?.forEach((rule, i) => problems.push(...ruleProblems(rule, `deterministic rule ${i + 1} of the prior`, columns)));
  settings.clustering?.deterministicLinks?.forEach((rule, i) => problems.push(...ruleProblems(rule, `deterministic link rule ${i + 1}`, columns)));
  problems.push(...comparisonProblems(settings.comparisons, columns));
  const sameSource = settings.clustering?.sameSourceThreshold;
  if (sameSource !== undefined && sameSource < settings.matchThreshold) {
    problems.push(`clustering.sameSourceThreshold (${sameSource}) must be at least matchThreshold (${settings.matchThreshold})`);
  }
  if (problems.length > 0) throw new LinkageSettingsError(`linkage settings ${settings.name} are inconsistent: ${problems.join('; ')}`);
  return settings;
}

function schemaProblem(error: ErrorObject): string {
  if (error.keyword === 'pattern' && error.params.pattern === DIGITS) return `${error.instancePath} must be digits only`;
  return describeSchemaError(error);
}

/** The columns of the standardized table (record_id, source, then each field's), by name. */
export function standardizedColumns(settings: LinkageSettings): ReadonlyMap<string, StandardizedColumn> {
  return produce(settings).columns;
}

function produce(settings: LinkageSettings): { columns: Map<string, StandardizedColumn>; problems: string[] } {
  const columns = new Map<string, StandardizedColumn>();
  const problems: string[] = [];
  const add = (name: string, type: ColumnType, producer: string): void => {
    const earlier = columns.get(name);
    if (earlier) problems.push(`column ${name} would be produced twice (by ${earlier.producer} and by ${producer})`);
    else columns.set(name, { type, producer });
  };
  if (settings.recordId === settings.source) problems.push('recordId and source must be different columns');
  add(RECORD_ID, 'input', 'the record id');
  add(SOURCE, 'input', 'the source');
  for (const field of settings.fields) {
    const producer = `field ${field.name}`;
    for (const [suffix, type] of fieldOutputs(field)) add(`${field.name}${suffix}`, type, producer);
  }
  return { columns, problems };
}

/** Each column a field adds, as a suffix of its name. */
function fieldOutputs(field: Field): [string, ColumnType][] {
  switch (field.kind) {
    case 'name': {
      const outputs: [string, ColumnType][] = [['', 'text']];
      if (field.nicknames) outputs.push(['_canonical', 'text']);
      if (field.compound) outputs.push(['_first', 'text'], ['_last', 'text']);
      return outputs;
    }
    case 'date':
      return [['', 'date'], ['_year', 'integer'], ['_month', 'integer'], ['_day', 'integer']];
    case 'identifier':
    case 'ssn':
      return [['', 'text']];
  }
}

function priorProblems(prior: Prior): string[] {
  const byProbability = prior.probabilityTwoRandomRecordsMatch !== undefined;
  const byRecall = prior.recall !== undefined || prior.deterministicRules !== undefined;
  if (byProbability && byRecall) return ['the prior takes either probabilityTwoRandomRecordsMatch or recall with deterministicRules, not both'];
  if (!byProbability && (prior.recall === undefined || prior.deterministicRules === undefined)) {
    return ['the prior needs probabilityTwoRandomRecordsMatch, or recall with deterministicRules'];
  }
  return [];
}

function ruleProblems(rule: BlockingRule, where: string, columns: ReadonlyMap<string, StandardizedColumn>): string[] {
  return rule.on.filter((c) => !columns.has(c.column)).map((c) => `${where}: column ${c.column} is not produced by standardization`);
}

function comparisonProblems(comparisons: readonly Comparison[], columns: ReadonlyMap<string, StandardizedColumn>): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const comparison of comparisons) {
    if (names.has(comparison.name)) problems.push(`comparison name ${comparison.name} is used twice`);
    names.add(comparison.name);
    problems.push(...levelOrderProblems(comparison));
    if (!columns.has(comparison.column)) problems.push(`comparison ${comparison.name}: column ${comparison.column} is not produced by standardization`);
    comparison.levels.forEach((level, i) => problems.push(...levelProblems(level, `comparison ${comparison.name}, level ${i + 1} (${level.kind})`, comparison.column, columns)));
    problems.push(...unreachableLevels(comparison));
  }
  return problems;
}

/** A pair takes the first level that holds: missing values are decided first, and else catches the rest. */
function levelOrderProblems({ name, levels }: Comparison): string[] {
  const problems: string[] = [];
  if (levels.slice(1).some((l) => l.kind === 'null')) problems.push(`comparison ${name}: a null level must be the first level`);
  if (levels.slice(0, -1).some((l) => l.kind === 'else')) problems.push(`comparison ${name}: an else level must be the last level`);
  if (levels[levels.length - 1]?.kind !== 'else') problems.push(`comparison ${name}: the last level must be an else level`);
  if (!levels.some((l) => l.kind !== 'null' && l.kind !== 'else')) problems.push(`comparison ${name} needs a level other than null and else`);
  return problems;
}

const DATE_LEVELS: ReadonlySet<ComparisonLevel['kind']> = new Set(['day_month_transposed', 'same_year_month', 'same_year', 'within_days']);

function levelProblems(level: ComparisonLevel, where: string, comparisonColumn: string, columns: ReadonlyMap<string, StandardizedColumn>): string[] {
  if (level.kind === 'else') return [];
  if (level.kind === 'custom') {
    // Only l.<column> and r.<column> can be checked; the rest of the condition is the author's.
    const referenced = [...level.sql.matchAll(/\b[lr]\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
    return [...new Set(referenced)].filter((c) => !columns.has(c)).map((c) => `${where}: column ${c} is not produced by standardization`);
  }
  const column = level.column ?? comparisonColumn;
  const type = columns.get(column)?.type;
  // An unknown comparison column is reported once, for the comparison.
  if (type === undefined) return level.column === undefined ? [] : [`${where}: column ${column} is not produced by standardization`];
  if (DATE_LEVELS.has(level.kind) && type !== 'date') return [`${where}: column ${column} is not a date field`];
  return [];
}

/**
 * A level after one of the same kind, on the same column, that is at least as loose can never be
 * reached (the earlier level takes every pair it would): a mistake in the order of the levels.
 */
function unreachableLevels(comparison: Comparison): string[] {
  const scopes = comparison.levels.map((level) => looseness(level, comparison.column));
  return scopes.flatMap((own, i) => {
    const earlier = own ? scopes.findIndex((other, j) => j < i && other?.key === own.key && other.value >= own.value) : -1;
    return earlier < 0 ? [] : [`comparison ${comparison.name}, level ${i + 1} (${comparison.levels[i]?.kind}) is never reached: level ${earlier + 1} before it takes every pair it would`];
  });
}

/** Levels with the same key are nested: the larger the value, the more pairs the level takes. */
function looseness(level: ComparisonLevel, comparisonColumn: string): { key: string; value: number } | undefined {
  if (level.kind === 'null' || level.kind === 'custom' || level.kind === 'else') return undefined;
  const key = `${level.kind} ${level.column ?? comparisonColumn}`;
  switch (level.kind) {
    case 'jaro_winkler':
      return { key, value: -level.threshold };
    case 'damerau_levenshtein':
    case 'levenshtein':
      return { key, value: level.maxDistance };
    case 'within_days':
      return { key, value: level.days };
    default:
      return { key, value: 0 };
  }
}
