/**
 * Disclosure control of the whole outcome cube at once: the cube's counts become one linear table
 * system (core/disclosure), suppressed jointly, audited by linear programming, and turned back into
 * rows whose every suppressed value carries a reason. docs/outcomes.md explains the choices.
 *
 * What is one cell: a count of one population of people (a cohort, or the events of a metric) in
 * one cohort year and one group. Metrics that share a cohort share its cells, so a denominator is
 * hidden everywhere or nowhere; the events of teacher_employed_1y are the new_teachers cohort, so
 * those are one cell too.
 *
 * The equations: in every grouping set, the groups of a breakdown add up to the cell without that
 * breakdown (or to their parent's group: counties to their region, campuses to their segment), and
 * the parts of a metric partition add up to the whole. Zero cells are absent from the cube, known
 * to be zero, and published.
 *
 * Primary suppression: a count from 1 to threshold − 1; a nonzero event count whose complement in
 * its cohort (cohort − events) is from 1 to threshold − 1; a nonzero event count whose cohort count
 * is hidden.
 * Rates are hidden with either count; wage percentiles when the earners are fewer than the
 * threshold or their count is hidden.
 */
import { DEFAULT_THRESHOLD, suppressTableSystem, type Equation, type ProtectionRequirement } from '../disclosure';
import { COUNTIES } from '../reference/california';
import { BREAKDOWN_IDS, BREAKDOWNS, type BreakdownId } from './breakdowns';
import { METRIC_PARTITIONS, METRICS, type MetricDefinition } from './metrics';

export type CubeRow = {
  readonly metric_id: string;
  readonly cohort_year: number;
  readonly grouping_set: string;
  readonly cohort_count: number;
  readonly event_count: number;
  readonly rate: number | null;
  readonly wage_p25: number | null;
  readonly wage_median: number | null;
  readonly wage_p75: number | null;
} & { readonly [B in BreakdownId]: string | null };

export const SUPPRESSION_REASONS = {
  small_count: 'The count is between 1 and the threshold − 1.',
  small_complement: 'Nearly everyone in the group had the event: the ones who did not are fewer than the threshold.',
  denominator_suppressed: 'The cohort count of the group is hidden, so its event count is too.',
  complementary: 'Hidden so that another hidden count cannot be worked out from published ones.',
  few_earners: 'Fewer earners than the threshold: wage percentiles would describe too few people.',
} as const;
export type SuppressionReason = keyof typeof SUPPRESSION_REASONS;

export type ProtectedRow = CubeRow & {
  readonly cohort_count_suppressed: SuppressionReason | null;
  readonly event_count_suppressed: SuppressionReason | null;
  readonly rate_suppressed: SuppressionReason | null;
  readonly wages_suppressed: SuppressionReason | null;
};

export interface ProtectOptions {
  /** Counts from 1 to threshold − 1 are hidden; default 11 (1–10 hidden, zero published). */
  readonly threshold?: number;
  /** Interval width an attacker must be left with for each small count; default the threshold. */
  readonly protection?: number;
  readonly metrics?: readonly MetricDefinition[];
  /**
   * A cohort's grouping set (in one cohort year) whose counts (the cohort's and its metrics'
   * events) are more than this share too small to publish (a count, or an event count's
   * complement, from 1 to threshold − 1) is withheld for all the cohort's metrics, with every
   * finer grouping set; default one half.
   */
  readonly maxPrimaryShare?: number;
}

/** More than half the groups too small to show: the breakdown says nothing, so it is not published. */
export const DEFAULT_MAX_PRIMARY_SHARE = 0.5;

export interface ProtectionSummary {
  readonly threshold: number;
  readonly protection: number;
  readonly rows: number;
  readonly cells: number;
  readonly equations: number;
  readonly primaryCells: number;
  readonly secondaryCells: number;
  readonly suppressedCells: number;
  readonly suppressedShare: number;
  /** People in hidden cells (a person counts once per cell). */
  readonly suppressedPopulation: number;
  readonly auditPassed: boolean;
  /** Hidden cells whose derivable interval is exact, or narrower than required; both empty when the audit passed. */
  readonly exactlyRecovered: number;
  readonly underProtected: number;
  /** Rounds of elimination: one more each time hidden cohort counts forced their event counts to be hidden. */
  readonly rounds: number;
  /** Cube rows not published because their grouping set was withheld as too sparse. */
  readonly withheldRows: number;
}

/** Why a grouping set of a metric and cohort year is not published at all, in words users read. */
export const WITHHELD_REASONS = {
  sparse: 'Not published for this cohort year: most of its groups are too small to show.',
  finer_than_sparse: 'Not published for this cohort year: a coarser breakdown of it is withheld as too sparse.',
} as const;

