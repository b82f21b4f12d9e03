/**
 * The quick tests that accept most values before the full byte checker runs
 * (core/contracts/quick-accept.ts). That they never accept a value the rules reject is held on
 * every contract field by test/contracts/field-check-bytes.test.ts (a wrong acceptance would be
 * a disagreement there); here: that they exist for the usual shapes and accept real values, and
 * that the contract's own missing values and anything unusual are left to the full checker.
 */
import { contractFor } from '../../core/contracts/catalog';
import { compileByteFieldChecker, compileFieldChecker } from '../../core/contracts/field-check';
import { compileQuickAccept, type QuickAccept } from '../../core/contracts/quick-accept';
import type { FieldDefinition } from '../../core/contracts/types';

function quickTest(field: FieldDefinition, missing: readonly string[]): QuickAccept | null {
  const text = compileFieldChecker(field, missing);
  return compileQuickAccept(field, missing, (value) => text(value) === null);
}

function accepts(test: QuickAccept, text: string): boolean {
  const bytes = Buffer.concat([Buffer.from('x\t'), Buffer.from(text, 'utf8'), Buffer.from('\ty')]);
  return test(bytes, 2, bytes.length - 2);
}

function fullRule(field: FieldDefinition, missing: readonly string[], text: string): string | null {
  const bytes = Buffer.from(text, 'utf8');
  return compileByteFieldChecker(field, missing)(bytes, 0, bytes.length);
}

describe('quick acceptance on CALPADS enrollment', () => {
  const contract = contractFor('cde', 'k12_enrollment');
  // A record as the generator writes it (names are synthetic).
  const record = '3000-01\t2660004215\tRICHLLER\tMARCUS\tPEYTON\t19960811\tM\tN\t700\t\t11\t19293882322473\t19\tY\tN\tN\tN\tN'.split('\t');
  const cases = contract.schema.fields.map((field, k) => [field.name, field, record[k] as string] as const);

  test.each(cases)('%s has a quick test, which takes a real value', (_name, field, value) => {
    const test = quickTest(field, contract.schema.missingValues);
    expect(test).not.toBeNull();
    // An empty race_code_2 is a missing value: the full checker decides it.
    expect(accepts(test as QuickAccept, value)).toBe(value !== '');
  });

  const broken: ReadonlyArray<readonly [string, string]> = [
    ['academic_year', '3000-1'], ['ssid', '266000421'], ['ssid', '26600042155'], ['last_name', ''], ['last_name', 'X'.repeat(51)],
    ['birth_date', '19960230'], ['birth_date', '1996-08-11'], ['birth_date', '19791231'], ['gender', 'm'], ['hispanic_ind', 'YES'],
    ['race_code_1', '701'], ['grade_level', '13'], ['school_code', '1929388232247A'], ['county_code', '59'], ['sed_ind', ''],
  ];
  test.each(broken)('%s: %j is left to the full checker, which names a rule', (name, value) => {
    const field = contract.schema.fields.find((f) => f.name === name) as FieldDefinition;
    expect(accepts(quickTest(field, contract.schema.missingValues) as QuickAccept, value)).toBe(false);
    expect(fullRule(field, contract.schema.missingValues, value)).not.toBeNull();
  });
});

describe('what quick acceptance leaves to the full checker', () => {
  it('a missing value that fits the pattern, a date format or a number: no quick test at all', () => {
    const pattern: FieldDefinition = { name: 'p', type: 'string', description: '', constraints: { required: true, pattern: '\\d{4}' } };
    const integer: FieldDefinition = { name: 'n', type: 'integer', description: '', constraints: { required: true, maximum: 1000 } };
    const date: FieldDefinition = { name: 'd', type: 'date', format: '%Y%m%d', description: '', constraints: { required: true } };
    expect(quickTest(pattern, ['', '0000'])).toBeNull();
    expect(fullRule(pattern, ['', '0000'], '0000')).toBe('required');
    expect(quickTest(integer, ['', '999'])).toBeNull();
    expect(fullRule(integer, ['', '999'], '999')).toBe('required');
    expect(quickTest(date, ['', '19000101'])).toBeNull();
    expect(quickTest(pattern, [''])).not.toBeNull();
  });

  it('a code that is itself a missing value, or too long or not ASCII to pack, is not taken quickly', () => {
    const codes: FieldDefinition = { name: 'c', type: 'string', description: '', constraints: { required: true, enum: ['A', 'NA', 'LONGCODE', 'Ñ'] } };
    const test = quickTest(codes, ['', 'NA']) as QuickAccept;
    expect(accepts(test, 'A')).toBe(true);
    expect(accepts(test, 'NA')).toBe(false);
    expect(fullRule(codes, ['', 'NA'], 'NA')).toBe('required');
    expect([accepts(test, 'LONGCODE'), fullRule(codes, [''], 'LONGCODE')]).toEqual([false, null]);
    expect([accepts(test, 'Ñ'), fullRule(codes, [''], 'Ñ')]).toEqual([false, null]);
  });

  it('a text longer in bytes than its limit in characters, and other missing values than the empty one', () => {
    const name: FieldDefinition = { name: 's', type: 'string', description: '', constraints: { maxLength: 3 } };
    const test = quickTest(name, ['', 'N/A']) as QuickAccept;
    expect(accepts(test, 'abc')).toBe(true);
    expect([accepts(test, 'ñññ'), fullRule(name, ['', 'N/A'], 'ñññ')]).toEqual([false, null]);
    expect([accepts(test, 'abcd'), fullRule(name, ['', 'N/A'], 'abcd')]).toEqual([false, 'max_length']);
    expect(accepts(test, 'N/A')).toBe(false);
    expect(accepts(test, '')).toBe(false);
    // A missing value too long to pack: such a field's values all go to the full checker.
    expect(quickTest(name, ['', 'NOT GIVEN'])).toBeNull();
    expect(fullRule(name, ['', 'NOT GIVEN'], 'NOT GIVEN')).toBeNull();
  });

  it('whole numbers out of bounds or not whole', () => {
    const count: FieldDefinition = { name: 'n', type: 'integer', description: '', constraints: { minimum: -5, maximum: 300 } };
    const test = quickTest(count, ['']) as QuickAccept;
    expect(['300', '-3', '+7', '0000000000000000300'].map((text) => accepts(test, text))).toEqual([true, true, true, true]);
    expect([accepts(test, '301'), fullRule(count, [''], '301')]).toEqual([false, 'maximum']);
    expect([accepts(test, '-6'), fullRule(count, [''], '-6')]).toEqual([false, 'minimum']);
    expect([accepts(test, '3.0'), fullRule(count, [''], '3.0')]).toEqual([false, 'type']);
    expect([accepts(test, '-'), fullRule(count, [''], '-')]).toEqual([false, 'type']);
  });

  it('fields with a rule no quick test covers have none', () => {
    const shapes: FieldDefinition[] = [
      { name: 'x', type: 'number', description: '' },
      { name: 's', type: 'string', description: '', constraints: { minLength: 2 } },
      { name: 's', type: 'string', description: '', constraints: { pattern: '(ab)+' } },
      { name: 'd', type: 'date', description: '', constraints: { minimum: 'not a date' } },
      { name: 'd', type: 'date', description: '', constraints: { pattern: '\\d{4}-\\d{2}-\\d{2}' } },
    ];
    for (const field of shapes) expect(quickTest(field, [''])).toBeNull();
  });
});
