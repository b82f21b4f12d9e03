/**
 * Primary suppression: the cells that must not be published, each with the protection it needs.
 *
 * The default is the minimum-frequency rule California's education agencies apply: counts from 1
 * to 10 are suppressed, zero is published (a zero reveals nothing about a person). The caller can
 * add cells of its own, e.g. a numerator whose complement in the denominator is small.
 */
import type { TableSystem } from './table-system';

/** Counts below this are suppressed (1..threshold-1). */
export const DEFAULT_THRESHOLD = 11;

/** A cell that must be hidden so that an attacker's interval for it is at least `protection` wide. */
export interface ProtectionRequirement {
  readonly cell: number;
  readonly protection: number;
}

export interface PrimaryOptions {
  /** Counts in 1..threshold-1 are primary; default 11. */
  readonly threshold?: number;
  /** Required interval width of each small count; default the threshold. */
  readonly protection?: number;
  /** Further primary cells with their own protection (the larger requirement wins on overlap). */
  readonly additional?: readonly ProtectionRequirement[];
}

/** The primary cells of a (validated) system, ascending by cell, one requirement per cell. */
export function primarySuppression(system: TableSystem, options: PrimaryOptions = {}): ProtectionRequirement[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const protection = options.protection ?? threshold;
  const required = new Map<number, number>();
  system.values.forEach((value, cell) => {
    if (value >= 1 && value < threshold) required.set(cell, protection);
  });
  for (const { cell, protection: own } of options.additional ?? []) {
    if (!Number.isInteger(cell) || cell < 0 || cell >= system.values.length) throw new RangeError(`additional primary cell ${cell} is outside the table system`);
    if (!(own > 0)) throw new RangeError(`additional primary cell ${cell} needs a positive protection`);
    required.set(cell, Math.max(own, required.get(cell) ?? 0));
  }
  return [...required].sort(([a], [b]) => a - b).map(([cell, width]) => ({ cell, protection: width }));
}
