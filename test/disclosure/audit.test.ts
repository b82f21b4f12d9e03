/**
 * The audit's shortcuts (propagated bounds attained by earlier solutions, sweeps over sums of
 * cells, one ray LP for all unbounded maxima, the screening between protection rounds) against a
 * plain LP solved from scratch for each cell's min and max, on random linked tables with random
 * suppression patterns: the intervals must be the same, and the screening must fail exactly the
 * cells the audit fails.
 */
import fc from 'fast-check';
import { Auditor, type AuditResult } from '../../core/disclosure/audit';
import { startScreeningPool } from '../../core/disclosure/screening-pool';
import { highsSolver } from '../../core/disclosure/highs';
import { primarySuppression, type TableSystem } from '../../core/disclosure';
import { linkedTables } from './linked-tables';

const NUM_RUNS = Number(process.env.C2C_PROPERTY_RUNS ?? 30);
const SEED = Number(process.env.C2C_PROPERTY_SEED ?? 0);

/** min and max of one hidden cell over the attacker's polyhedron, from a fresh model. */
async function referenceInterval(system: TableSystem, hidden: readonly number[], cell: number): Promise<{ min: number; max: number }> {
  const highs = await highsSolver();
  const column = new Map(hidden.map((c, j) => [c, j]));
  const rows = system.equations.flatMap(({ total, parts }) => {
    const terms: Array<[number, number]> = [[total, 1], ...parts.map((part): [number, number] => [part, -1])];
    const inside = terms.filter(([c]) => column.has(c));
    const rhs = -terms.filter(([c]) => !column.has(c)).reduce((sum, [c, sign]) => sum + sign * (system.values[c] as number), 0);
    return inside.length === 0 ? [] : [{ entries: inside.map(([c, sign]) => [column.get(c) as number, sign] as const).sort(([a], [b]) => a - b), rhs }];
  });
  const solve = (sense: 'min' | 'max'): number => {
    const starts = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (const { entries } of rows) {
      for (const [j, sign] of entries) {
        indices.push(j);
        values.push(sign);
      }
      starts.push(indices.length);
    }
    const colCost = new Float64Array(hidden.length);
    colCost[column.get(cell) as number] = 1;
    const model = highs.createModel({
      numCols: hidden.length,
      numRows: rows.length,
      sense: sense === 'min' ? highs.constants.objectiveSense.minimize : highs.constants.objectiveSense.maximize,
      colCost,
      colLower: new Float64Array(hidden.length),
      colUpper: new Float64Array(hidden.length).fill(highs.infinity),
      rowLower: rows.map(({ rhs }) => rhs),
      rowUpper: rows.map(({ rhs }) => rhs),
      matrix: { format: 'csr', numRows: rows.length, numCols: hidden.length, starts, indices, values },
    });
    try {
      model.options.set({ output_flag: false });
      model.run();
      const status = model.getModelStatus();
      if (status === highs.constants.modelStatus.optimal) return model.getObjectiveValue();
      if (sense === 'max' && (status === highs.constants.modelStatus.unbounded || status === highs.constants.modelStatus.unboundedOrInfeasible)) return Infinity;
      throw new Error(`reference LP ended with status ${status}`);
    } finally {
      model.dispose();
    }
  };
  return rows.length === 0 ? { min: 0, max: Infinity } : { min: solve('min'), max: solve('max') };
}

const patterns = fc
  .record({ sizes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 3 }), seed: fc.integer() })
  .chain(({ sizes }) => {
    const inner = sizes.reduce((n, size) => n * size, 1);
    const counts = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 11, max: 100 })), { minLength: inner, maxLength: inner });
    return counts.chain((values) => {
      const { system } = linkedTables(sizes.map((size) => ({ size })), values);
      return fc.array(fc.boolean(), { minLength: system.values.length, maxLength: system.values.length }).map((hide) => ({ system, hide }));
    });
  });

