import { contractFor } from '../../core/contracts/catalog';
import { compileFieldChecker, compileRecordCheckers, type FieldRule } from '../../core/contracts/field-check';
import type { FieldConstraints, FieldDefinition, FieldType } from '../../core/contracts/types';

function field(type: FieldType, constraints: FieldConstraints = {}, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name: 'f', type, description: 'a field', constraints, ...extra };
}

/** The rule the text breaks, or null. */
function ruleOf(definition: FieldDefinition, text: string, missingValues: readonly string[] = ['']): FieldRule | null {
  return compileFieldChecker(definition, missingValues)(text)?.rule ?? null;
}

describe('required and missing values', () => {
  it('a missing value breaks required', () => {
    const check = compileFieldChecker(field('string', { required: true }), ['']);
    expect(check('')).toEqual({ rule: 'required', message: 'f is required' });
  });

  it('a missing value is fine when the field is optional', () => {
    expect(ruleOf(field('string'), '')).toBeNull();
    expect(ruleOf(field('string', { required: false }), '')).toBeNull();
  });

  it('every spelling in missingValues counts as missing', () => {
    const missing = ['', 'NA', 'NULL'];
    for (const text of missing) {
      expect(ruleOf(field('integer', { required: true }), text, missing)).toBe('required');
      // Optional: not checked against the type or any other rule.
      expect(ruleOf(field('integer', { minimum: 5, pattern: '\\d{3}' }), text, missing)).toBeNull();
    }
  });

  it('a text that is not in missingValues is a value, even when empty', () => {
    // With only NA missing, an empty text is an (empty) string value: it passes as a string...
    expect(ruleOf(field('string', { required: true }), '', ['NA'])).toBeNull();
    // ...but it is no integer, and it is too short when a length is required.
    expect(ruleOf(field('integer', { required: true }), '', ['NA'])).toBe('type');
    expect(ruleOf(field('string', { minLength: 1 }), '', ['NA'])).toBe('min_length');
  });

  it('missing values match exactly, not case- or space-insensitively', () => {
    expect(ruleOf(field('integer'), 'na', ['NA'])).toBe('type');
    expect(ruleOf(field('integer'), ' ', [''])).toBe('type');
  });
});

describe('type', () => {
  it.each(['0', '42', '-7', '+7', '007', '12345678901234'])('integer accepts %j', (text) => {
    expect(ruleOf(field('integer'), text)).toBeNull();
  });

  it.each(['1.0', '1e3', ' 1', '1 ', '0x10', '1,000', '--1', '+', '١٢', 'one', 'NaN'])('integer rejects %j', (text) => {
    expect(ruleOf(field('integer'), text)).toBe('type');
  });

  it.each(['0', '1.5', '-1.5', '+2', '.5', '5.', '1e3', '1.5E-2', '-0.0'])('number accepts %j', (text) => {
    expect(ruleOf(field('number'), text)).toBeNull();
  });

  it.each(['1,5', '1.2.3', 'e5', '.', '1e', 'NaN', 'Infinity', '$5', ' 1.5', '1.5 '])('number rejects %j', (text) => {
    expect(ruleOf(field('number'), text)).toBe('type');
  });

  it('boolean accepts true/false by default', () => {
    expect(ruleOf(field('boolean'), 'true')).toBeNull();
    expect(ruleOf(field('boolean'), 'false')).toBeNull();
    expect(ruleOf(field('boolean'), 'TRUE')).toBe('type');
    expect(ruleOf(field('boolean'), 'yes')).toBe('type');
  });

  it('boolean accepts only its own trueValues and falseValues', () => {
    const yn = field('boolean', {}, { trueValues: ['Y', '1'], falseValues: ['N', '0'] });
    for (const text of ['Y', '1', 'N', '0']) expect(ruleOf(yn, text)).toBeNull();
    for (const text of ['true', 'false', 'y', 'n', 'YES', '2']) expect(ruleOf(yn, text)).toBe('type');
  });

  it('the type message names the field and its type', () => {
    const check = compileFieldChecker({ ...field('integer'), name: 'units' }, ['']);
    expect(check('abc')).toEqual({ rule: 'type', message: 'units is not a valid integer' });
  });

  it('strings take any text', () => {
    for (const text of ['x', ' ', '"', '\t', 'Núñez', '👍']) expect(ruleOf(field('string'), text)).toBeNull();
  });
});

describe('format (dates)', () => {
  it('reads dates in the field format', () => {
    const compact = field('date', {}, { format: '%Y%m%d' });
    expect(ruleOf(compact, '20240229')).toBeNull();
    expect(ruleOf(compact, '20230229')).toBe('format');
    expect(ruleOf(compact, '2024-02-29')).toBe('format');
  });

  it('ISO when the format is missing or default', () => {
    for (const definition of [field('date'), field('date', {}, { format: 'default' })]) {
      expect(ruleOf(definition, '2024-02-29')).toBeNull();
      expect(ruleOf(definition, '02/29/2024')).toBe('format');
      expect(ruleOf(definition, '2024-04-31')).toBe('format');
    }
  });

  it('the format message names the format', () => {
    const check = compileFieldChecker({ ...field('date', {}, { format: '%m/%d/%Y' }), name: 'birth_date' }, ['']);
    expect(check('13/01/2000')).toEqual({ rule: 'format', message: 'birth_date is not a date in format %m/%d/%Y' });
  });
});