/** A grouping set of one metric and cohort year that is not published, and why. */
export interface WithheldGroupingSet {
  readonly metric_id: string;
  readonly cohort_year: number;
  readonly grouping_set: string;
  readonly reason: keyof typeof WITHHELD_REASONS;
}

export interface ProtectedCube {
  readonly rows: readonly ProtectedRow[];
  readonly withheld: readonly WithheldGroupingSet[];
  readonly summary: ProtectionSummary;
}

export class DisclosureControlError extends Error {}

const REGION_OF_COUNTY = new Map(COUNTIES.map((c) => [c.name, c.region as string]));

/** The group of a child breakdown's parent that a child's group is in. */
function parentGroup(breakdown: BreakdownId, group: string): string {
  if (group === 'UNKNOWN') return 'UNKNOWN';
  if (breakdown === 'county') return REGION_OF_COUNTY.get(group) ?? 'UNKNOWN';
  if (breakdown === 'institution') return group.split(':')[0] as string;
  throw new DisclosureControlError(`breakdown ${breakdown} has no parent`);
}

interface CellKey {
  readonly population: string;
  readonly year: number;
  readonly groups: ReadonlyMap<BreakdownId, string>;
}

function keyText({ population, year, groups }: CellKey): string {
  return `${population}|${year}|${BREAKDOWN_IDS.filter((b) => groups.has(b)).map((b) => `${b}=${groups.get(b) as string}`).join('|')}`;
}

/** The cube's counts as cells and equations, with the cells of each row. */
class CubeSystem {
  readonly values: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly keys: CellKey[] = [];
  /** Population → the breakdowns any metric reports it by. */
  private readonly breakdowns = new Map<string, Set<BreakdownId>>();

  cell(key: CellKey, value: number, where: string): number {
    const text = keyText(key);
    const found = this.index.get(text);
    if (found !== undefined) {
      // Never name the values: they are unprotected counts.
      if (this.values[found] !== value) throw new DisclosureControlError(`the cube gives two counts for one cell (${where}, population ${key.population}, year ${key.year}); one population's counts must agree across metrics`);
      return found;
    }
    this.index.set(text, this.values.length);
    this.keys.push(key);
    this.values.push(value);
    return this.values.length - 1;
  }

  reportedBy(population: string, breakdowns: readonly BreakdownId[]): void {
    const set = this.breakdowns.get(population) ?? new Set();
    for (const b of breakdowns) set.add(b);
    this.breakdowns.set(population, set);
  }

  lookup(key: CellKey): number | undefined {
    return this.index.get(keyText(key));
  }

  /** In each grouping set, the groups of each breakdown add up to the cell above them. */
  additivity(): Equation[] {
    const equations = new Map<string, Equation & { parts: number[] }>();
    this.keys.forEach((key, cell) => {
      for (const [breakdown, group] of key.groups) {
        const above = new Map(key.groups);
        above.delete(breakdown);
        const parent = BREAKDOWNS[breakdown].parent;
        if (parent && this.breakdowns.get(key.population)?.has(parent)) above.set(parent, parentGroup(breakdown, group));
        const total = this.lookup({ ...key, groups: above });
        if (total === undefined) throw new DisclosureControlError(`the cube lacks the cell above a group of ${breakdown} (population ${key.population}, year ${key.year})`);
        const id = `${total}:${breakdown}`;
        const equation = equations.get(id) ?? { total, parts: [] };
        equation.parts.push(cell);
        equations.set(id, equation);
      }
    });
    return [...equations.values()];
  }
}

const populationOfCohort = (metric: MetricDefinition): string => `cohort:${metric.cohort}`;
const populationOfEvents = (metric: MetricDefinition): string => (metric.eventsAreCohort ? `cohort:${metric.eventsAreCohort}` : `events:${metric.id}`);

function groupsOf(row: CubeRow): Map<BreakdownId, string> {
  const groups = new Map<BreakdownId, string>();
  for (const b of row.grouping_set === '' ? [] : (row.grouping_set.split(',') as BreakdownId[])) {
    const group = row[b];
    if (group === null || group === undefined) throw new DisclosureControlError(`a row of ${row.metric_id} is grouped by ${b} but has no group for it`);
    groups.set(b, group);
  }
  return groups;
}

