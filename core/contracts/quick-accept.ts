/**
 * Quick acceptance of the values files are nearly all made of. For the usual shapes of field (a
 * code list, a yes/no flag, an ID pattern, a date or whole number within bounds, a name with a
 * length limit) one small test, written for that shape alone, answers "conforms" or "not sure".
 * Only "conforms" is used; every other value goes to the full byte checker, which names the
 * rule. So a quick test may leave values to the full checker, but must accept nothing the
 * field's rules reject (test/contracts/field-check-bytes.test.ts holds it to that).
 */
import { asciiInteger } from './ascii-integer';
import { compileAsciiPattern } from './ascii-pattern';
import { compileDateFormat, isoDayNumber } from './dates';
import type { FieldDefinition } from './types';

/** True only when `bytes[start, end)` conforms to every rule of the field. */
export type QuickAccept = (bytes: Uint8Array, start: number, end: number) => boolean;

/** Whether a value's text breaks no rule (the field's text checker). */
type Conforms = (text: string) => boolean;

/** Texts of at most this many ASCII bytes pack into one number exactly (7 × 7 bits and the length stay below 2^53). */
const PACKED_BYTES = 7;

/**
 * A short ASCII value as one number: its length, then each byte, as digits in base 128. Distinct
 * texts pack to distinct numbers; -1 for a longer or non-ASCII value.
 */
function packAscii(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > PACKED_BYTES) return -1;
  let packed = end - start;
  for (let k = start; k < end; k++) {
    const byte = bytes[k] as number;
    if (byte > 0x7f) return -1;
    packed = packed * 128 + byte;
  }
  return packed;
}

function packText(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return packAscii(bytes, 0, bytes.length);
}

/** The values of a closed list (codes or flag spellings) that conform, packed. */
function closedList(texts: readonly string[], conforms: Conforms): QuickAccept | null {
  const packed = new Set(texts.filter(conforms).map(packText).filter((p) => p >= 0));
  if (packed.size === 0) return null;
  return (bytes, start, end) => packed.has(packAscii(bytes, start, end));
}

/**
 * A bound as the quick tests compare values (dates as the number YYYYMMDD): `none` where the
 * field has no such bound, null where it is not one they can compare.
 */
function comparableBound(field: FieldDefinition, bound: number | string | undefined, none: number): number | null {
  if (bound === undefined) return none;
  if (field.type === 'integer') return typeof bound === 'number' ? bound : null;
  return isoDayNumber(String(bound));
}

/**
 * The quick test for a field, or null when its shape has none. `conforms` is the field's own
 * text checker, used here only on the contract's own codes and flag spellings.
 */
export function compileQuickAccept(field: FieldDefinition, missingValues: readonly string[], conforms: Conforms): QuickAccept | null {
  const c = field.constraints ?? {};
  // Every value of a code list is one of its codes: the codes that conform are all there is to accept.
  if (c.enum) return closedList(c.enum, conforms);
  if (field.type === 'boolean') return closedList([...(field.trueValues ?? ['true']), ...(field.falseValues ?? ['false'])], conforms);
  const onlyBoundsBeside = c.pattern === undefined && c.minLength === undefined && c.maxLength === undefined;
  // A missing value that would pass the quick test is left to the full checker, which knows it is missing.
  const missingPasses = (test: QuickAccept): boolean => missingValues.some((text) => {
    const bytes = Buffer.from(text, 'utf8');
    return test(bytes, 0, bytes.length);
  });

  if ((field.type === 'date' || field.type === 'integer') && onlyBoundsBeside) {
    const lowest = comparableBound(field, c.minimum, -Infinity);
    const highest = comparableBound(field, c.maximum, Infinity);
    if (lowest === null || highest === null) return null;
    let test: QuickAccept;
    if (field.type === 'date') {
      const format = compileDateFormat(field.format ?? 'default');
      test = (bytes, start, end) => {
        const day = format.parseAscii(bytes, start, end);
        return day >= 0 && day >= lowest && day <= highest;
      };
    } else {
      test = (bytes, start, end) => {
        const value = asciiInteger(bytes, start, end);
        return value >= lowest && value <= highest;
      };
    }
    return missingPasses(test) ? null : test;
  }
  if (field.type !== 'string' || c.minimum !== undefined || c.maximum !== undefined || c.minLength !== undefined) return null;
  const maxLength = c.maxLength ?? Infinity;
  if (c.pattern !== undefined) {
    // A match is ASCII (the compiled sets hold no other byte), so its length is its byte count.
    const pattern = compileAsciiPattern(c.pattern);
    if (pattern === null) return null;
    const test: QuickAccept = (bytes, start, end) => end - start <= maxLength && pattern(bytes, start, end);
    return missingPasses(test) ? null : test;
  }
  // Missing values are told by their packed bytes; a list with one that does not pack is left to the full checker.
  const missing = new Set(missingValues.map(packText));
  if (missing.has(-1)) return null;
  // A text has no more characters than bytes.
  return (bytes, start, end) => end - start <= maxLength && !missing.has(packAscii(bytes, start, end));
}
