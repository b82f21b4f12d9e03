/**
 * One linkage run over a lake: the identity records of every dataset in raw/, the C2C linkage
 * model over them, and stable pseudonymous ids for the persons it finds, all in the identity
 * zone (restricted: it holds PII and ties source records to persons); then the de-identified
 * tables of the linked zone, keyed by those ids. Three plans, run by the caller's engine: the
 * identity records, linkage with the ids' steps after it (the previous run's crosswalk, if any,
 * carries its ids forward), and the linked tables.
 */
import { parseLinkageSettings, type LinkageSettings } from '../linkage/settings';
import { linkagePlan, type LinkageOutputs } from '../linkage/plan';
import { linkedTablesPlan } from '../linked/plan';
import { clusterSizesSql, linkageReportHtml, matchWeightHistogramSql } from '../linkage/report';
import { LINKAGE_TABLES } from '../linkage/sql/tables';
import { STABLE_ID_TABLES, stableIdSteps } from '../linkage/stable-ids';
import { objectAtLocation } from '../lake/zones';
import type { Plan } from '../plan/plan';
import { readOutputSql, runPlan, type LocationResolver, type PlanDialect, type PlanExecutor, type PlanRun } from '../plan/run';
import type { ObjectStore } from '../ports/object-store';
import type { SqlEngine, SqlRow } from '../ports/sql-engine';
import settingsDocument from './c2c-linkage-settings.json';
import { OPT_OUT_REQUESTS_LOCATION, optedOutSql } from './opt-out';
import { identityRecordsPlan, IDENTITY_RECORDS_LOCATION, rawIdentityInputs } from './plan';

/** Where a run leaves its tables, as `<zone>/<key>` plan locations. */
export const LINK_LOCATIONS = {
  linkage: {
    predictions: 'identity/linkage/predictions.parquet',
    clusters: 'identity/linkage/clusters.parquet',
    parameters: 'identity/linkage/parameters.parquet',
    training: 'identity/linkage/training.parquet',
    clusterConflicts: 'identity/linkage/cluster_conflicts.parquet',
  } satisfies LinkageOutputs,
  /** The previous run's crosswalk, copied aside: a plan may not read where it writes. */
  previousXwalk: 'identity/linkage/previous_person_xwalk.parquet',
  personXwalk: 'identity/person_xwalk.parquet',
  idLineage: 'identity/id_lineage.parquet',
  /** The run report (counts, learned parameters, match-weight histogram): counts and weights only. */
  report: 'identity/linkage/report.html',
  /** The persons whose clusters hold an opt-out request: c2c_id and how many requests. */
  optedOut: 'identity/opted_out_persons.parquet',
} as const;

const OPTED_OUT_PERSONS = 'opted_out_persons';
const PERSON_CROSSWALK = 'person_crosswalk';

/**
 * identity/person_xwalk: each identity record's source, source id and c2c_id, and the match
 * probability of the strongest link that put it in its person (NULL for a person of one record).
 */
function personCrosswalkSql(): string {
  const edges = LINKAGE_TABLES.clusterEdges;
  return [
    'SELECT x.record_id, r.source, r.source_id, x.c2c_id, e.match_probability',
    `FROM ${STABLE_ID_TABLES.personXwalk} x`,
    `JOIN ${LINKAGE_TABLES.records} r ON r.record_id = x.record_id`,
    'LEFT JOIN (SELECT record_id, MAX(match_probability) AS match_probability FROM (',
    `  SELECT record_id_l AS record_id, match_probability FROM ${edges} UNION ALL SELECT record_id_r AS record_id, match_probability FROM ${edges}`,
    ') linked GROUP BY record_id) e ON e.record_id = x.record_id',
  ].join('\n');
}

export interface LinkDependencies {
  /** The lake: raw/ is read, identity/ written. */
  readonly store: ObjectStore;
  /** Reads the plans' outputs (the summary, the report); runs the plans too unless executePlan does. */
  readonly engine: SqlEngine;
  readonly dialect: PlanDialect;
  /** Binds `<zone>/<key>` locations to the engine's paths or URIs for the store's objects. */
  readonly resolveLocation: LocationResolver;
  /** Where the plans run (e.g. Spark); by default runPlan on `engine`. */
  readonly executePlan?: PlanExecutor;
  readonly onStage?: (stage: string) => void;
}

export interface LinkSummary {
  readonly identityRecords: number;
  readonly candidatePairs: number;
  readonly emIterations: number;
  readonly converged: boolean;
  readonly persons: number;
  /** Persons that kept the previous run's id, and persons given a new one. */
  readonly keptIds: number;
  readonly newIds: number;
  readonly clusterConflicts: number;
  /** Persons left out of the linked zone because they opted out. */
  readonly optedOut: number;
}

/** The C2C model (core/identity/c2c-linkage-settings.json). */
export function c2cLinkageSettings(): LinkageSettings {
  return parseLinkageSettings(settingsDocument);
}