/** Suppresses and audits the whole cube; throws DisclosureControlError if the audit fails. */
export async function protectCube(cube: readonly CubeRow[], options: ProtectOptions = {}): Promise<ProtectedCube> {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const protection = options.protection ?? threshold;
  const metrics = new Map((options.metrics ?? METRICS).map((m) => [m.id, m]));
  for (const row of cube) if (!metrics.has(row.metric_id)) throw new DisclosureControlError(`the cube has rows of ${row.metric_id}, which the metric catalog does not define`);
  const withheld = sparseGroupingSets(cube, metrics, threshold, options.maxPrimaryShare ?? DEFAULT_MAX_PRIMARY_SHARE);
  const rows = cube.filter((row) => !withheld.has(groupingSetKey(metrics.get(row.metric_id) as MetricDefinition, row)));
  const system = new CubeSystem();
  for (const metric of metrics.values()) {
    system.reportedBy(populationOfCohort(metric), metric.breakdowns);
    system.reportedBy(populationOfEvents(metric), metric.breakdowns);
  }

  const cellsOfRow = rows.map((row) => {
    const metric = metrics.get(row.metric_id) as MetricDefinition;
    const groups = groupsOf(row);
    const where = `${row.metric_id} ${row.grouping_set || 'total'}`;
    return {
      cohort: system.cell({ population: populationOfCohort(metric), year: row.cohort_year, groups }, row.cohort_count, where),
      events: system.cell({ population: populationOfEvents(metric), year: row.cohort_year, groups }, row.event_count, where),
    };
  });

  const equations = [...system.additivity(), ...partitionEquations(rows, cellsOfRow, system, metrics)];
  const tableSystem = { values: system.values, equations };

  const smallComplement: ProtectionRequirement[] = [];
  rows.forEach((row, i) => {
    const complement = row.cohort_count - row.event_count;
    // With no events the complement is the cohort count, protected as a count of its own; a zero
    // has no width to give (an LP pins a hidden zero whose totals are zero), so it stays published.
    if (row.event_count > 0 && complement >= 1 && complement < threshold) smallComplement.push({ cell: (cellsOfRow[i] as { events: number }).events, protection });
  });

  // A hidden cohort count forces its (nonzero) event count to be hidden, which may hide more.
  const companions = cellsOfRow.map(({ cohort, events }) => [cohort, events] as const);
  const result = await suppressTableSystem(tableSystem, { threshold, protection, additional: smallComplement, companions });
  if (!result.audit.passed) {
    throw new DisclosureControlError(`the suppression pattern failed its audit: ${result.audit.exactlyRecovered.length} hidden cells recoverable exactly, ` +
      `${result.audit.underProtected.length} with less than the required protection; nothing was published`);
  }

  const hidden = new Set(result.suppressed);
  const complementCells = new Set(smallComplement.map((p) => p.cell));
  const countReason = (cell: number, cohortCell?: number): SuppressionReason | null => {
    if (!hidden.has(cell)) return null;
    const value = system.values[cell] as number;
    if (value >= 1 && value < threshold) return 'small_count';
    if (complementCells.has(cell)) return 'small_complement';
    return cohortCell !== undefined && hidden.has(cohortCell) ? 'denominator_suppressed' : 'complementary';
  };
  const protectedRows = rows.map((row, i): ProtectedRow => {
    const cells = cellsOfRow[i] as { cohort: number; events: number };
    const cohortReason = countReason(cells.cohort);
    const eventReason = countReason(cells.events, cells.cohort);
    const metric = metrics.get(row.metric_id) as MetricDefinition;
    const wagesReason = metric.kind !== 'employment' || row.event_count === 0 ? null : row.event_count < threshold ? 'few_earners' : eventReason;
    return {
      ...row,
      cohort_count_suppressed: cohortReason,
      event_count_suppressed: eventReason,
      rate_suppressed: eventReason ?? cohortReason,
      wages_suppressed: wagesReason,
    };
  });

  const loss = result.informationLoss;
  const withheldSets = new Map<string, WithheldGroupingSet>();
  for (const row of cube) {
    const reason = withheld.get(groupingSetKey(metrics.get(row.metric_id) as MetricDefinition, row));
    if (reason) withheldSets.set(`${row.metric_id}|${row.cohort_year}|${row.grouping_set}`, { metric_id: row.metric_id, cohort_year: row.cohort_year, grouping_set: row.grouping_set, reason });
  }
  return {
    rows: protectedRows,
    withheld: [...withheldSets.values()],
    summary: {
      threshold, protection, rows: rows.length, cells: system.values.length, equations: equations.length,
      primaryCells: result.primary.length, secondaryCells: result.secondary.length, suppressedCells: result.suppressed.length,
      suppressedShare: loss.suppressedShare, suppressedPopulation: loss.suppressedPopulation,
      auditPassed: result.audit.passed, exactlyRecovered: result.audit.exactlyRecovered.length, underProtected: result.audit.underProtected.length,
      rounds: 1 + result.phases.companionRounds,
      withheldRows: cube.length - rows.length,
    },
  };
}

