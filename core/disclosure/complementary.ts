/**
 * Complementary (secondary) suppression for a whole table system, in three phases:
 *
 * 1. Gaussian elimination (gauss.ts), family by family, hides the cheapest cells so that no primary
 *    cell is a linear function of published cells: nothing can be recovered exactly by adding and
 *    subtracting published cells, across all linked tables and hierarchy levels at once.
 * 2. A slack pass: in each equation with a published total, the hidden parts must add up to at
 *    least the protection of the hidden primaries among them (a cheap necessary condition).
 * 3. Interval protection: the LP audit (audit.ts) computes what an attacker can bound each hidden
 *    cell to, using nonnegativity too. For each primary narrower than its protection (or any hidden
 *    cell pinned exactly, which nonnegativity can do), an LP (protection.ts) picks the cheapest
 *    published cells whose hiding widens it enough; the changed components are screened again (the
 *    audit's verdict without every exact interval). Hiding a cell only removes knowledge, so
 *    intervals never shrink; each round hides at least one more cell, so this ends, at worst with
 *    whole families hidden. The final pattern's audit is certified: the exact verdict, with proven
 *    widths in place of exact bounds where a cell passes.
 *
 * Companions (an option): pairs [cell, companion] where hiding the cell forces its companion to be
 * hidden too (e.g. an event count whose cohort count is hidden), as a primary needing protection 1.
 * Whenever a phase hides a cell, its nonzero companions become primaries, and elimination and the
 * slack pass run again on their families before the LP phase goes on, so one run settles them all.
 *
 * Every free choice is broken by cell index, so the same input gives the same pattern.
 */
import type { Highs } from 'highs';
import { Auditor, type AuditResult, type Screening } from './audit';
import { gaussSecondary } from './gauss';
import { highsSolver } from './highs';
import { informationLoss, type InformationLoss } from './information-loss';
import { FamilyProtection } from './protection';
import { primarySuppression, type PrimaryOptions, type ProtectionRequirement } from './primary';
import { equationsByCell, familiesOf, validateTableSystem, type Family, type TableSystem } from './table-system';

export interface SuppressionOptions extends PrimaryOptions {
  /**
   * Cost of hiding each cell (one per cell); cheaper cells are hidden first. Default: the cell's
   * value, which keeps the hidden population small, with zeros costliest: a hidden zero beside a
   * small cell widens its interval by nothing.
   */
  readonly cost?: readonly number[];
  /**
   * Pairs [cell, companion]: whenever `cell` is hidden, `companion` is hidden too if its value is
   * positive, as a primary needing protection 1 (a larger requirement of its own wins). Hiding a
   * companion can hide more, and its own companions in turn.
   */
  readonly companions?: ReadonlyArray<readonly [number, number]>;
  /** Worker threads for the audit's screenings (Auditor): default one per core; 1 keeps it on this thread. */
  readonly workers?: number;
}

export interface SuppressionResult {
  /** The primary cells and their required protection, ascending by cell. */
  readonly primary: readonly ProtectionRequirement[];
  /** Secondary suppressions, ascending. */
  readonly secondary: readonly number[];
  /** Every suppressed cell (primary and secondary), ascending. */
  readonly suppressed: readonly number[];
  /**
   * The LP audit of the final pattern, certified (Auditor.certify): the exact verdict, exact
   * intervals for failing cells, certified ones (inside the attacker's) for the rest. Publish only
   * if `audit.passed`; auditSuppression gives every exact interval.
   */
  readonly audit: AuditResult;
  readonly informationLoss: InformationLoss;
  /**
   * Secondary cells chosen by each phase (by the phase that hid them first), how many LP-audit
   * rounds the last one took, and how many times elimination ran again because companions of
   * newly hidden cells became primaries.
   */
  readonly phases: {
    readonly eliminationSecondary: number;
    readonly slackSecondary: number;
    readonly protectionRounds: number;
    readonly protectionSecondary: number;
    readonly companionRounds: number;
  };
}

