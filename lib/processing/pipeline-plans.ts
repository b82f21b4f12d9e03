/**
 * The cloud pipeline's stages, in the order the state machine runs them (DESIGN.md §2 and §4,
 * Orchestration): each stage is one plan (core/plan/plan.ts) that the Glue plan runner executes.
 * The infrastructure is built from this list: one plan file (a CDK asset) and one Glue job per
 * stage, one state machine task per stage, and one Glue table per catalogued output.
 *
 * To add a stage, append a `PipelineStage` to the array `pipelineStages` returns, after the ones
 * it reads from, with the plan its core/ module builds. Locations are `<zone>/<key>`: the job reads the zones of its
 * plan's inputs and writes the zones of its outputs, and nothing else.
 */
import { keepPreviousXwalkPlan, LINK_LOCATIONS, linkageWithStableIdsPlan } from '../../core/identity/link';
import { CHOSEN_COLUMNS, IDENTITY_RECORDS, IDENTITY_RECORDS_LOCATION, identityRecordsPlan, rawLocation } from '../../core/identity/plan';
import { identitySources } from '../../core/identity/sources';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { linkedTablesPlan } from '../../core/linked/plan';
import { LINKED_TABLES, PERSON_COLUMNS, type LinkedColumnType } from '../../core/linked/tables';
import { BREAKDOWN_IDS } from '../../core/outcomes/breakdowns';
import { OUTCOME_CUBE, outcomeCubePlan } from '../../core/outcomes/cube-plan';
import { STABLE_ID_TABLES } from '../../core/linkage/stable-ids';
import { parsePlan, type Plan } from '../../core/plan/plan';

/** Glue Data Catalog column types (Hive DDL names) that plan outputs use. */
export type CatalogColumnType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface CatalogColumn {
  readonly name: string;
  readonly type: CatalogColumnType;
  readonly comment?: string;
}

/**
 * A variant of a stage for the pipeline's first run, when a table the stage would read from an
 * earlier run does not exist yet (a Parquet reader over nothing fails).
 */
export interface FirstRunVariant {
  /** `<zone>/<key>` of the earlier run's table: the first run is the one where nothing is there. */
  readonly whenMissing: string;
  /** The plan to run instead; `null` skips the stage. */
  readonly plan: Plan | null;
}

export interface PipelineStage {
  /** Lowercase words joined by hyphens, unique: names the plan file, the Glue job and the state. */
  readonly name: string;
  readonly description: string;
  readonly plan: Plan;
  /**
   * Output table → its columns, in the plan's column order: each becomes a Glue table (Parquet)
   * in its zone's database, at the output's location. Outputs left out are not catalogued.
   *
   * @default - no table
   */
  readonly catalog?: Readonly<Record<string, readonly CatalogColumn[]>>;
  /** @default - the stage always runs `plan` */
  readonly firstRun?: FirstRunVariant;
}

const LINKED_TYPES: Readonly<Record<LinkedColumnType, CatalogColumnType>> = { STRING: 'string', INT: 'int', DOUBLE: 'double', DATE: 'date', BOOLEAN: 'boolean' };


/** The columns of `identity_records` (core/identity/plan.ts, recordsSql). */
function identityRecordsColumns(): CatalogColumn[] {
  const chosenType = (column: string): CatalogColumnType => (column === 'birth_date' ? 'date' : 'string');
  return [
    { name: 'record_id', type: 'string', comment: 'source|source_id' },
    { name: 'source', type: 'string', comment: 'identifier namespace' },
    { name: 'source_id', type: 'string' },
    ...CHOSEN_COLUMNS.map((column): CatalogColumn => ({ name: column, type: chosenType(column), comment: 'most frequent value' })),
    { name: 'n_source_rows', type: 'bigint' },
    { name: 'first_seen_ingest_date', type: 'date' },
    { name: 'last_seen_ingest_date', type: 'date' },
    ...CHOSEN_COLUMNS.map((column): CatalogColumn => ({ name: `n_${column}_values`, type: 'bigint', comment: 'distinct values seen' })),
  ];
}

/**
 * The pipeline's plan stages in run order. Disclosure control and publishing (outcomes →
 * published) follow them as a task of their own (publish-task.ts): they are TypeScript, not a plan.
 * The catalog needs no stage of its own: raw tables find their partitions by projection and plan
 * outputs are replaced in place.
 */
