/**
 * Field rules are written once, as text checks (core/contracts/field-check.ts); validation runs
 * them from the bytes (compileByteFieldChecker), with patterns compiled to byte matchers
 * (core/contracts/ascii-pattern.ts). For every field of every contract, on values from
 * fast-check that crowd the edges of each rule, and for patterns of every supported shape, the
 * two readings must agree.
 */
import fc from 'fast-check';
import { compileAsciiPattern } from '../../core/contracts/ascii-pattern';
import { allContracts } from '../../core/contracts/catalog';
import { compileByteFieldChecker, compileFieldChecker } from '../../core/contracts/field-check';
import type { FieldDefinition } from '../../core/contracts/types';

/** Texts near the field's rules: its codes, numbers and dates (valid and broken), and anything. */
function valuesFor(field: FieldDefinition): fc.Arbitrary<string> {
  const c = field.constraints ?? {};
  const digits = (n: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
  const near = [
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.string({ minLength: 38, maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(...'0123456789+-.eE/ '), maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(...'0123456789ABFGPSUWZ-.'), maxLength: 16 }),
    fc.constantFrom('', ' ', 'Y', 'N', 'true', 'false', '0', '-0', '-1', '1e3', '.5', '5.', '1,000', '=HYPERLINK("x")', 'Núñez', '🦆', '1234567890123456789'),
    fc.tuple(fc.integer({ min: 1975, max: 2035 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => {
      const p = (n: number): string => String(n).padStart(2, '0');
      const format = field.format === undefined || field.format === 'default' ? '%Y-%m-%d' : field.format;
      return format.replace('%Y', String(y)).replace('%m', p(m)).replace('%d', p(d));
    }),
    digits(9), digits(10), digits(7), digits(14), digits(2), digits(16), digits(20),
    fc.integer({ min: -100, max: 20_000_000 }).map(String),
    fc.double({ min: -10, max: 1e7, noNaN: true }).map((n) => n.toFixed(2)),
  ];
  if (c.enum) near.push(fc.constantFrom(...c.enum), fc.constantFrom(...c.enum).map((e) => e.toLowerCase()));
  return fc.oneof(...near);
}

const fields = allContracts().flatMap((contract) =>
  contract.schema.fields.map((field) => ({ id: `${contract.id}.${field.name}`, field, missing: contract.schema.missingValues })));

/** The value inside a larger buffer, as validation sees it: between other bytes. */
function framed(text: string): { bytes: Uint8Array; start: number; end: number } {
  const value = Buffer.from(text, 'utf8');
  const bytes = Buffer.concat([Buffer.from('x\t'), value, Buffer.from('\ty')]);
  return { bytes, start: 2, end: 2 + value.length };
}

test.each(fields.map((f) => [f.id, f] as const))('%s: the byte and text checkers name the same rule', (_id, { field, missing }) => {
  const texts = [...new Set(fc.sample(valuesFor(field), { numRuns: 400, seed: 42 }))];
  const byText = compileFieldChecker(field, missing);
  const byBytes = compileByteFieldChecker(field, missing);
  const disagreements = texts
    .map((text) => {
      const { bytes, start, end } = framed(text);
      return { text, text_rule: byText(text)?.rule ?? null, byte_rule: byBytes(bytes, start, end) };
    })
    .filter((d) => d.text_rule !== d.byte_rule);
  expect(disagreements).toEqual([]);
  // The sample is not trivially all-valid or all-invalid.
  expect(new Set(texts.map((text) => byText(text)?.rule ?? null)).size).toBeGreaterThan(1);
});

describe('fields outside the contracts', () => {
  const cases: Array<[string, FieldDefinition, readonly string[]]> = [
    ['integer with bounds and other missing values', { name: 'n', type: 'integer', description: '', constraints: { required: true, minimum: -5, maximum: 300 } }, ['', 'NA', 'ñ/a']],
    ['number with bounds', { name: 'x', type: 'number', description: '', constraints: { minimum: 0.5, maximum: 1e6 } }, ['']],
    ['date with bounds in %d.%m.%Y', { name: 'd', type: 'date', format: '%d.%m.%Y', description: '', constraints: { minimum: '2000-02-29', maximum: '2030-01-01' } }, ['']],
    ['boolean with other spellings', { name: 'b', type: 'boolean', trueValues: ['1', 'sí'], falseValues: ['0'], description: '', constraints: { required: true } }, ['']],
    ['string with lengths and a pattern the byte matcher leaves to RegExp', { name: 's', type: 'string', description: '', constraints: { minLength: 2, maxLength: 4, pattern: '(ab)+|\\s?x' } }, ['']],
    ['string with a non-ASCII code', { name: 'e', type: 'string', description: '', constraints: { enum: ['A', 'Ñ', '1'] } }, ['']],
  ];
  test.each(cases)('%s', (_name, field, missing) => {
    const values = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789+-.e/ abxÑñasí'), maxLength: 11 }),
      fc.constantFrom('', 'NA', 'ñ/a', '29.02.2000', '28.02.2000', '31.12.2029', '01.01.2031', 'ab', 'abab', ' x', 'x', 'sí', 'Ñ', '1'),
    );
    const byText = compileFieldChecker(field, missing);
    const byBytes = compileByteFieldChecker(field, missing);
    fc.assert(fc.property(values, (text) => {
      const { bytes, start, end } = framed(text);
      expect(byBytes(bytes, start, end)).toBe(byText(text)?.rule ?? null);
    }), { numRuns: 2000, seed: 7 });
  });
});

describe('compileAsciiPattern', () => {
  const matches = (pattern: string, text: string): boolean | null => {
    const matcher = compileAsciiPattern(pattern);
    return matcher === null ? null : matcher(Buffer.from(text, 'latin1'), 0, text.length);
  };

  it.each([
    ['\\d{4}-\\d{2}', '2019-20', true], ['\\d{4}-\\d{2}', '2019-2', false], ['\\d{4}-\\d{2}', '2019-201', false],
    ['(0[1-9]|[1-4][0-9]|5[0-8])', '58', true], ['(0[1-9]|[1-4][0-9]|5[0-8])', '59', false], ['(0[1-9]|[1-4][0-9]|5[0-8])', '00', false],
    ['\\d{4}(FA|SP|SU)', '2020SP', true], ['\\d{4}(FA|SP|SU)', '2020WI', false],
    ['[A-Z0-9]{6,12}', 'AB12CD', true], ['[A-Z0-9]{6,12}', 'AB12C', false], ['[A-Z0-9]{6,12}', 'AB12CDEF34567', false],
    ['\\d{2}\\.\\d{4}', '12.3456', true], ['\\d{2}\\.\\d{4}', '12x3456', false],
    ['a*a', 'aaa', true], ['a?b+', 'b', true], ['[^0-9]x', 'ax', true], ['[^0-9]x', '1x', false], ['', '', true], ['a|', '', true],
  ])('%s on %j is %s', (pattern, text, expected) => {
    expect(matches(pattern, text)).toBe(expected);
  });

  it.each(['(ab)+', '\\s', '\\b1', '(?=a)a', 'a{2', 'é', '\\1', 'a+?'])('leaves %s to RegExp', (pattern) => {
    expect(compileAsciiPattern(pattern)).toBeNull();
  });

  it('agrees with RegExp on generated patterns and texts', () => {
    const atom = fc.constantFrom('a', 'b', '\\d', '[a-c]', '[^b]', '.', '\\.', '-', '[0-9A-F]', '\\w');
    const quantifier = fc.constantFrom('', '?', '*', '+', '{2}', '{1,3}', '{0,}');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
    const sequence = fc.array(piece, { minLength: 0, maxLength: 4 }).map((p) => p.join(''));
    const group = fc.array(sequence, { minLength: 1, maxLength: 3 }).map((options) => `(${options.join('|')})`);
    const pattern = fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    const text = fc.string({ unit: fc.constantFrom(...'ab1c.-F_x \n'), maxLength: 8 });
    fc.assert(fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 20 }), (source, texts) => {
      const matcher = compileAsciiPattern(source);
      // Only groups that multiply past the limit of alternatives are left to RegExp.
      if (matcher === null) {
        expect(source.split('(').length - 1).toBeGreaterThan(2);
        return;
      }
      const regex = new RegExp(`^(?:${source})$`, 'u');
      for (const t of texts) expect([source, t, matcher(Buffer.from(t, 'latin1'), 0, t.length)]).toEqual([source, t, regex.test(t)]);
    }), { numRuns: 1500, seed: 3 });
  });
});