describe('enum', () => {
  const grade = field('string', { enum: ['KN', '01', '02'] });

  it('accepts the listed codes, exactly', () => {
    expect(ruleOf(grade, 'KN')).toBeNull();
    expect(ruleOf(grade, '02')).toBeNull();
    expect(ruleOf(grade, 'kn')).toBe('enum');
    expect(ruleOf(grade, '2')).toBe('enum');
    expect(ruleOf(grade, ' KN')).toBe('enum');
  });

  it('the message lists the allowed codes', () => {
    expect(compileFieldChecker(grade, [''])('03')?.message).toBe('f is not one of the allowed codes (KN, 01, 02)');
  });

  it('the type comes first', () => {
    expect(ruleOf(field('integer', { enum: ['1', '2'] }), 'x')).toBe('type');
    expect(ruleOf(field('integer', { enum: ['1', '2'] }), '3')).toBe('enum');
  });
});

describe('pattern', () => {
  it('must match the whole value', () => {
    const ssid = field('string', { pattern: '\\d{10}' });
    expect(ruleOf(ssid, '1234567890')).toBeNull();
    expect(ruleOf(ssid, '12345678901')).toBe('pattern');
    expect(ruleOf(ssid, 'x1234567890')).toBe('pattern');
    expect(ruleOf(ssid, '1234567890\n')).toBe('pattern');
  });

  it('anchors an alternation as a whole, not its first and last branch', () => {
    const ab = field('string', { pattern: 'a|b' });
    expect(ruleOf(ab, 'a')).toBeNull();
    expect(ruleOf(ab, 'b')).toBeNull();
    expect(ruleOf(ab, 'ab')).toBe('pattern');
    expect(ruleOf(ab, 'ax')).toBe('pattern');
    expect(ruleOf(ab, 'xb')).toBe('pattern');
  });

  it('is unicode-aware', () => {
    const oneChar = field('string', { pattern: '.' });
    expect(ruleOf(oneChar, '👍')).toBeNull();
    expect(ruleOf(oneChar, 'ab')).toBe('pattern');
  });

  it('the message shows the pattern', () => {
    expect(compileFieldChecker(field('string', { pattern: '\\d{4}-\\d{2}' }), [''])('2019')?.message).toBe(
      'f does not match the pattern \\d{4}-\\d{2}',
    );
  });
});

describe('min_length and max_length count characters, not bytes or UTF-16 units', () => {
  it('Núñez is 5 characters (7 bytes)', () => {
    expect(Buffer.byteLength('Núñez', 'utf8')).toBe(7);
    expect(ruleOf(field('string', { maxLength: 5 }), 'Núñez')).toBeNull();
    expect(ruleOf(field('string', { minLength: 5 }), 'Núñez')).toBeNull();
    expect(ruleOf(field('string', { maxLength: 4 }), 'Núñez')).toBe('max_length');
    expect(ruleOf(field('string', { minLength: 6 }), 'Núñez')).toBe('min_length');
  });

  it('an emoji outside the BMP is one character (two UTF-16 units)', () => {
    expect('👍👍'.length).toBe(4);
    expect(ruleOf(field('string', { maxLength: 2 }), '👍👍')).toBeNull();
    expect(ruleOf(field('string', { maxLength: 1 }), '👍👍')).toBe('max_length');
  });

  it('bounds are inclusive', () => {
    const three = field('string', { minLength: 2, maxLength: 3 });
    expect(ruleOf(three, 'a')).toBe('min_length');
    expect(ruleOf(three, 'ab')).toBeNull();
    expect(ruleOf(three, 'abc')).toBeNull();
    expect(ruleOf(three, 'abcd')).toBe('max_length');
  });

  it('messages name the bound', () => {
    expect(compileFieldChecker(field('string', { minLength: 2 }), [''])('a')?.message).toBe('f is shorter than 2 characters');
    expect(compileFieldChecker(field('string', { maxLength: 2 }), [''])('abc')?.message).toBe('f is longer than 2 characters');
  });
});

