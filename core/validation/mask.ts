/**
 * Values shown in reports. A value of a PII field (SSN, name, birth date, source id) is shown
 * only as its shape, digits as 9 and letters as X/x, so a steward can see what is wrong with it
 * (eight digits, a dash too many) and nobody can read it. Other values are shown as sent, cut short.
 */
import type { PiiKind } from '../contracts/types';

const MAX_SHOWN = 80;

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join('') + '…' : text;
}

export function maskValue(value: string, pii: PiiKind | undefined): string {
  return pii === undefined ? shorten(value, MAX_SHOWN) : maskShape(value);
}

/** Only the value's shape: for PII, and for texts that may be personal data whatever field they came in. */
export function maskShape(value: string): string {
  const shape = value.replace(/\p{Nd}/gu, '9').replace(/\p{Lu}/gu, 'X').replace(/\p{L}/gu, 'x');
  return shorten(shape, 40);
}
