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
 *    published cells whose hiding widens it enough; the changed components are audited again. Hiding
 *    a cell only removes knowledge, so intervals never shrink; each round hides at least one more
 *    cell, so this ends, at worst with whole families hidden.
 *
 * Every free choice is broken by cell index, so the same input gives the same pattern.
 */
import type { Highs } from 'highs';
import { Auditor, type AuditResult } from './audit';
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
}

export interface SuppressionResult {
  /** The primary cells and their required protection, ascending by cell. */
  readonly primary: readonly ProtectionRequirement[];
  /** Secondary suppressions, ascending. */
  readonly secondary: readonly number[];
  /** Every suppressed cell (primary and secondary), ascending. */
  readonly suppressed: readonly number[];
  /** The LP audit of the final pattern; publish only if `audit.passed`. */
  readonly audit: AuditResult;
  readonly informationLoss: InformationLoss;
  /** Secondary cells chosen by each phase, and how many LP-audit rounds the last one took. */
  readonly phases: {
    readonly eliminationSecondary: number;
    readonly slackSecondary: number;
    readonly protectionRounds: number;
    readonly protectionSecondary: number;
  };
}

export async function suppressTableSystem(system: TableSystem, options: SuppressionOptions = {}): Promise<SuppressionResult> {
  validateTableSystem(system);
  if (options.cost !== undefined && options.cost.length !== system.values.length) {
    throw new RangeError(`cost has ${options.cost.length} entries for ${system.values.length} cells`);
  }
  const primary = primarySuppression(system, options);
  const rank = suppressionRank(system, options.cost);
  const suppressed = new Set(primary.map(({ cell }) => cell));
  const eliminationSecondary = eliminationPhase(system, suppressed, rank);
  const byCell = equationsByCell(system);
  const slackSecondary = slackPhase(system, byCell, suppressed, primary, rank);

  const auditor = await Auditor.create(system);
  const context = await protectionContext(system, byCell, primary, rank, options.cost);
  let audit = auditor.audit(suppressed, primary);
  let protectionRounds = 0;
  while (!audit.passed) {
    // Nothing left to hide around the failing cells: their families are wholly suppressed.
    if (protectionAdditions(context, suppressed, audit).length === 0) break;
    protectionRounds++;
    audit = auditor.audit(suppressed, primary);
  }

  const primaryCells = new Set(primary.map(({ cell }) => cell));
  const all = [...suppressed].sort((a, b) => a - b);
  const secondary = all.filter((cell) => !primaryCells.has(cell));
  return {
    primary,
    secondary,
    suppressed: all,
    audit,
    informationLoss: informationLoss(system, [...primaryCells], all),
    phases: { eliminationSecondary, slackSecondary, protectionRounds, protectionSecondary: secondary.length - eliminationSecondary - slackSecondary },
  };
}

/** Runs the elimination family by family; adds its secondaries to `suppressed`, returns how many. */
function eliminationPhase(system: TableSystem, suppressed: Set<number>, rank: Int32Array): number {
  let added = 0;
  for (const family of familiesOf(system)) {
    const primaries = family.cells.filter((cell) => suppressed.has(cell));
    if (primaries.length === 0) continue;
    const publicationOrder = family.cells.filter((cell) => !suppressed.has(cell)).sort((a, b) => (rank[b] as number) - (rank[a] as number));
    const secondary = gaussSecondary({ system, equations: family.equations, primaries, publicationOrder });
    for (const cell of secondary) suppressed.add(cell);
    added += secondary.length;
  }
  return added;
}

/**
 * A cheap necessary condition before any LP: in an equation whose total is published, a hidden
 * part can be at most the sum of the hidden parts' values (the others are nonnegative), so that
 * sum must reach the largest protection among them, and be positive, or nonnegativity pins them.
 * Hides the cheapest sufficient published cell of each equation that falls short, until none does.
 */
function slackPhase(system: TableSystem, byCell: readonly number[][], suppressed: Set<number>, primary: readonly ProtectionRequirement[], rank: Int32Array): number {
  const required = new Map(primary.map(({ cell, protection }) => [cell, protection]));
  const queue = [...system.equations.keys()];
  const queued = new Uint8Array(system.equations.length).fill(1);
  let added = 0;
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
    suppressed.add(cell);
    added++;
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
  return added;
}

async function protectionContext(
  system: TableSystem,
  byCell: readonly number[][],
  primary: readonly ProtectionRequirement[],
  rank: Int32Array,
  cost: readonly number[] | undefined,
): Promise<ProtectionContext> {
  const families = familiesOf(system);
  const familyOf = new Int32Array(system.values.length);
  families.forEach((family, index) => {
    for (const cell of family.cells) familyOf[cell] = index;
  });
  // Zeros cost the most by default, as in the elimination's order.
  const zeroCost = system.values.reduce((max, value) => Math.max(max, value), 0) + 1;
  const costOf = (cell: number): number => cost?.[cell] ?? ((system.values[cell] as number) > 0 ? (system.values[cell] as number) : zeroCost);
  return { system, byCell, families, familyOf, required: new Map(primary.map(({ cell, protection }) => [cell, protection])), rank, costOf, highs: await highsSolver() };
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
 * Cells to hide for the cells the audit failed, each made safe by the LP of protection.ts (the
 * cells hidden for one are free for the next); where that LP finds nothing, the cheapest
 * sufficient published cell in the equations around the failing cell.
 */
function protectionAdditions(context: ProtectionContext, suppressed: Set<number>, audit: AuditResult): number[] {
  const { system, byCell, families, familyOf, required, rank, highs } = context;
  const intervalOf = new Map(audit.intervals.map((interval) => [interval.cell, interval]));
  const failing = [...new Set([...audit.exactlyRecovered, ...audit.underProtected])].sort((a, b) => a - b);
  const added: number[] = [];
  const failingByFamily = new Map<number, number[]>();
  for (const cell of failing) {
    const family = familyOf[cell] as number;
    failingByFamily.set(family, [...(failingByFamily.get(family) ?? []), cell]);
  }
  for (const [family, cells] of failingByFamily) {
    const lp = FamilyProtection.create(highs, system, families[family] as Family, suppressed, context.costOf);
    try {
      for (const cell of cells) {
        const value = system.values[cell] as number;
        const min = intervalOf.get(cell)?.min ?? value;
        // Raising the cell this far above its value makes its interval wide enough whatever happens below.
        const amount = Math.max((required.get(cell) ?? 1) - (value - min), 1);
        const raise = lp.cellsToRaise(cell, amount, suppressed);
        const hide = raise !== undefined && raise.length > 0 ? raise : fallbackCell(system, byCell, suppressed, cell, amount, rank);
        for (const hidden of hide) suppressed.add(hidden);
        lp.hidden(hide);
        added.push(...hide);
      }
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
  readonly required: ReadonlyMap<number, number>;
  readonly rank: Int32Array;
  readonly costOf: (cell: number) => number;
  readonly highs: Highs;
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