describe('minimum and maximum', () => {
  it('compare integers as numbers, not text', () => {
    const hours = field('integer', { minimum: 2, maximum: 10 });
    expect(ruleOf(hours, '1')).toBe('minimum');
    expect(ruleOf(hours, '2')).toBeNull();
    expect(ruleOf(hours, '9')).toBeNull(); // '9' > '10' as text
    expect(ruleOf(hours, '10')).toBeNull();
    expect(ruleOf(hours, '11')).toBe('maximum');
    expect(ruleOf(hours, '-5')).toBe('minimum');
    expect(ruleOf(hours, '+010')).toBeNull();
  });

  it('compare numbers as numbers', () => {
    const units = field('number', { minimum: 0, maximum: 40 });
    expect(ruleOf(units, '0')).toBeNull();
    expect(ruleOf(units, '-0.01')).toBe('minimum');
    expect(ruleOf(units, '40.0')).toBeNull();
    expect(ruleOf(units, '40.5')).toBe('maximum');
    expect(ruleOf(units, '4e1')).toBeNull();
    expect(ruleOf(units, '4.1e1')).toBe('maximum');
    expect(ruleOf(units, '.5')).toBeNull();
  });

  it('compare dates as dates, whatever the text format', () => {
    const birth = field('date', { minimum: '1980-01-01', maximum: '2026-12-31' }, { format: '%m/%d/%Y' });
    expect(ruleOf(birth, '12/31/1979')).toBe('minimum');
    expect(ruleOf(birth, '01/01/1980')).toBeNull();
    // As text, 12/31/2026 < 01/01/2027 would not hold the other way round; as dates it does.
    expect(ruleOf(birth, '12/31/2026')).toBeNull();
    expect(ruleOf(birth, '01/01/2027')).toBe('maximum');
    expect(ruleOf(birth, '06/15/2000')).toBeNull();
  });

  it('compact dates too', () => {
    const day = field('date', { minimum: '2000-01-01', maximum: '2030-12-31' }, { format: '%Y%m%d' });
    expect(ruleOf(day, '19991231')).toBe('minimum');
    expect(ruleOf(day, '20000101')).toBeNull();
    expect(ruleOf(day, '20310101')).toBe('maximum');
  });

  it('messages name the bound', () => {
    expect(compileFieldChecker(field('integer', { minimum: 3 }), [''])('2')?.message).toBe('f is below the minimum 3');
    expect(compileFieldChecker(field('date', { maximum: '2026-12-31' }), [''])('2027-01-01')?.message).toBe(
      'f is above the maximum 2026-12-31',
    );
  });
});

describe('messages never contain the offending value', () => {
  const SSN = '123456789';
  const ssn = (type: FieldType, constraints: FieldConstraints, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
    name: 'ssn', type, description: 'Social Security number', pii: 'ssn', constraints, ...extra,
  });
  const cases: Array<[FieldRule, FieldDefinition, string]> = [
    ['type', ssn('integer', {}), `${SSN}x`],
    ['type', ssn('number', {}), `${SSN}-`],
    ['type', ssn('boolean', {}, { trueValues: ['Y'], falseValues: ['N'] }), SSN],
    ['format', ssn('date', {}, { format: '%Y%m%d' }), SSN],
    ['enum', ssn('string', { enum: ['A', 'B'] }), SSN],
    ['pattern', ssn('string', { pattern: '\\d{3}-\\d{2}-\\d{4}' }), SSN],
    ['min_length', ssn('string', { minLength: 11 }), SSN],
    ['max_length', ssn('string', { maxLength: 4 }), SSN],
    ['minimum', ssn('integer', { minimum: 200_000_000 }), SSN],
    ['maximum', ssn('integer', { maximum: 99 }), SSN],
    ['minimum', ssn('number', { minimum: 999_999_999 }), SSN],
  ];

  it.each(cases)('%s', (rule, definition, text) => {
    const violation = compileFieldChecker(definition, [''])(text);
    expect(violation?.rule).toBe(rule);
    expect(violation?.message).toMatch(/^ssn /);
    expect(violation?.message).not.toContain(SSN);
  });
});

describe('rule order: the first rule broken is reported', () => {
  it('type, then enum, pattern, lengths, bounds', () => {
    const everything = field('integer', { required: true, enum: ['5', '50', '500', '5000'], pattern: '5\\d*', minLength: 2, maxLength: 3, minimum: 10, maximum: 100 });
    expect(ruleOf(everything, '')).toBe('required');
    expect(ruleOf(everything, 'x')).toBe('type');
    expect(ruleOf(everything, '6')).toBe('enum');
    expect(ruleOf(everything, '5')).toBe('min_length');
    expect(ruleOf(everything, '5000')).toBe('max_length');
    expect(ruleOf(everything, '500')).toBe('maximum');
    expect(ruleOf(everything, '50')).toBeNull();
  });
});

describe('compileRecordCheckers', () => {
  it('gives one checker per field, in order, using the contract missing values', () => {
    const contract = contractFor('cde', 'k12_enrollment');
    const checkers = compileRecordCheckers(contract);
    expect(checkers).toHaveLength(contract.schema.fields.length);
    const at = (name: string) => checkers[contract.schema.fields.findIndex((f) => f.name === name)] as (text: string) => unknown;
    expect(at('ssid')('1234567890')).toBeNull();
    expect(at('ssid')('123456789')).toMatchObject({ rule: 'pattern' });
    expect(at('ssid')('')).toMatchObject({ rule: 'required' });
    expect(at('middle_name')('')).toBeNull();
    expect(at('birth_date')('20100229')).toMatchObject({ rule: 'format' });
    expect(at('birth_date')('20120229')).toBeNull();
    expect(at('hispanic_ind')('Y')).toBeNull();
    expect(at('hispanic_ind')('true')).toMatchObject({ rule: 'type' });
  });
});