export async function suppressTableSystem(system: TableSystem, options: SuppressionOptions = {}): Promise<SuppressionResult> {
  validateTableSystem(system);
  if (options.cost !== undefined && options.cost.length !== system.values.length) {
    throw new RangeError(`cost has ${options.cost.length} entries for ${system.values.length} cells`);
  }
  const pattern = new Pattern(system, primarySuppression(system, options), companionsByCell(system, options.companions ?? []));
  const context = await protectionContext(system, suppressionRank(system, options.cost), options.cost);
  settle(context, pattern, new Set(context.families.keys()));

  // Rounds find the failing cells only; the final pattern's certified audit comes once, at the end.
  const auditor = await Auditor.create(system, { workers: options.workers });
  let protectionRounds = 0;
  let audit: AuditResult;
  try {
    let screening = await auditor.screen(pattern.suppressed, pattern.requirements());
    while (screening.failing.length > 0) {
      // Nothing left to hide around the failing cells: their families are wholly suppressed.
      if (protectionAdditions(context, pattern, screening, auditor).length === 0) break;
      protectionRounds++;
      settle(context, pattern, companionFamilies(context, pattern));
      screening = await auditor.screen(pattern.suppressed, pattern.requirements());
    }
    audit = await auditor.certify(pattern.suppressed, pattern.requirements());
  } finally {
    await auditor.close();
  }

  const primary = pattern.requirements();
  const all = [...pattern.suppressed].sort((a, b) => a - b);
  const secondary = all.filter((cell) => !pattern.required.has(cell));
  const secondaryOf = (phase: Phase): number => secondary.filter((cell) => pattern.phaseOf.get(cell) === phase).length;
  return {
    primary,
    secondary,
    suppressed: all,
    audit,
    informationLoss: informationLoss(system, primary.map(({ cell }) => cell), all),
    phases: {
      eliminationSecondary: secondaryOf('elimination'),
      slackSecondary: secondaryOf('slack'),
      protectionRounds,
      protectionSecondary: secondaryOf('protection'),
      companionRounds: context.companionRounds,
    },
  };
}

type Phase = 'primary' | 'elimination' | 'slack' | 'protection';

/**
 * The growing pattern: the hidden cells (only ever added) and the protection each primary needs.
 * Hiding a cell hides its nonzero companions as primaries (protection 1), transitively.
 */
class Pattern {
  readonly suppressed = new Set<number>();
  readonly required = new Map<number, number>();
  /** The phase that hid each cell first. */
  readonly phaseOf = new Map<number, Phase>();
  /** Primaries added by companions since familiesOfNewPrimaries last looked. */
  private newPrimaries: number[] = [];

  constructor(private readonly system: TableSystem, primary: readonly ProtectionRequirement[], private readonly companionsOf: ReadonlyMap<number, readonly number[]>) {
    for (const { cell, protection } of primary) this.required.set(cell, protection);
    for (const { cell } of primary) this.hide(cell, 'primary');
    // Companions of the primaries are primaries from the start, not news for a later round.
    this.newPrimaries = [];
  }

  hide(cell: number, phase: Phase): void {
    const queue = [cell];
    for (let head = 0; head < queue.length; head++) {
      const next = queue[head] as number;
      if (this.suppressed.has(next)) continue;
      this.suppressed.add(next);
      this.phaseOf.set(next, phase);
      for (const companion of this.companionsOf.get(next) ?? []) {
        if ((this.system.values[companion] as number) === 0 || this.required.has(companion)) continue;
        this.required.set(companion, 1);
        this.newPrimaries.push(companion);
        queue.push(companion);
      }
    }
  }

  /** Requirements ascending by cell, as the audit takes them. */
  requirements(): ProtectionRequirement[] {
    return [...this.required].sort(([a], [b]) => a - b).map(([cell, protection]) => ({ cell, protection }));
  }

  /** The families (by index) that got primaries from companions since the last call. */
  familiesOfNewPrimaries(familyOf: Int32Array): Set<number> {
    const families = new Set(this.newPrimaries.map((cell) => familyOf[cell] as number));
    this.newPrimaries = [];
    return families;
  }
}

/** Each cell's companions, validated. */
function companionsByCell(system: TableSystem, companions: ReadonlyArray<readonly [number, number]>): Map<number, number[]> {
  const byCell = new Map<number, number[]>();
  const inRange = (cell: number): boolean => Number.isInteger(cell) && cell >= 0 && cell < system.values.length;
  for (const [cell, companion] of companions) {
    if (!inRange(cell) || !inRange(companion)) throw new RangeError(`companion pair [${cell}, ${companion}] is outside the table system`);
    // A cell is hidden with itself anyway; as its own companion it would turn a secondary into a primary.
    if (cell === companion) continue;
    byCell.set(cell, [...(byCell.get(cell) ?? []), companion]);
  }
  return byCell;
}

