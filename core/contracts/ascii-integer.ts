/**
 * A whole number straight from ASCII bytes, as the contracts' integer type reads its text
 * (`[+-]?\d+`, then Number()): what the byte checker and the quick tests compare with bounds.
 */
export function asciiInteger(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  if (bytes[at] === 0x2b || bytes[at] === 0x2d) at++;
  if (at === end) return NaN;
  let value = 0;
  for (let k = at; k < end; k++) {
    const digit = (bytes[k] as number) - 0x30;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  // Past 15 digits the running sum may round differently from Number().
  if (end - at > 15) value = Number(Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1'));
  return bytes[start] === 0x2d ? -value : value;
}