/** A row's cohort, year and grouping set, the breakdowns in catalog order whatever the metric's order. */
function groupingSetKey(metric: MetricDefinition, row: { readonly cohort_year: number; readonly grouping_set: string }): string {
  return `${populationOfCohort(metric)}|${row.cohort_year}|${canonicalSet(row.grouping_set === '' ? [] : (row.grouping_set.split(',') as BreakdownId[])).join(',')}`;
}

function canonicalSet(set: readonly BreakdownId[]): BreakdownId[] {
  return [...set].sort((a, b) => BREAKDOWN_IDS.indexOf(a) - BREAKDOWN_IDS.indexOf(b));
}

/**
 * The grouping sets withheld as sparse (cohort counts mostly small), and every set finer than a
 * withheld one (with one breakdown more, or a child breakdown in place of its parent), by
 * groupingSetKey. Withholding whole finer sets keeps what is published closed under coarsening, so
 * the withheld cells constrain nothing published: any nonnegative published margins are the
 * margins of some table of withheld cells (docs/outcomes.md), and the audit over the published
 * cells alone is the attacker's whole knowledge.
 */
function sparseGroupingSets(cube: readonly CubeRow[], metrics: ReadonlyMap<string, MetricDefinition>, threshold: number, maxPrimaryShare: number): Map<string, WithheldGroupingSet['reason']> {
  // Per cohort, year and grouping set: its counts (the cohort's, and each metric's events), and how many are too small to publish.
  const cells = new Map<string, { counts: number; small: number }>();
  const reported = new Map<string, Set<BreakdownId>>();
  const tooSmall = (n: number): boolean => n >= 1 && n < threshold;
  const seenCohortCells = new Set<string>();
  for (const row of cube) {
    const metric = metrics.get(row.metric_id) as MetricDefinition;
    const key = groupingSetKey(metric, row);
    const entry = cells.get(key) ?? { counts: 0, small: 0 };
    const cohortCell = `${key}|${BREAKDOWN_IDS.map((b) => row[b] ?? '').join('|')}`;
    if (!seenCohortCells.has(cohortCell)) {
      seenCohortCells.add(cohortCell);
      entry.counts += 1;
      if (tooSmall(row.cohort_count)) entry.small += 1;
    }
    entry.counts += 1;
    if (tooSmall(row.event_count) || (row.event_count > 0 && tooSmall(row.cohort_count - row.event_count))) entry.small += 1;
    cells.set(key, entry);
    const breakdowns = reported.get(populationOfCohort(metric)) ?? new Set();
    for (const b of metric.breakdowns) breakdowns.add(b);
    reported.set(populationOfCohort(metric), breakdowns);
  }
  const withheld = new Map<string, WithheldGroupingSet['reason']>();
  for (const [key, { counts, small }] of cells) {
    if (key.endsWith('|')) continue; // the total is always published
    if (small > maxPrimaryShare * counts) withheld.set(key, 'sparse');
  }
  // Coarser sets first, so that a set's coarser neighbours are decided before it.
  const bySize = [...cells.keys()].sort((a, b) => a.split(',').length - b.split(',').length);
  for (const key of bySize) {
    if (withheld.has(key)) continue;
    const [population, year, setText] = key.split('|') as [string, string, string];
    const set = setText === '' ? [] : (setText.split(',') as BreakdownId[]);
    const coarser = set.flatMap((b) => {
      const without = set.filter((other) => other !== b);
      const parent = BREAKDOWNS[b].parent;
      return [without, ...(parent && reported.get(population)?.has(parent) ? [[...without, parent]] : [])];
    });
    if (coarser.some((c) => withheld.has(`${population}|${year}|${canonicalSet(c).join(',')}`))) withheld.set(key, 'finer_than_sparse');
  }
  return withheld;
}

/** The parts of a metric partition add up to the whole, cell by cell. */
function partitionEquations(rows: readonly CubeRow[], cellsOfRow: ReadonlyArray<{ events: number }>, system: CubeSystem, metrics: ReadonlyMap<string, MetricDefinition>): Equation[] {
  const equations: Equation[] = [];
  for (const partition of METRIC_PARTITIONS) {
    const parts = partition.parts.map((id) => metrics.get(id)).filter((m): m is MetricDefinition => m !== undefined);
    if (!metrics.has(partition.whole) || parts.length !== partition.parts.length) continue;
    rows.forEach((row, i) => {
      if (row.metric_id !== partition.whole) return;
      const groups = groupsOf(row);
      const partCells = parts.map((m) => system.lookup({ population: populationOfEvents(m), year: row.cohort_year, groups })).filter((c): c is number => c !== undefined);
      equations.push({ total: (cellsOfRow[i] as { events: number }).events, parts: partCells });
    });
  }
  return equations;
}