/**
 * Elimination on the given families, then the slack pass; again on the families where companions
 * of newly hidden cells became primaries, until none do.
 */
function settle(context: ProtectionContext, pattern: Pattern, families: ReadonlySet<number>): void {
  for (let dirty = families; dirty.size > 0; dirty = companionFamilies(context, pattern)) {
    for (const family of [...dirty].sort((a, b) => a - b)) eliminate(context, pattern, context.families[family] as Family);
    slackPhase(context, pattern);
  }
}

/** The families where companions became primaries since the last look; counts a round if any. */
function companionFamilies(context: ProtectionContext, pattern: Pattern): Set<number> {
  const families = pattern.familiesOfNewPrimaries(context.familyOf);
  if (families.size > 0) context.companionRounds++;
  return families;
}

/**
 * Gaussian elimination on one family: hides what it refuses to publish. Cells already hidden stay
 * hidden and are not offered; only primaries need to stay undetermined.
 */
function eliminate({ system, rank }: ProtectionContext, pattern: Pattern, family: Family): void {
  const primaries = family.cells.filter((cell) => pattern.required.has(cell));
  if (primaries.length === 0) return;
  const publicationOrder = family.cells.filter((cell) => !pattern.suppressed.has(cell)).sort((a, b) => (rank[b] as number) - (rank[a] as number));
  for (const cell of gaussSecondary({ system, equations: family.equations, primaries, publicationOrder })) pattern.hide(cell, 'elimination');
}

/**
 * A cheap necessary condition before any LP: in an equation whose total is published, a hidden
 * part can be at most the sum of the hidden parts' values (the others are nonnegative), so that
 * sum must reach the largest protection among them, and be positive, or nonnegativity pins them.
 * Hides the cheapest sufficient published cell of each equation that falls short, until none does.
 */
function slackPhase({ system, byCell, rank }: ProtectionContext, pattern: Pattern): void {
  const { suppressed, required } = pattern;
  const queue = [...system.equations.keys()];
  const queued = new Uint8Array(system.equations.length).fill(1);
  for (let head = 0; head < queue.length; head++) {
    const index = queue[head] as number;
    queued[index] = 0;
    const { total, parts } = system.equations[index] as TableSystem['equations'][number];
    if (suppressed.has(total)) continue;
    const hidden = parts.filter((part) => suppressed.has(part));
    if (hidden.length === 0) continue;
    const need = Math.max(1, ...hidden.map((part) => required.get(part) ?? 0));
    const slack = hidden.reduce((sum, part) => sum + (system.values[part] as number), 0);
    if (slack >= need) continue;
    const published = parts.filter((part) => !suppressed.has(part));
    const cell = cheapestSufficient(system, published, need - slack, rank) ?? total;
    pattern.hide(cell, 'slack');
    for (const other of byCell[cell] as number[]) {
      if (queued[other] === 0) {
        queued[other] = 1;
        queue.push(other);
      }
    }
    // This equation may still fall short.
    if (queued[index] === 0) {
      queued[index] = 1;
      queue.push(index);
    }
  }
}

async function protectionContext(system: TableSystem, rank: Int32Array, cost: readonly number[] | undefined): Promise<ProtectionContext> {
  const families = familiesOf(system);
  const familyOf = new Int32Array(system.values.length);
  families.forEach((family, index) => {
    for (const cell of family.cells) familyOf[cell] = index;
  });
  // Zeros cost the most by default, as in the elimination's order.
  const zeroCost = system.values.reduce((max, value) => Math.max(max, value), 0) + 1;
  const costOf = (cell: number): number => cost?.[cell] ?? ((system.values[cell] as number) > 0 ? (system.values[cell] as number) : zeroCost);
  return { system, byCell: equationsByCell(system), families, familyOf, rank, costOf, highs: await highsSolver(), companionRounds: 0 };
}

/** Each cell's position in the order of hiding (0 = hidden first): by cost, then by index. */
function suppressionRank(system: TableSystem, cost: readonly number[] | undefined): Int32Array {
  const costOf = (cell: number): number => {
    if (cost !== undefined) return cost[cell] as number;
    const value = system.values[cell] as number;
    return value > 0 ? value : Infinity;
  };
  const order = [...system.values.keys()].sort((a, b) => costOf(a) - costOf(b) || a - b);
  const rank = new Int32Array(system.values.length);
  order.forEach((cell, position) => (rank[cell] = position));
  return rank;
}

