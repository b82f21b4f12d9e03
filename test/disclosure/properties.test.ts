/**
 * Property tests over random hierarchical linked tables: 2–3 dimensions, one with a two-level
 * hierarchy, grouping sets total + every single dimension + every pair, counts with many small
 * ones. Whatever the tables, after suppression:
 *   (a) no published cell is a count in 1..threshold-1;
 *   (b) the LP audit passes, recomputed independently: no suppressed cell is recovered exactly and
 *       every primary cell's interval is at least its protection wide;
 *   (c) the pattern is the same when run again.
 */
import fc from 'fast-check';
import { auditSuppression, DEFAULT_THRESHOLD, suppressTableSystem } from '../../core/disclosure';
import { linkedTables, type Dimension } from './linked-tables';

/** Fixed seed and run count; C2C_PROPERTY_RUNS and C2C_PROPERTY_SEED explore further. */
const NUM_RUNS = Number(process.env.C2C_PROPERTY_RUNS ?? 40);
const SEED = Number(process.env.C2C_PROPERTY_SEED ?? 0);

/** Mostly small counts, some zeros, some large: the mix that makes suppression hard. */
const count = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 3, arbitrary: fc.integer({ min: 11, max: 200 }) },
);

const tables = fc
  .record({
    plain: fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 1, maxLength: 2 }),
    counties: fc.integer({ min: 3, max: 5 }),
    hierarchyFirst: fc.boolean(),
  })
  .chain(({ plain, counties, hierarchyFirst }) => {
    // Counties grouped into two regions, the first one holding the first two counties.
    const geography: Dimension = { size: counties, groupOf: Array.from({ length: counties }, (_, i) => (i < 2 ? 0 : 1)) };
    const dimensions = hierarchyFirst ? [geography, ...plain.map((size) => ({ size }))] : [...plain.map((size) => ({ size })), geography];
    const inner = dimensions.reduce((n, d) => n * d.size, 1);
    return fc.array(count, { minLength: inner, maxLength: inner }).map((counts) => ({ dimensions, counts }));
  });

it('no published small count, the audit passes, and the pattern is deterministic', async () => {
  await fc.assert(
    fc.asyncProperty(tables, async ({ dimensions, counts }) => {
      const { system } = linkedTables(dimensions, counts);
      const result = await suppressTableSystem(system);
      const hidden = new Set(result.suppressed);
      system.values.forEach((value, cell) => {
        if (!hidden.has(cell)) expect(value === 0 || value >= DEFAULT_THRESHOLD).toBe(true);
      });
      expect(result.audit.passed).toBe(true);
      const audit = await auditSuppression(system, result.suppressed, result.primary);
      expect(audit.exactlyRecovered).toEqual([]);
      expect(audit.underProtected).toEqual([]);
      expect(audit.intervals.map(({ cell }) => cell)).toEqual(result.suppressed);
      // The result's intervals are certified: inside the exact ones, and wide enough.
      const required = new Map(result.primary.map(({ cell, protection }) => [cell, protection]));
      result.audit.intervals.forEach(({ cell, min, max }, k) => {
        const exact = audit.intervals[k] as { cell: number; min: number; max: number };
        expect(cell).toBe(exact.cell);
        expect(min).toBeGreaterThanOrEqual(exact.min - 1e-6);
        expect(max).toBeLessThanOrEqual(exact.max + 1e-6);
        expect(max - min).toBeGreaterThanOrEqual(Math.max(required.get(cell) ?? 0, 1e-6) - 1e-6);
      });
      expect((await suppressTableSystem(system)).suppressed).toEqual(result.suppressed);
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
});
