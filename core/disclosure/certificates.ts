/**
 * Certificates of width: for each hidden cell, the lowest and highest values it takes in feasible
 * points of the attacker's polyhedron met so far (the solutions of the audit's LPs, the true table
 * itself, and Infinity where a ray raises the cell). The attacker cannot rule out any value between
 * the lowest and the highest, so their difference is a proven lower bound on the width of the
 * cell's interval: enough to pass a cell, never to fail one (that takes its exact interval).
 *
 * Hiding a cell only removes knowledge: a feasible point of a pattern, with the true values of the
 * cells hidden since, is a feasible point of the larger pattern (and a ray stays a ray). So the
 * certificates stay valid while the pattern grows, and a cell proven once is not looked at again.
 */
import type { TableSystem } from './table-system';

/** Solver noise: values within this of an integer are that integer, widths within it are equal. */
export const TOLERANCE = 1e-6;

/** Snaps solver noise around integers (LP optima of these tables are mostly integral); −0 becomes 0. */
export function clean(value: number): number {
  const nearest = Math.round(value) + 0;
  return Math.abs(value - nearest) < TOLERANCE ? nearest : value;
}

/** Whether an interval this wide is not exact and reaches the protection (0 for a secondary). */
export function passes(width: number, protection: number): boolean {
  return width > TOLERANCE && width >= protection - TOLERANCE;
}

/** Whether values met as low and as high as these prove the protection (0 for a secondary: not exact). */
export function wideEnough(lowest: number, highest: number, protection: number): boolean {
  return passes(clean(highest) - clean(lowest), protection);
}

export class WidthCertificates {
  private readonly lowest: Float64Array;
  private readonly highest: Float64Array;
  /** The pattern the certificates were found under; a pattern that is not a superset starts over. */
  private hidden: readonly number[] = [];

  constructor(private readonly system: TableSystem) {
    this.lowest = Float64Array.from(system.values);
    this.highest = Float64Array.from(system.values);
  }

  /** Keeps the certificates if `suppressed` contains the pattern they were found under, else forgets them. */
  track(suppressed: ReadonlySet<number>): void {
    if (!this.hidden.every((cell) => suppressed.has(cell))) {
      this.lowest.set(this.system.values);
      this.highest.set(this.system.values);
    }
    this.hidden = [...suppressed];
  }

  /** The widest interval proven for the cell so far; the attacker's contains it. */
  interval(cell: number): { readonly min: number; readonly max: number } {
    return { min: clean(this.lowest[cell] as number), max: clean(this.highest[cell] as number) };
  }

  /** The lowest and highest values met for the cell, uncleaned. */
  extremes(cell: number): readonly [number, number] {
    return [this.lowest[cell] as number, this.highest[cell] as number];
  }

  /** Whether the proven interval already reaches the protection (0 for a secondary: not exact). */
  proves(cell: number, protection: number): boolean {
    return wideEnough(this.lowest[cell] as number, this.highest[cell] as number, protection);
  }

  /** A feasible point's value of the cell (or Infinity for a ray raising it). */
  record(cell: number, value: number): void {
    if (value > (this.highest[cell] as number)) this.highest[cell] = value;
    if (value < (this.lowest[cell] as number)) this.lowest[cell] = value;
  }
}
