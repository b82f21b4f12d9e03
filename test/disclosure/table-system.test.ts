/**
 * The table system's validation (specific errors that name indices, never values), its split into
 * independent families, and primary suppression.
 */
import { familiesOf, primarySuppression, TableSystemError, validateTableSystem, type TableSystem } from '../../core/disclosure';
import { twoByTwo } from './linked-tables';

const problemsOf = (system: TableSystem): string => {
  try {
    validateTableSystem(system);
  } catch (error) {
    expect(error).toBeInstanceOf(TableSystemError);
    return (error as Error).message;
  }
  throw new Error('expected a TableSystemError');
};

describe('validateTableSystem', () => {
  it('accepts a consistent system', () => {
    expect(() => validateTableSystem(twoByTwo([3, 40, 50, 60]))).not.toThrow();
  });

  it('names the equation that does not add up, and no value', () => {
    const system = twoByTwo([12345, 40, 50, 60]);
    const message = problemsOf({ ...system, values: system.values.map((v, i) => (i === 4 ? 54321 : v)) });
    expect(message).toMatch(/equation 0 does not add up: cell 4/);
    expect(message).toMatch(/equation 4 does not add up/);
    expect(message).not.toMatch(/12345|54321|12385/);
  });

  it('names negative and non-integer cells', () => {
    const message = problemsOf({ values: [-7, 2.5, 3], equations: [] });
    expect(message).toMatch(/cell 0 is not a nonnegative integer/);
    expect(message).toMatch(/cell 1 is not a nonnegative integer/);
    expect(message).not.toMatch(/cell 2/);
    expect(message).not.toMatch(/-7|2\.5/);
  });

  it('names equations with indices out of range, repeated parts, the total among its parts, or no parts', () => {
    const message = problemsOf({
      values: [2, 1, 1],
      equations: [{ total: 0, parts: [1, 7] }, { total: 0, parts: [1, 1] }, { total: 0, parts: [0, 1] }, { total: 2, parts: [] }],
    });
    expect(message).toMatch(/equation 0 refers to 1 cell index\(es\) outside 0\.\.2/);
    expect(message).toMatch(/equation 1 lists a part twice/);
    expect(message).toMatch(/equation 2 has its total cell 0 among its parts/);
    expect(message).toMatch(/equation 3 has no parts/);
  });

  it('lists the first problems and counts the rest', () => {
    const message = problemsOf({ values: Array.from({ length: 30 }, () => -1), equations: [] });
    expect(message).toMatch(/cell 19 is not/);
    expect(message).not.toMatch(/cell 20 is not/);
    expect(message).toMatch(/and 10 more$/);
  });
});

describe('familiesOf', () => {
  it('splits cells into families connected by shared equations; a lone cell is its own family', () => {
    const system: TableSystem = {
      values: [5, 2, 3, 9, 4, 5, 7],
      equations: [{ total: 0, parts: [1, 2] }, { total: 3, parts: [4, 5] }],
    };
    expect(familiesOf(system)).toEqual([
      { cells: [0, 1, 2], equations: [0] },
      { cells: [3, 4, 5], equations: [1] },
      { cells: [6], equations: [] },
    ]);
  });

  it('joins tables that share a cell into one family', () => {
    const system: TableSystem = { values: [5, 2, 3, 1, 1], equations: [{ total: 0, parts: [1, 2] }, { total: 2, parts: [3, 4] }] };
    expect(familiesOf(system)).toEqual([{ cells: [0, 1, 2, 3, 4], equations: [0, 1] }]);
  });
});

describe('primarySuppression', () => {
  const system: TableSystem = { values: [0, 1, 10, 11, 500], equations: [] };

  it('suppresses counts 1..10 by default, with the threshold as protection; zero is published', () => {
    expect(primarySuppression(system)).toEqual([{ cell: 1, protection: 11 }, { cell: 2, protection: 11 }]);
  });

  it('takes another threshold and protection, and additional cells with their own protection', () => {
    expect(primarySuppression(system, { threshold: 5, protection: 8, additional: [{ cell: 4, protection: 20 }, { cell: 1, protection: 3 }] }))
      .toEqual([{ cell: 1, protection: 8 }, { cell: 4, protection: 20 }]);
  });

  it('rejects additional cells outside the system', () => {
    expect(() => primarySuppression(system, { additional: [{ cell: 9, protection: 5 }] })).toThrow(/cell 9 is outside/);
  });
});
