/**
 * The plan that builds the linked zone from raw/ and the person crosswalk: every table of
 * tables.ts plus `persons`, each keyed by c2c_id and free of PII. It reads the identity zone
 * (restricted) and writes only to linked/ (de-identified); the plan checks its own outputs.
 */
import { identitySources, type IdentitySource } from '../identity/sources';
import { optedOutSql } from '../identity/opt-out';
import { rawTableOf, recordIdSql } from '../identity/plan';
import { ZONES } from '../lake/zones';
import type { Plan, SqlStep } from '../plan/plan';
import { LINKED_TABLES, PERSON_ATTRIBUTE_REPORTS, type LinkedColumn, type LinkedTable } from './tables';

export class LinkedTablesError extends Error {}

export interface LinkedPlanLocations {
  /** identity/person_xwalk: record_id → c2c_id. */
  readonly personXwalk: string;
  /** identity/identity_records: the birth dates and genders persons' birth year and gender come from. */
  readonly identityRecords: string;
  /** A folder: each table goes to `<folder>/<table>.parquet`. */
  readonly linkedFolder: string;
}

/** Every table the plan writes, persons first. */
export const LINKED_TABLE_NAMES: readonly string[] = ['persons', ...LINKED_TABLES.map((t) => t.name)];

/**
 * `rawInputs`: contract id → location of its raw Parquet, for the datasets present
 * (rawIdentityInputs finds them); the tables of absent datasets are written empty.
 */
export function linkedTablesPlan(rawInputs: Readonly<Record<string, string>>, locations: LinkedPlanLocations): Plan {
  const zone = locations.linkedFolder.split('/')[0] ?? '';
  if (zone !== 'linked' || ZONES.linked.mayHoldPii) throw new LinkedTablesError(`linked tables go to the linked zone, not ${locations.linkedFolder}`);
  const sources = new Map(identitySources().map((s) => [s.contract.id, s]));
  const present = (table: LinkedTable): IdentitySource[] => table.sources.flatMap((s) => (rawInputs[s.contract] !== undefined ? [sources.get(s.contract) as IdentitySource] : []));
  const used = new Set([PERSON_ATTRIBUTE_REPORTS, ...LINKED_TABLES].flatMap((t) => present(t).map((s) => s.contract.id)));

  return {
    name: 'linked_tables',
    description: 'De-identified person-level tables keyed by c2c_id, from raw/ and the person crosswalk.',
    inputs: {
      person_xwalk: { format: 'parquet', location: locations.personXwalk },
      identity_records: { format: 'parquet', location: locations.identityRecords },
      ...Object.fromEntries([...used].sort().map((id) => [rawTableOf(sources.get(id) as IdentitySource), { format: 'parquet' as const, location: rawInputs[id] as string, hivePartitioning: true }])),
    },
    steps: [
      // Persons who opted out are left out of every table.
      { kind: 'sql', name: 'included_xwalk', sql: `SELECT record_id, c2c_id FROM person_xwalk WHERE c2c_id NOT IN (SELECT c2c_id FROM (${optedOutSql('person_xwalk')}) o)` },
      ...tableSteps(PERSON_ATTRIBUTE_REPORTS, rawInputs, sources),
      ...personSteps(),
      ...LINKED_TABLES.flatMap((table) => tableSteps(table, rawInputs, sources)),
    ],
    outputs: Object.fromEntries(LINKED_TABLE_NAMES.map((name) => [name, { format: 'parquet' as const, location: `${locations.linkedFolder}/${name}.parquet` }])),
  };
}

