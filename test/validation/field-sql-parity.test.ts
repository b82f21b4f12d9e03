/**
 * Field rules exist twice, once per engine: in TypeScript (core/contracts/field-check.ts, the
 * reference, also the benchmark's baseline) and as SQL (core/validation/sql.ts, what validation
 * runs). For every field of every contract, on values from fast-check that crowd the edges of
 * each rule, both must name the same rule.
 */
import fc from 'fast-check';
import { allContracts } from '../../core/contracts/catalog';
import { compileFieldChecker } from '../../core/contracts/field-check';
import type { FieldDefinition } from '../../core/contracts/types';
import { fieldRuleSql, sqlIdentifier, sqlString } from '../../core/validation/sql';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';

let engine: DuckDbEngine;
beforeAll(async () => (engine = await DuckDbEngine.open()));
afterAll(() => engine.close());

/** Texts near the field's rules: its codes, numbers and dates (valid and broken), and anything. */
function valuesFor(field: FieldDefinition): fc.Arbitrary<string> {
  const c = field.constraints ?? {};
  const digits = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const near = [
    fc.string({ maxLength: 12 }),
    fc.string({ minLength: 38, maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789+-.eE/ '), maxLength: 12 }),
    fc.constantFrom('', ' ', 'Y', 'N', 'true', 'false', '0', '-1', '1e3', '.5', '5.', '1,000', '=HYPERLINK("x")', 'Núñez', '🦆'),
    fc.tuple(fc.integer({ min: 1975, max: 2035 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => {
      const p = (n: number): string => String(n).padStart(2, '0');
      const format = field.format === undefined || field.format === 'default' ? '%Y-%m-%d' : field.format;
      return format.replace('%Y', String(y)).replace('%m', p(m)).replace('%d', p(d));
    }),
    digits(9), digits(10), digits(7), digits(14), digits(2),
    fc.integer({ min: -100, max: 20_000_000 }).map(String),
    fc.double({ min: -10, max: 1e7, noNaN: true }).map((n) => n.toFixed(2)),
  ];
  if (c.enum) near.push(fc.constantFrom(...c.enum), fc.constantFrom(...c.enum).map((e) => e.toLowerCase()));
  return fc.oneof(...near).filter((text) => !text.includes('\u0000'));
}

const fields = allContracts().flatMap((contract) =>
  contract.schema.fields.map((field) => ({ id: `${contract.id}.${field.name}`, field, missing: contract.schema.missingValues })));

test.each(fields.map((f) => [f.id, f] as const))('%s: SQL and TypeScript name the same rule', async (_id, { field, missing }) => {
  const texts = [...new Set(fc.sample(valuesFor(field), { numRuns: 250, seed: 42 }))];
  const check = compileFieldChecker(field, missing);
  const rows = texts.map((text, i) => `(${i}, ${sqlString(text)})`).join(', ');
  const result = await engine.query(`SELECT i, ${fieldRuleSql(field, missing)} AS rule FROM (VALUES ${rows}) AS t(i, ${sqlIdentifier(field.name)}) ORDER BY i`);
  const fromSql = result.map((r) => r.rule);
  const fromTypeScript = texts.map((text) => check(text)?.rule ?? null);
  const disagreements = texts.map((text, i) => ({ text, sql: fromSql[i], ts: fromTypeScript[i] })).filter((d) => d.sql !== d.ts);
  expect(disagreements).toEqual([]);
  // The sample is not trivially all-valid or all-invalid.
  expect(new Set(fromTypeScript).size).toBeGreaterThan(1);
});
