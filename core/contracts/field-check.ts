/**
 * Checks one field's text against its contract definition. Compiled once per field so checking a
 * billion values costs a few comparisons each. Messages describe the rule, never the value: the
 * caller decides whether (and how masked) a value may be shown.
 */
import { asciiInteger } from './ascii-integer';
import { compileAsciiPattern } from './ascii-pattern';
import { compileDateFormat, isoDayNumber } from './dates';
import { compileQuickAccept } from './quick-accept';
import type { Contract, FieldDefinition } from './types';

export type FieldRule =
  | 'required'
  | 'type'
  | 'format'
  | 'enum'
  | 'pattern'
  | 'min_length'
  | 'max_length'
  | 'minimum'
  | 'maximum';

export interface FieldViolation {
  readonly rule: FieldRule;
  readonly message: string;
}

/** Returns the first rule the text breaks, or null when it conforms. */
export type FieldChecker = (text: string) => FieldViolation | null;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function compileFieldChecker(field: FieldDefinition, missingValues: readonly string[]): FieldChecker {
  const c = field.constraints ?? {};
  const missing = new Set(missingValues);
  const enumValues = c.enum ? new Set(c.enum) : undefined;
  const pattern = c.pattern !== undefined ? new RegExp(`^(?:${c.pattern})$`, 'u') : undefined;
  const toTyped = typedReader(field);

  const violation = (rule: FieldRule): FieldViolation => ({ rule, message: fieldRuleMessage(field, rule) });
  return (text: string): FieldViolation | null => {
    if (missing.has(text)) return c.required ? violation('required') : null;
    const typed = toTyped(text);
    if (typed === undefined) return violation(field.type === 'date' ? 'format' : 'type');
    if (enumValues && !enumValues.has(text)) return violation('enum');
    if (pattern && !pattern.test(text)) return violation('pattern');
    const length = [...text].length;
    if (c.minLength !== undefined && length < c.minLength) return violation('min_length');
    if (c.maxLength !== undefined && length > c.maxLength) return violation('max_length');
    if (c.minimum !== undefined && typed < c.minimum) return violation('minimum');
    if (c.maximum !== undefined && typed > c.maximum) return violation('maximum');
    return null;
  };
}

/** What breaking a rule means for this field, in words (never the value). */
export function fieldRuleMessage(field: FieldDefinition, rule: FieldRule): string {
  const c = field.constraints ?? {};
  switch (rule) {
    case 'required': return `${field.name} is required`;
    case 'format': return `${field.name} is not a date in format ${field.format ?? 'default'}`;
    case 'type': return `${field.name} is not a valid ${field.type}`;
    case 'enum': return `${field.name} is not one of the allowed codes (${(c.enum ?? []).join(', ')})`;
    case 'pattern': return `${field.name} does not match the pattern ${c.pattern ?? ''}`;
    case 'min_length': return `${field.name} is shorter than ${c.minLength ?? 0} characters`;
    case 'max_length': return `${field.name} is longer than ${c.maxLength ?? 0} characters`;
    case 'minimum': return `${field.name} is below the minimum ${c.minimum ?? ''}`;
    case 'maximum': return `${field.name} is above the maximum ${c.maximum ?? ''}`;
  }
}

/**
 * The typed value used for range checks (a number, or an ISO date string which orders correctly
 * as text), or undefined when the text is not of the field's type. Strings and booleans have no
 * range, so they compare as their own text.
 */
function typedReader(field: FieldDefinition): (text: string) => number | string | undefined {
  switch (field.type) {
    case 'integer':
      return (text) => (INTEGER.test(text) ? Number(text) : undefined);
    case 'number':
      return (text) => (NUMBER.test(text) ? Number(text) : undefined);
    case 'date': {
      const format = compileDateFormat(field.format ?? 'default');
      return (text) => format.parse(text) ?? undefined;
    }
    case 'boolean': {
      const accepted = new Set([...(field.trueValues ?? ['true']), ...(field.falseValues ?? ['false'])]);
      return (text) => (accepted.has(text) ? text : undefined);
    }
    case 'string':
      return (text) => text;
  }
}

/**
 * The same rules as compileFieldChecker, read straight from a value's UTF-8 bytes: the first rule
 * `bytes[start, end)` breaks, or null. ASCII values, nearly all of them, are checked without
 * making a string; any other value is decoded and given to the text checker. A value the field's
 * quick test accepts (core/contracts/quick-accept.ts) is checked no further. The two checkers
 * agree on every value (test/contracts/field-check-bytes.test.ts).
 */
export type ByteFieldChecker = (bytes: Uint8Array, start: number, end: number) => FieldRule | null;