export async function linkIdentities(deps: LinkDependencies): Promise<LinkSummary> {
  const { store, engine } = deps;
  const run = deps.executePlan ?? ((plan: Plan): Promise<PlanRun> => runPlan(plan, engine, { dialect: deps.dialect, resolveLocation: deps.resolveLocation }));
  const output = (location: string): Promise<string> => readOutputSql(deps, location);

  deps.onStage?.('identity records');
  const rawInputs = await rawIdentityInputs(store);
  const optOuts = (await store.list('identity', `${OPT_OUT_REQUESTS_LOCATION.split('/').slice(1).join('/')}/`)).some((o) => o.key.endsWith('.parquet'));
  const identity = await run(identityRecordsPlan(rawInputs, IDENTITY_RECORDS_LOCATION, undefined, optOuts ? { optOutRequests: OPT_OUT_REQUESTS_LOCATION } : {}));

  deps.onStage?.('linkage and stable ids');
  // A file, or the folder of part files Spark writes.
  const previous = (await store.list('identity', objectAtLocation(LINK_LOCATIONS.personXwalk, ['identity']).key)).length > 0;
  if (previous) await run(keepPreviousXwalkPlan());
  const linkage = await run(linkageWithStableIdsPlan(previous));
  const [training] = await engine.query(`SELECT iteration, converged FROM ${await output(LINK_LOCATIONS.linkage.training)}`);
  const rows = (result: PlanRun, step: string): number => {
    const found = result.steps.find((s) => s.name === step);
    return found?.kind === 'sql' ? found.rows : 0;
  };
  const summary: LinkSummary = {
    identityRecords: rows(identity, 'identity_records'),
    candidatePairs: rows(linkage, 'candidate_pairs'),
    emIterations: Number(training?.iteration ?? 0),
    converged: training?.converged === true,
    persons: rows(linkage, 'kept_ids') + rows(linkage, 'new_ids'),
    keptIds: rows(linkage, 'kept_ids'),
    newIds: rows(linkage, 'new_ids'),
    clusterConflicts: rows(linkage, 'cluster_conflicts'),
    optedOut: rows(linkage, OPTED_OUT_PERSONS),
  };
  await store.put(objectAtLocation(LINK_LOCATIONS.report, ['identity']), await runReport(engine, output, summary));

  deps.onStage?.('linked tables');
  await run(linkedTablesPlan(rawInputs, { personXwalk: LINK_LOCATIONS.personXwalk, identityRecords: IDENTITY_RECORDS_LOCATION, linkedFolder: 'linked' }));

  return summary;
}

/** The run report, from the linkage plan's outputs. */
async function runReport(engine: SqlEngine, output: (location: string) => Promise<string>, summary: LinkSummary): Promise<string> {
  const L = LINK_LOCATIONS;
  const numbers = <K extends string>(rows: readonly SqlRow[], keys: readonly K[]): Array<Record<K, number>> =>
    rows.map((row) => Object.fromEntries(keys.map((k) => [k, Number(row[k])])) as Record<K, number>);
  return linkageReportHtml({
    settings: c2cLinkageSettings(),
    counts: [
      ['identity records', summary.identityRecords], ['candidate pairs', summary.candidatePairs],
      ['EM passes', `${summary.emIterations} (${summary.converged ? 'converged' : 'did not converge'})`],
      ['persons', summary.persons], ['kept their c2c_id', summary.keptIds], ['new c2c_id', summary.newIds],
      ['same-source pairs merged through other records (for review)', summary.clusterConflicts], ['opted out', summary.optedOut],
    ],
    parameters: (await engine.query(`SELECT comparison, level, m, u FROM ${await output(L.linkage.parameters)} ORDER BY comparison, level`)).map((r) => ({ comparison: String(r.comparison), level: Number(r.level), m: Number(r.m), u: Number(r.u) })),
    histogram: numbers(await engine.query(matchWeightHistogramSql(await output(L.linkage.predictions))), ['bin', 'pairs'] as const),
    clusterSizes: numbers(await engine.query(clusterSizesSql(await output(L.personXwalk))), ['size', 'persons'] as const),
  });
}

/** Copies the previous run's crosswalk aside: linkage reads it while it replaces the crosswalk, and a plan may not read where it writes. */
export function keepPreviousXwalkPlan(): Plan {
  return {
    name: 'keep_previous_crosswalk',
    description: 'The previous run\'s person_xwalk, copied aside for the stable ids.',
    inputs: { current_person_xwalk: { format: 'parquet', location: LINK_LOCATIONS.personXwalk } },
    steps: [{ kind: 'sql', name: 'previous_person_xwalk', sql: 'SELECT * FROM current_person_xwalk' }],
    outputs: { previous_person_xwalk: { format: 'parquet', location: LINK_LOCATIONS.previousXwalk } },
  };
}

/**
 * The C2C linkage plan with the stable ids' steps after it (they read the clustering's
 * `clusters`); with `previous`, the previous run's crosswalk (copied to LINK_LOCATIONS.previousXwalk)
 * carries its ids forward.
 */
export function linkageWithStableIdsPlan(previous: boolean): Plan {
  const plan = linkagePlan(c2cLinkageSettings(), IDENTITY_RECORDS_LOCATION, LINK_LOCATIONS.linkage);
  return {
    ...plan,
    inputs: { ...plan.inputs, ...(previous ? { [STABLE_ID_TABLES.previousXwalk]: { format: 'parquet', location: LINK_LOCATIONS.previousXwalk } } : {}) },
    steps: [
      ...plan.steps, ...stableIdSteps(previous),
      { kind: 'sql', name: PERSON_CROSSWALK, sql: personCrosswalkSql() },
      { kind: 'sql', name: OPTED_OUT_PERSONS, sql: optedOutSql(STABLE_ID_TABLES.personXwalk) },
    ],
    outputs: {
      ...plan.outputs,
      [PERSON_CROSSWALK]: { format: 'parquet', location: LINK_LOCATIONS.personXwalk },
      [STABLE_ID_TABLES.idLineage]: { format: 'parquet', location: LINK_LOCATIONS.idLineage },
      [OPTED_OUT_PERSONS]: { format: 'parquet', location: LINK_LOCATIONS.optedOut },
    },
  };
}