function tableSteps(table: LinkedTable, rawInputs: Readonly<Record<string, string>>, sources: ReadonlyMap<string, IdentitySource>): SqlStep[] {
  const selects = table.sources.filter((s) => rawInputs[s.contract] !== undefined).map((s) => {
    const source = sources.get(s.contract);
    if (!source) throw new LinkedTablesError(`${table.name}: ${s.contract} has no identity mapping, so its rows cannot be keyed by c2c_id`);
    const values = Object.entries(s.values).map(([name, sql]) => {
      const column = table.columns.find((c) => c.name === name);
      return column ? `CAST(${sql} AS ${column.type}) AS ${name}` : `${sql} AS ${name}`;
    });
    return `SELECT DISTINCT x.c2c_id, ${values.join(', ')} FROM ${rawTableOf(source)} r JOIN included_xwalk x ON x.record_id = ${recordIdSql(source, 'r')}` +
      (s.where ? ` WHERE ${s.where}` : '');
  });
  if (selects.length === 0) return [{ kind: 'sql', name: table.name, sql: emptySql(table.columns) }];
  const rows = selects.join('\nUNION\n');
  return table.finish
    ? [{ kind: 'sql', name: `${table.name}_rows`, sql: rows }, { kind: 'sql', name: table.name, sql: table.finish(`${table.name}_rows`) }]
    : [{ kind: 'sql', name: table.name, sql: rows }];
}

/** The table's columns and no rows, for a table none of whose datasets has arrived yet. */
function emptySql(columns: readonly LinkedColumn[]): string {
  return `SELECT CAST(NULL AS STRING) AS c2c_id, ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(', ')} FROM included_xwalk WHERE 1 = 0`;
}

/** The value most rows give per person (ties: the smallest), as `<name>(c2c_id, <column>)`. */
function modeStep(name: string, column: string, from: string, where: string): SqlStep {
  const counted = `SELECT c2c_id, ${column} AS value, COUNT(*) AS n FROM ${from} WHERE ${where} GROUP BY c2c_id, ${column}`;
  return {
    kind: 'sql', name,
    sql: `SELECT c2c_id, value AS ${column} FROM (SELECT c2c_id, value, ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY n DESC, value ASC NULLS LAST) AS choice FROM (${counted}) counted) ranked WHERE choice = 1`,
  };
}

function personSteps(): SqlStep[] {
  const identities = 'SELECT x.c2c_id, CAST(year(i.birth_date) AS INT) AS birth_year, i.gender FROM identity_records i JOIN included_xwalk x ON x.record_id = i.record_id';
  const firstReporter = 'SELECT c2c_id, MIN(source_rank) AS source_rank FROM person_attribute_reports WHERE race_ethnicity <> \'UNKNOWN\' GROUP BY c2c_id';
  return [
    { kind: 'sql', name: 'person_identities', sql: identities },
    modeStep('person_birth_years', 'birth_year', 'person_identities', 'birth_year IS NOT NULL'),
    modeStep('person_genders', 'gender', 'person_identities', 'gender IS NOT NULL'),
    modeStep('person_races', 'race_ethnicity',
      `(SELECT a.c2c_id, a.race_ethnicity FROM person_attribute_reports a JOIN (${firstReporter}) f ON f.c2c_id = a.c2c_id AND f.source_rank = a.source_rank) reported`,
      "race_ethnicity <> 'UNKNOWN'"),
    {
      kind: 'sql', name: 'person_flags',
      sql: 'SELECT c2c_id, bool_or(disability) AS disability, bool_or(foster) AS foster, bool_or(homeless) AS homeless FROM person_attribute_reports GROUP BY c2c_id',
    },
    {
      kind: 'sql', name: 'persons',
      sql: [
        `SELECT p.c2c_id, b.birth_year, COALESCE(g.gender, 'UNKNOWN') AS gender, COALESCE(r.race_ethnicity, 'UNKNOWN') AS race_ethnicity,`,
        'COALESCE(f.disability, FALSE) AS disability, COALESCE(f.foster, FALSE) AS foster, COALESCE(f.homeless, FALSE) AS homeless',
        'FROM (SELECT DISTINCT c2c_id FROM included_xwalk) p',
        'LEFT JOIN person_birth_years b ON b.c2c_id = p.c2c_id',
        'LEFT JOIN person_genders g ON g.c2c_id = p.c2c_id',
        'LEFT JOIN person_races r ON r.c2c_id = p.c2c_id',
        'LEFT JOIN person_flags f ON f.c2c_id = p.c2c_id',
      ].join('\n'),
    },
  ];
}