/**
 * Cells to hide for the cells the screening failed, made safe by the LP of protection.ts: per
 * family, one change for all its failing cells, else one per cell (the cells hidden for one are
 * free for the next); where that LP finds nothing, the cheapest sufficient published cell in the
 * equations around the failing cell. The changes found become the auditor's certificates.
 */
function protectionAdditions(context: ProtectionContext, pattern: Pattern, { failing, intervals }: Screening, auditor: Auditor): number[] {
  const { system, byCell, families, familyOf, rank, highs } = context;
  const { suppressed, required } = pattern;
  const added: number[] = [];
  const failingByFamily = new Map<number, number[]>();
  for (const cell of failing) {
    const family = familyOf[cell] as number;
    failingByFamily.set(family, [...(failingByFamily.get(family) ?? []), cell]);
  }
  for (const [family, cells] of failingByFamily) {
    const lp = FamilyProtection.create(highs, system, families[family] as Family, suppressed, context.costOf);
    const targets = cells.map((cell) => {
      const value = system.values[cell] as number;
      const min = intervals.get(cell)?.min ?? value;
      // Raising the cell this far above its value makes its interval wide enough whatever happens below.
      return { cell, amount: Math.max((required.get(cell) ?? 1) - (value - min), 1) };
    });
    const hideAll = (hide: readonly number[]): void => {
      for (const hidden of hide) pattern.hide(hidden, 'protection');
      lp.hidden(hide);
      added.push(...hide);
    };
    try {
      // All the family's failing cells by one change where one exists; else one by one, the cells
      // hidden for one free for the next.
      const together = targets.length > 1 ? lp.cellsToRaise(targets, suppressed) : undefined;
      if (together !== undefined && together.length > 0) hideAll(together);
      else {
        for (const target of targets) {
          const raise = lp.cellsToRaise([target], suppressed);
          hideAll(raise !== undefined && raise.length > 0 ? raise : fallbackCell(system, byCell, suppressed, target.cell, target.amount, rank));
        }
      }
      // Every change found is invisible once its cells are hidden: proofs for the next screening.
      auditor.witness(lp.points());
    } finally {
      lp.dispose();
    }
  }
  return added;
}

interface ProtectionContext {
  readonly system: TableSystem;
  readonly byCell: readonly number[][];
  readonly families: readonly Family[];
  readonly familyOf: Int32Array;
  readonly rank: Int32Array;
  readonly costOf: (cell: number) => number;
  readonly highs: Highs;
  companionRounds: number;
}

function fallbackCell(system: TableSystem, byCell: readonly number[][], suppressed: ReadonlySet<number>, cell: number, shortfall: number, rank: Int32Array): number[] {
  const choice = cheapestSufficient(system, nearestPublished(system, byCell, suppressed, cell), shortfall, rank);
  return choice === undefined ? [] : [choice];
}

/** Published cells of the nearest ring of equations around `start` (through hidden cells only) that has any. */
function nearestPublished(system: TableSystem, byCell: readonly number[][], suppressed: ReadonlySet<number>, start: number): number[] {
  const seenCells = new Set([start]);
  const seenEquations = new Set<number>();
  let frontier = [start];
  while (frontier.length > 0) {
    const published = new Set<number>();
    const next: number[] = [];
    for (const cell of frontier) {
      for (const index of byCell[cell] as number[]) {
        if (seenEquations.has(index)) continue;
        seenEquations.add(index);
        const { total, parts } = system.equations[index] as TableSystem['equations'][number];
        for (const other of [total, ...parts]) {
          if (!suppressed.has(other)) published.add(other);
          else if (!seenCells.has(other)) {
            seenCells.add(other);
            next.push(other);
          }
        }
      }
    }
    if (published.size > 0) return [...published];
    frontier = next;
  }
  return [];
}

function cheapestSufficient(system: TableSystem, cells: readonly number[], shortfall: number, rank: Int32Array): number | undefined {
  const byRank = [...cells].sort((a, b) => (rank[a] as number) - (rank[b] as number));
  return byRank.find((cell) => (system.values[cell] as number) >= shortfall)
    ?? byRank.reduce<number | undefined>((best, cell) => (best === undefined || (system.values[cell] as number) > (system.values[best] as number) ? cell : best), undefined);
}
