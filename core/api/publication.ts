/**
 * What the Query API serves: one publication, read from the published zone only (metadata.json,
 * withheld.csv and the published table), indexed once so that a request costs one small query.
 */
import { parse } from 'csv-parse/sync';
import { BREAKDOWN_IDS, groupingSets, type BreakdownId } from '../outcomes/breakdowns';
import { PUBLISHED_LOCATIONS } from '../outcomes/published-table';
import { EngineUnavailableError, type PublishedFiles, type PublishedTable } from '../ports/published-table';

export interface PublishedBreakdown {
  readonly id: BreakdownId;
  readonly title: string;
  readonly description: string;
  readonly parent: BreakdownId | null;
}

export interface PublishedMetric {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: 'rate' | 'employment';
  readonly cohort: { readonly id: string; readonly title: string; readonly description: string };
  readonly event: string;
  readonly window: string;
  readonly followUpYears: number;
  readonly caveats: readonly string[];
  readonly breakdowns: readonly BreakdownId[];
  /** The combinations a query may use, each in the metric's order of breakdowns (as the table's grouping_set). */
  readonly groupingSets: readonly (readonly BreakdownId[])[];
  /** Cohort years with published rows or withheld grouping sets, ascending. */
  readonly cohortYears: readonly number[];
  /** The published groups of each breakdown, sorted. */
  readonly groups: ReadonlyMap<BreakdownId, readonly string[]>;
  /** Withheld grouping sets: grouping_set → cohort year → reason code. */
  readonly withheld: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

export interface Publication {
  readonly runId: string;
  readonly publishedAt: string;
  readonly dataThroughYear: number;
  /** Counts from 1 to threshold − 1 are never published. */
  readonly threshold: number;
  /** Suppression reason code → text. */
  readonly reasons: Readonly<Record<string, string>>;
  /** Withheld reason code → text. */
  readonly withheldReasons: Readonly<Record<string, string>>;
  readonly breakdowns: ReadonlyMap<BreakdownId, PublishedBreakdown>;
  readonly metrics: ReadonlyMap<string, PublishedMetric>;
}

/** The publication's files are not what publishing writes: served as 503, since no request can fix it. */
export class PublicationError extends EngineUnavailableError {}

type Json = Record<string, unknown>;

function field<T>(object: Json, name: string, check: (value: unknown) => value is T, what: string): T {
  const value = object[name];
  if (!check(value)) throw new PublicationError(`metadata.json: ${name} is not ${what}`);
  return value;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
const isBreakdownId = (v: unknown): v is BreakdownId => (BREAKDOWN_IDS as readonly unknown[]).includes(v);

/**
 * The SQL with the publication's run id in a comment. Athena reuses a result whenever the query
 * text matches, without knowing that the table changed: the tag keeps one publication's rows from
 * answering for the next.
 */
export function forPublication(runId: string, sql: string): string {
  return `/* publication ${runId.replace(/[^A-Za-z0-9_.-]/g, '_')} */ ${sql}`;
}

/** Group values and cohort years of every metric, in one pass over the table. */
function indexSql(tableName: string): string {
  const years = `SELECT metric_id, 'cohort_year' AS breakdown, CAST(cohort_year AS VARCHAR) AS grp FROM ${tableName} GROUP BY metric_id, cohort_year`;
  const groups = BREAKDOWN_IDS.map((b) => `SELECT metric_id, '${b}' AS breakdown, ${b} AS grp FROM ${tableName} WHERE ${b} IS NOT NULL GROUP BY metric_id, ${b}`);
  return [years, ...groups].join('\nUNION ALL\n');
}

export async function loadPublication(files: PublishedFiles, table: PublishedTable): Promise<Publication> {
  let metadata: unknown;
  try {
    metadata = JSON.parse(await files.readText(PUBLISHED_LOCATIONS.metadata));
  } catch (error) {
    if (error instanceof EngineUnavailableError) throw error;
    throw new PublicationError('metadata.json is not JSON');
  }
  if (!isObject(metadata)) throw new PublicationError('metadata.json is not an object');
  const control = field(metadata, 'disclosureControl', isObject, 'an object');
  const breakdowns = new Map(field(metadata, 'breakdowns', isArray, 'a list').filter(isObject).map((b) => {
    const id = field(b, 'id', isBreakdownId, 'a breakdown id');
    const parent = b.parent === undefined ? null : field(b, 'parent', isBreakdownId, 'a breakdown id');
    return [id, { id, title: field(b, 'title', isString, 'text'), description: field(b, 'description', isString, 'text'), parent }] as const;
  }));
  const cohorts = new Map(field(metadata, 'cohorts', isArray, 'a list').filter(isObject).map((c) => {
    const id = field(c, 'id', isString, 'text');
    return [id, { id, title: field(c, 'title', isString, 'text'), description: field(c, 'description', isString, 'text') }] as const;
  }));

  const withheld = new Map<string, Map<string, Map<number, string>>>();
  const withheldRows = parse(await files.readText(PUBLISHED_LOCATIONS.withheld), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  for (const row of withheldRows) {
    const { metric_id: metric, grouping_set: set, reason } = row;
    const year = Number(row.cohort_year);
    if (!metric || set === undefined || !reason || !Number.isInteger(year)) throw new PublicationError('withheld.csv has a row without metric_id, cohort_year, grouping_set or reason');
    const sets = withheld.get(metric) ?? new Map<string, Map<number, string>>();
    withheld.set(metric, sets);
    const years = sets.get(set) ?? new Map<number, string>();
    sets.set(set, years.set(year, reason));
  }

  const runId = field(metadata, 'runId', isString, 'text');
  const found = new Map<string, { years: Set<number>; groups: Map<BreakdownId, string[]> }>();
  for (const row of await table.select({ sql: forPublication(runId, indexSql(table.tableName)), parameters: [] })) {
    const metric = String(row.metric_id);
    const entry = found.get(metric) ?? { years: new Set<number>(), groups: new Map<BreakdownId, string[]>() };
    found.set(metric, entry);
    const breakdown = String(row.breakdown);
    if (breakdown === 'cohort_year') entry.years.add(Number(row.grp));
    else if (isBreakdownId(breakdown)) entry.groups.set(breakdown, [...(entry.groups.get(breakdown) ?? []), String(row.grp)]);
  }

  const metrics = new Map(field(metadata, 'metrics', isArray, 'a list').filter(isObject).map((m): [string, PublishedMetric] => {
    const id = field(m, 'id', isString, 'text');
    const cohortId = field(m, 'cohort', isString, 'text');
    const cohort = cohorts.get(cohortId);
    if (!cohort) throw new PublicationError(`metadata.json: metric ${id} names the cohort ${cohortId}, which it does not define`);
    const metricBreakdowns = field(m, 'breakdowns', isArray, 'a list').map((b) => {
      if (!isBreakdownId(b) || !breakdowns.has(b)) throw new PublicationError(`metadata.json: metric ${id} names an unknown breakdown`);
      return b;
    });
    const kind = field(m, 'kind', (v): v is 'rate' | 'employment' => v === 'rate' || v === 'employment', 'rate or employment');
    const rows = found.get(id);
    const metricWithheld = withheld.get(id) ?? new Map<string, Map<number, string>>();
    const years = new Set(rows?.years ?? []);
    for (const byYear of metricWithheld.values()) for (const year of byYear.keys()) years.add(year);
    return [id, {
      id, kind, cohort, breakdowns: metricBreakdowns,
      title: field(m, 'title', isString, 'text'),
      description: field(m, 'description', isString, 'text'),
      event: field(m, 'event', isString, 'text'),
      window: field(m, 'window', isString, 'text'),
      followUpYears: field(m, 'followUpYears', isNumber, 'a number'),
      caveats: field(m, 'caveats', isArray, 'a list').filter(isString),
      groupingSets: groupingSets(metricBreakdowns),
      cohortYears: [...years].sort((a, b) => a - b),
      groups: new Map(metricBreakdowns.map((b) => [b, [...(rows?.groups.get(b) ?? [])].sort()])),
      withheld: metricWithheld,
    }];
  }));

  return {
    runId,
    publishedAt: field(metadata, 'publishedAt', isString, 'text'),
    dataThroughYear: field(metadata, 'dataThroughYear', isNumber, 'a number'),
    threshold: field(control, 'threshold', isNumber, 'a number'),
    reasons: field(control, 'reasons', isStringRecord, 'a map of texts'),
    withheldReasons: field(control, 'withheldReasons', isStringRecord, 'a map of texts'),
    breakdowns,
    metrics,
  };
}
