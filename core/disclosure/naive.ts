/**
 * The naive baseline, for comparison only: "hide the next smallest cell". While some equation has
 * exactly one suppressed cell (which its published cells would give away by subtraction), the
 * smallest published cell of that equation is suppressed too. It stops differencing within one
 * equation, but not across equations, nor narrow intervals; the tests show both.
 */
import type { TableSystem } from './table-system';

/** The suppressed cells (primaries included), ascending. */
export function naiveSuppression(system: TableSystem, primaryCells: readonly number[]): number[] {
  const suppressed = new Set(primaryCells);
  for (let changed = true; changed;) {
    changed = false;
    for (const { total, parts } of system.equations) {
      const cells = [total, ...parts];
      if (cells.filter((cell) => suppressed.has(cell)).length !== 1) continue;
      suppressed.add(smallestPublished(system.values, cells, suppressed));
      changed = true;
    }
  }
  return [...suppressed].sort((a, b) => a - b);
}

/** The smallest published cell, zeros last (hiding a zero next to a small cell hides nothing); ties to the lower index. */
function smallestPublished(values: readonly number[], cells: readonly number[], suppressed: ReadonlySet<number>): number {
  const key = (cell: number): number => ((values[cell] as number) > 0 ? (values[cell] as number) : Infinity);
  const published = cells.filter((cell) => !suppressed.has(cell));
  return published.reduce((best, cell) => (key(cell) < key(best) || (key(cell) === key(best) && cell < best) ? cell : best));
}