it('gives every hidden cell the interval a plain LP gives it, and screens exactly the cells the audit fails', async () => {
  await fc.assert(
    fc.asyncProperty(patterns, async ({ system, hide }) => {
      const suppressed = hide.flatMap((hidden, cell) => (hidden ? [cell] : []));
      const requirements = primarySuppression(system);
      const auditor = await Auditor.create(system);
      const audit = auditor.audit(new Set(suppressed), requirements);
      for (const { cell, min, max } of audit.intervals) {
        const reference = await referenceInterval(system, suppressed, cell);
        expect(min).toBeCloseTo(reference.min, 6);
        if (reference.max === Infinity) expect(max).toBe(Infinity);
        else expect(max).toBeCloseTo(reference.max, 6);
      }
      const screening = await (await Auditor.create(system)).screen(new Set(suppressed), requirements);
      expect(screening.failing).toEqual([...new Set([...audit.exactlyRecovered, ...audit.underProtected])].sort((a, b) => a - b));
      for (const cell of screening.failing) {
        const interval = audit.intervals.find((found) => found.cell === cell);
        expect(screening.intervals.get(cell)).toEqual(interval);
      }
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
});

it('keeps what it proved while the pattern grows, and forgets it when the pattern shrinks', async () => {
  await fc.assert(
    fc.asyncProperty(patterns, fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), async ({ system, hide }, more) => {
      const smaller = new Set(hide.flatMap((hidden, cell) => (hidden ? [cell] : [])));
      const larger = new Set([...smaller, ...hide.flatMap((_, cell) => (more[cell % more.length] ? [cell] : []))]);
      const requirements = primarySuppression(system);
      const auditor = await Auditor.create(system);
      for (const pattern of [smaller, larger, smaller]) {
        const certified = await auditor.certify(pattern, requirements);
        const exact = (await Auditor.create(system)).audit(pattern, requirements);
        const verdict = ({ passed, exactlyRecovered, underProtected }: AuditResult): object => ({ passed, exactlyRecovered, underProtected });
        expect(verdict(certified)).toEqual(verdict(exact));
        certified.intervals.forEach(({ cell, min, max }, k) => {
          const bounds = exact.intervals[k] as { cell: number; min: number; max: number };
          expect(cell).toBe(bounds.cell);
          expect(min).toBeGreaterThanOrEqual(bounds.min - 1e-6);
          expect(max).toBeLessThanOrEqual(bounds.max + 1e-6);
        });
      }
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
});

it('screens on worker threads exactly as on the calling thread', async () => {
  await fc.assert(
    fc.asyncProperty(patterns, async ({ system, hide }) => {
      const pattern = new Set(hide.flatMap((hidden, cell) => (hidden ? [cell] : [])));
      const requirements = primarySuppression(system);
      const here = await Auditor.create(system, { workers: 1 });
      const pooled = await Auditor.create(system, { workers: 2, parallelFrom: 0 });
      try {
        expect(await pooled.certify(pattern, requirements)).toEqual(await here.certify(pattern, requirements));
      } finally {
        await pooled.close();
      }
    }),
    { numRuns: Math.min(NUM_RUNS, 10), seed: SEED },
  );
});

it('rejects when a worker fails, on a component or as a whole', async () => {
  const { system } = linkedTables([{ size: 2 }, { size: 2 }], [3, 40, 50, 60]);
  const broken = async (change: (system: TableSystem) => TableSystem): Promise<void> => {
    const auditor = await Auditor.create(system, { workers: 2, parallelFrom: 0, startWorkers: (given, workers) => startScreeningPool(change(given), workers) });
    try {
      await expect(auditor.screen(new Set([0, 1, 2, 3]), primarySuppression(system))).rejects.toThrow(/^screening worker failed: /);
    } finally {
      await auditor.close();
    }
  };
  // Values the LP cannot take: the component's screening throws in the worker.
  await broken((given) => ({ values: given.values.map(() => Number.NaN), equations: given.equations }));
  // An equation outside the system: the worker fails before it screens anything.
  await broken((given) => ({ values: given.values, equations: [...given.equations, { total: given.values.length + 5, parts: [0] }] }));
});
