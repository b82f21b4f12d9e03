/**
 * What a suppression pattern costs the public: how many cells are hidden, of which kind, and how
 * many people they count (summed over cells, so a person is counted once per hidden cell).
 */
import type { TableSystem } from './table-system';

export interface InformationLoss {
  readonly cells: number;
  readonly primaryCells: number;
  readonly secondaryCells: number;
  readonly suppressedCells: number;
  /** suppressedCells / cells (0 for an empty system). */
  readonly suppressedShare: number;
  /** Σ values of the suppressed cells. */
  readonly suppressedPopulation: number;
  /** Σ values of all cells, the scale suppressedPopulation is measured against. */
  readonly population: number;
}

export function informationLoss(system: TableSystem, primaryCells: readonly number[], suppressed: readonly number[]): InformationLoss {
  const hidden = new Set(suppressed);
  const primaries = new Set(primaryCells);
  const sum = (cells: Iterable<number>): number => {
    let total = 0;
    for (const cell of cells) total += system.values[cell] as number;
    return total;
  };
  return {
    cells: system.values.length,
    primaryCells: primaries.size,
    secondaryCells: [...hidden].filter((cell) => !primaries.has(cell)).length,
    suppressedCells: hidden.size,
    suppressedShare: system.values.length === 0 ? 0 : hidden.size / system.values.length,
    suppressedPopulation: sum(hidden),
    population: sum(system.values.keys()),
  };
}