export function compileByteFieldChecker(field: FieldDefinition, missingValues: readonly string[]): ByteFieldChecker {
  const textChecker = compileFieldChecker(field, missingValues);
  const byText: ByteFieldChecker = (bytes, start, end) => textChecker(latin1OrUtf8(bytes, start, end, 'utf8'))?.rule ?? null;
  const c = field.constraints ?? {};
  const missing = asciiOnly(missingValues);
  const enumValues = c.enum ? asciiOnly(c.enum) : null;
  const pattern = c.pattern === undefined ? null : compileAsciiPattern(c.pattern);
  const regex = c.pattern === undefined ? null : new RegExp(`^(?:${c.pattern})$`, 'u');
  const read = typedAsciiReader(field);
  // Date bounds as YYYYMMDD numbers, like parseAscii's values.
  const bound = (value: number | string | undefined): number | undefined => {
    if (value === undefined || field.type !== 'date') return typeof value === 'number' ? value : undefined;
    return isoDayNumber(String(value)) ?? undefined;
  };
  const minimum = bound(c.minimum) ?? null;
  const maximum = bound(c.maximum) ?? null;
  // Bounds the fast path cannot compare (a string bound on a number, a date bound not in ISO, any
  // bound on a string or boolean) leave every value to the text checker.
  const readableBound = (value: number | string | undefined, read: number | null): boolean =>
    value === undefined || (read !== null && field.type !== 'string' && field.type !== 'boolean');
  if (!readableBound(c.minimum, minimum) || !readableBound(c.maximum, maximum)) return byText;
  const required = c.required === true;
  const minLength = c.minLength ?? -1;
  const maxLength = c.maxLength ?? Infinity;
  const typeRule: FieldRule = field.type === 'date' ? 'format' : 'type';

  const full: ByteFieldChecker = (bytes, start, end) => {
    for (let k = start; k < end; k++) if ((bytes[k] as number) > 0x7f) return byText(bytes, start, end);
    if (inList(missing, bytes, start, end)) return required ? 'required' : null;
    const value = read === null ? 0 : read(bytes, start, end);
    if (value !== value) return typeRule;
    if (enumValues !== null && !inList(enumValues, bytes, start, end)) return 'enum';
    if (regex !== null && !(pattern !== null ? pattern(bytes, start, end) : regex.test(latin1OrUtf8(bytes, start, end, 'latin1')))) return 'pattern';
    const length = end - start;
    if (length < minLength) return 'min_length';
    if (length > maxLength) return 'max_length';
    if (minimum !== null && value < minimum) return 'minimum';
    if (maximum !== null && value > maximum) return 'maximum';
    return null;
  };
  const quick = compileQuickAccept(field, missingValues, (text) => textChecker(text) === null);
  return quick === null ? full : (bytes, start, end) => (quick(bytes, start, end) ? null : full(bytes, start, end));
}

/** The value's text, made only where a check needs it. */
function latin1OrUtf8(bytes: Uint8Array, start: number, end: number, encoding: 'latin1' | 'utf8'): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString(encoding);
}

/** The ASCII texts of a list, as bytes: an ASCII value can equal no other. */
function asciiOnly(texts: readonly string[]): Uint8Array[] {
  return texts.filter((text) => /^[\x00-\x7f]*$/.test(text)).map((text) => Buffer.from(text, 'latin1'));
}

function inList(list: readonly Uint8Array[], bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  outer: for (let i = 0; i < list.length; i++) {
    const candidate = list[i] as Uint8Array;
    if (candidate.length !== length) continue;
    for (let k = 0; k < length; k++) if (candidate[k] !== bytes[start + k]) continue outer;
    return true;
  }
  return false;
}

/**
 * The typed value of an ASCII text for range checks, NaN when it is not of the field's type; null
 * for strings, which have no typed value to check.
 */
function typedAsciiReader(field: FieldDefinition): ((bytes: Uint8Array, start: number, end: number) => number) | null {
  switch (field.type) {
    case 'integer':
      return asciiInteger;
    case 'number':
      return (bytes, start, end) => {
        const text = latin1OrUtf8(bytes, start, end, 'latin1');
        return NUMBER.test(text) ? Number(text) : NaN;
      };
    case 'date': {
      const format = compileDateFormat(field.format ?? 'default');
      return (bytes, start, end) => {
        const day = format.parseAscii(bytes, start, end);
        return day < 0 ? NaN : day;
      };
    }
    case 'boolean': {
      const spellings = asciiOnly([...(field.trueValues ?? ['true']), ...(field.falseValues ?? ['false'])]);
      return (bytes, start, end) => (inList(spellings, bytes, start, end) ? 0 : NaN);
    }
    case 'string':
      return null;
  }
}

/** One checker per field of the contract, in field order. */
export function compileRecordCheckers(contract: Contract): FieldChecker[] {
  return contract.schema.fields.map((f) => compileFieldChecker(f, contract.schema.missingValues));
}
