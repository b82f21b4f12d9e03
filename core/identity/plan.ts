/**
 * The identity records: one row per distinct (source, source id) over every partner dataset in
 * raw/, where the source is the identifier namespace (core/identity/sources.ts), with the most
 * frequent value of each identity field and how many values it had. This is the input of the
 * C2C linkage model (c2c-linkage-settings.json). docs/identity.md describes the table.
 *
 * The plan reads only the datasets it is given: a dataset with no files in raw/ yet is left out
 * by the caller (rawIdentityInputs finds those present), since a reader over no files fails.
 */
import { ZONE_NAMES, ZONES, type ZoneName } from '../lake/zones';
import type { Plan, SqlStep } from '../plan/plan';
import type { ObjectStore } from '../ports/object-store';
import { literal } from '../linkage/sql/expressions';
import { OPT_OUT_REQUESTS_TABLE, optOutRowsSql } from './opt-out';
import { IDENTITY_FIELDS, identitySources, IdentityMappingError, type IdentityField, type IdentitySource } from './sources';

export const IDENTITY_RECORDS = 'identity_records';
/** In the identity zone: the table holds names, birth dates, SSNs and source ids. */
export const IDENTITY_RECORDS_LOCATION = 'identity/identity_records.parquet';

/** The columns whose most frequent value is kept, each with `n_<column>_values`. */
export const CHOSEN_COLUMNS: readonly (IdentityField | 'gender')[] = ['first_name', 'middle_name', 'last_name', 'birth_date', 'ssn', 'gender', 'ssid'];

/** Where ingestion puts a dataset's Parquet: `raw/<dataset>/partner=<partner>/ingest_date=<date>/…`. */
export function rawLocation(contract: { readonly partner: string; readonly dataset: string }): string {
  return `raw/${contract.dataset}/partner=${contract.partner}`;
}

/** The datasets that have Parquet in raw/, as contract id → location: the inputs for identityRecordsPlan. */
export async function rawIdentityInputs(store: ObjectStore, sources: readonly IdentitySource[] = identitySources()): Promise<Record<string, string>> {
  const inputs: Record<string, string> = {};
  for (const { contract } of sources) {
    const objects = await store.list('raw', `${contract.dataset}/partner=${contract.partner}/`);
    if (objects.some((o) => o.key.endsWith('.parquet'))) inputs[contract.id] = rawLocation(contract);
  }
  return inputs;
}

/**
 * `inputs`: contract id → the location of its raw Parquet (a directory with `ingest_date=`
 * sub-directories), for the datasets that have any; `outputLocation` must be in a zone that may
 * hold PII.
 */
export function identityRecordsPlan(
  inputs: Readonly<Record<string, string>>, outputLocation = IDENTITY_RECORDS_LOCATION, sources: readonly IdentitySource[] = identitySources(),
  options: { readonly optOutRequests?: string } = {},
): Plan {
  const unknown = Object.keys(inputs).filter((id) => !sources.some((s) => s.contract.id === id));
  if (unknown.length > 0) throw new IdentityMappingError(`no identity mapping for ${unknown.join(', ')}`);
  const present = sources.filter((s) => inputs[s.contract.id] !== undefined);
  if (present.length === 0) throw new IdentityMappingError('identity records need at least one dataset with files in raw/');
  const zone = outputLocation.split('/')[0] as ZoneName;
  if (!ZONE_NAMES.includes(zone) || !ZONES[zone].mayHoldPii) {
    const allowed = ZONE_NAMES.filter((z) => ZONES[z].mayHoldPii).join(', ');
    throw new IdentityMappingError(`identity records hold PII, so they go to a zone that may hold it (${allowed}), not to ${outputLocation}`);
  }
  const steps: SqlStep[] = [
    { kind: 'sql', name: 'identity_rows', sql: [...present.map(rowsSql), ...(options.optOutRequests ? [optOutRowsSql()] : [])].join('\nUNION ALL\n') },
    ...CHOSEN_COLUMNS.map((column): SqlStep => ({ kind: 'sql', name: `chosen_${column}`, sql: chosenValueSql(column) })),
    { kind: 'sql', name: 'identity_source_ids', sql: sourceIdsSql() },
    { kind: 'sql', name: IDENTITY_RECORDS, sql: recordsSql() },
  ];
  return {
    name: IDENTITY_RECORDS,
    description: 'One identity record per distinct source id in each identifier namespace, over the partner datasets in raw/.',
    inputs: {
      ...Object.fromEntries(present.map((s) => [rawTableOf(s), { format: 'parquet' as const, location: inputs[s.contract.id] as string, hivePartitioning: true }])),
      ...(options.optOutRequests ? { [OPT_OUT_REQUESTS_TABLE]: { format: 'parquet' as const, location: options.optOutRequests } } : {}),
    },
    steps,
    outputs: { [IDENTITY_RECORDS]: { format: 'parquet', location: outputLocation } },
  };
}