export function pipelineStages(): PipelineStage[] {
  const everyIdentityDataset = Object.fromEntries(identitySources().map(({ contract }) => [contract.id, rawLocation(contract)]));
  return [
    {
      name: 'identity-records',
      description: 'One identity record per distinct source id in each identifier namespace, over every partner dataset in raw/.',
      plan: identityRecordsPlan(everyIdentityDataset),
      catalog: { [IDENTITY_RECORDS]: identityRecordsColumns() },
    },
    {
      name: 'keep-previous-crosswalk',
      description: 'Copies the previous run\'s person crosswalk aside, so that linkage can keep its ids while replacing it.',
      plan: keepPreviousXwalkPlan(),
      firstRun: { whenMissing: LINK_LOCATIONS.personXwalk, plan: null },
    },
    {
      name: 'linkage',
      description: 'Links the identity records into persons (C2C model) and gives each a stable c2c_id.',
      plan: linkageWithStableIdsPlan(true),
      firstRun: { whenMissing: LINK_LOCATIONS.personXwalk, plan: linkageWithStableIdsPlan(false) },
      catalog: {
        person_crosswalk: [
          { name: 'record_id', type: 'string', comment: 'identity_records.record_id' },
          { name: 'source', type: 'string', comment: 'identifier namespace' },
          { name: 'source_id', type: 'string' },
          { name: 'c2c_id', type: 'string', comment: 'stable pseudonymous person id' },
          { name: 'match_probability', type: 'double', comment: 'the strongest link into the person; NULL for a person of one record' },
        ],
        [STABLE_ID_TABLES.idLineage]: [
          { name: 'previous_c2c_id', type: 'string' },
          { name: 'current_c2c_id', type: 'string' },
          { name: 'records', type: 'bigint' },
        ],
      },
    },
    {
      name: 'linked-tables',
      description: 'The de-identified person-level tables of the linked zone, keyed by c2c_id.',
      plan: linkedTablesPlan(everyIdentityDataset, { personXwalk: LINK_LOCATIONS.personXwalk, identityRecords: IDENTITY_RECORDS_LOCATION, linkedFolder: 'linked' }),
      catalog: Object.fromEntries([['persons', PERSON_COLUMNS] as const, ...LINKED_TABLES.map((t) => [t.name, t.columns] as const)]
        .map(([table, columns]) => [table, [{ name: 'c2c_id', type: 'string' }, ...columns.map((c) => ({ name: c.name, type: LINKED_TYPES[c.type], comment: c.description }))]])),
    },
    {
      name: 'outcome-cube',
      description: 'Counts, rates and wage percentiles of every metric by cohort year and grouping set (unsuppressed: outcomes zone).',
      plan: outcomeCubePlan(),
      catalog: { [OUTCOME_CUBE]: [
        { name: 'metric_id', type: 'string' }, { name: 'cohort_year', type: 'int' }, { name: 'grouping_set', type: 'string', comment: 'breakdowns grouped by, comma-separated' },
        ...BREAKDOWN_IDS.map((b): CatalogColumn => ({ name: b, type: 'string' })),
        { name: 'cohort_count', type: 'bigint' }, { name: 'event_count', type: 'bigint' }, { name: 'rate', type: 'double' },
        { name: 'wage_p25', type: 'double' }, { name: 'wage_median', type: 'double' }, { name: 'wage_p75', type: 'double' },
      ] },
    },
  ];
}

/** A `<zone>/<key>` plan location split, or an error naming the stage. */
export function zoneLocation(location: string, stage: string): { zone: ZoneName; key: string } {
  const [zone, ...rest] = location.split('/');
  const key = rest.join('/');
  if (!(ZONE_NAMES as readonly string[]).includes(zone ?? '') || key === '') {
    throw new Error(`stage ${stage}: location ${location} is not <zone>/<key> with a zone of ${ZONE_NAMES.join(', ')}`);
  }
  return { zone: zone as ZoneName, key };
}

/** The plans a stage may run: its plan, and its first-run variant's. */
export function stagePlans(stage: PipelineStage): Plan[] {
  return stage.firstRun?.plan ? [stage.plan, stage.firstRun.plan] : [stage.plan];
}

/** What a stage reads and writes, by zone, over all its plans: the zones its job may touch. */
export function stageZones(stage: PipelineStage): { reads: ZoneName[]; writes: ZoneName[] } {
  const reads = new Set<ZoneName>();
  const writes = new Set<ZoneName>();
  for (const plan of stagePlans(stage)) {
    for (const input of Object.values(plan.inputs)) reads.add(zoneLocation(input.location, stage.name).zone);
    for (const output of Object.values(plan.outputs)) writes.add(zoneLocation(output.location, stage.name).zone);
  }
  const ordered = (zones: Set<ZoneName>): ZoneName[] => ZONE_NAMES.filter((zone) => zones.has(zone));
  return { reads: ordered(reads), writes: ordered(writes) };
}

/**
 * Checks the stages as a whole: names well formed and unique, every plan valid, locations in a
 * zone, catalogued tables produced by the stage, first-run variants about a location in a zone.
 * Throws an Error naming every problem; returns the stages.
 */
export function checkPipelineStages(stages: readonly PipelineStage[]): readonly PipelineStage[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const tables = new Set<string>();
  for (const stage of stages) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(stage.name)) problems.push(`stage name ${JSON.stringify(stage.name)} must be lowercase words joined by hyphens`);
    if (names.has(stage.name)) problems.push(`stage ${stage.name} is defined twice`);
    names.add(stage.name);
    for (const plan of stagePlans(stage)) {
      try {
        parsePlan(plan);
        stageZones(stage);
      } catch (error) {
        problems.push(`stage ${stage.name}: ${(error as Error).message}`);
      }
    }
    if (stage.firstRun) {
      try {
        zoneLocation(stage.firstRun.whenMissing, stage.name);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    for (const [table, columns] of Object.entries(stage.catalog ?? {})) {
      for (const plan of stagePlans(stage)) {
        if (!plan.outputs[table]) problems.push(`stage ${stage.name}: catalogued table ${table} is not an output of plan ${plan.name}`);
      }
      if (tables.has(table)) problems.push(`table ${table} is catalogued twice`);
      tables.add(table);
      if (columns.length === 0) problems.push(`stage ${stage.name}: table ${table} has no columns`);
      const columnNames = columns.map((column) => column.name);
      if (new Set(columnNames).size !== columnNames.length) problems.push(`stage ${stage.name}: table ${table} names a column twice`);
    }
  }
  if (problems.length > 0) throw new Error(`The pipeline's stages are inconsistent: ${problems.join('; ')}`);
  return stages;
}