/** The name a dataset's raw Parquet is bound to in a plan. */
export function rawTableOf(source: IdentitySource): string {
  return `raw_${source.contract.partner}_${source.contract.dataset}`;
}

const NULL_OF: Readonly<Record<IdentityField, string>> = {
  first_name: 'CAST(NULL AS STRING)', middle_name: 'CAST(NULL AS STRING)', last_name: 'CAST(NULL AS STRING)',
  birth_date: 'CAST(NULL AS DATE)', ssn: 'CAST(NULL AS STRING)', ssid: 'CAST(NULL AS STRING)',
};

/** A dataset's rows in the common shape; the ingest date comes from the `ingest_date=` directories. */
function rowsSql(source: IdentitySource): string {
  const columns = [
    `${literal(source.namespace)} AS source`,
    `${sourceIdSql(source)} AS source_id`,
    ...IDENTITY_FIELDS.map((column) => (source.fields[column] === column ? column : `${source.fields[column] ?? NULL_OF[column]} AS ${column}`)),
    `${genderSql(source)} AS gender`,
    // Spark infers a DATE from the directory names, as DuckDB does; the cast holds either way.
    'CAST(ingest_date AS DATE) AS ingest_date',
  ];
  return `SELECT ${columns.join(', ')} FROM ${rawTableOf(source)}`;
}

/** A dataset row's source id: its id fields (of `table`, if named) joined by `:`. */
export function sourceIdSql(source: IdentitySource, table?: string): string {
  return source.sourceId.map((field) => (table === undefined ? field : `${table}.${field}`)).join(" || ':' || ");
}

/** The `record_id` of the identity record a dataset row belongs to (see recordsSql). */
export function recordIdSql(source: IdentitySource, table?: string): string {
  return `${literal(source.namespace)} || '|' || ${sourceIdSql(source, table)}`;
}

/** The dataset's codes as M, F, X; codes meaning unknown, like a dataset without gender, give NULL. */
function genderSql(source: IdentitySource): string {
  const whens = Object.entries(source.gender?.codes ?? {}).flatMap(([code, gender]) => (gender === null ? [] : [`WHEN ${literal(code)} THEN ${literal(gender)}`]));
  return source.gender === undefined || whens.length === 0 ? 'CAST(NULL AS STRING)' : `CASE ${source.gender.field} ${whens.join(' ')} END`;
}

/**
 * Per source id, the column's most frequent value (ties: the one seen in the latest ingest, then
 * the smallest, so the choice is the same on every engine) and how many distinct values it had.
 */
function chosenValueSql(column: IdentityField | 'gender'): string {
  const counted = `SELECT source, source_id, ${column} AS value, COUNT(*) AS n_rows, MAX(ingest_date) AS last_seen FROM identity_rows WHERE ${column} IS NOT NULL GROUP BY source, source_id, ${column}`;
  const ranked = `SELECT source, source_id, value, COUNT(*) OVER (PARTITION BY source, source_id) AS n_values, ` +
    `ROW_NUMBER() OVER (PARTITION BY source, source_id ORDER BY n_rows DESC NULLS LAST, last_seen DESC NULLS LAST, value ASC NULLS LAST) AS choice FROM (${counted}) counted`;
  return `SELECT source, source_id, value AS ${column}, n_values AS n_${column}_values FROM (${ranked}) ranked WHERE choice = 1`;
}

function sourceIdsSql(): string {
  return 'SELECT source, source_id, COUNT(*) AS n_source_rows, MIN(ingest_date) AS first_seen_ingest_date, MAX(ingest_date) AS last_seen_ingest_date ' +
    'FROM identity_rows GROUP BY source, source_id';
}

function recordsSql(): string {
  const columns = [
    "s.source || '|' || s.source_id AS record_id", 's.source', 's.source_id',
    ...CHOSEN_COLUMNS.map((column) => `c_${column}.${column}`),
    's.n_source_rows', 's.first_seen_ingest_date', 's.last_seen_ingest_date',
    ...CHOSEN_COLUMNS.map((column) => `COALESCE(c_${column}.n_${column}_values, 0) AS n_${column}_values`),
  ];
  const joins = CHOSEN_COLUMNS.map((column) => `LEFT JOIN chosen_${column} c_${column} ON c_${column}.source = s.source AND c_${column}.source_id = s.source_id`);
  return [`SELECT ${columns.join(', ')}`, 'FROM identity_source_ids s', ...joins].join('\n');
}
