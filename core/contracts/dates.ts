/**
 * Dates in partner files: each contract names a strptime-style pattern (`%Y%m%d`, `%m/%d/%Y`) or
 * `default` (ISO `YYYY-MM-DD`). Inside the platform a date is always its ISO text, so one compiled
 * pattern both reads a partner's text into ISO and writes ISO out in the partner's format.
 */
export interface DateFormat {
  readonly pattern: string;
  /** The ISO date the text denotes, or null when the text does not match or is no calendar date. */
  parse(text: string): string | null;
  /**
   * The same reading straight from ASCII bytes, as the number YYYYMMDD (which orders as the ISO
   * text does), or -1: what validation uses on every value, with no string made.
   */
  parseAscii(bytes: Uint8Array, start: number, end: number): number;
  /** Writes an ISO date (`YYYY-MM-DD`) in this format. */
  format(iso: string): string;
}

const DIRECTIVES: Readonly<Record<string, { part: 'Y' | 'm' | 'd'; digits: number }>> = {
  '%Y': { part: 'Y', digits: 4 },
  '%m': { part: 'm', digits: 2 },
  '%d': { part: 'd', digits: 2 },
};

/** Days in each month of a common year (a constant: dates are checked a billion times). */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= (MONTH_DAYS[month - 1] as number)) return true;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap && day === 29;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO date's text (a contract's date bound) as the number YYYYMMDD that parseAscii gives, or null. */
export function isoDayNumber(text: string): number | null {
  const match = ISO_DATE.exec(text);
  return match ? Number(`${match[1]}${match[2]}${match[3]}`) : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileDateFormat(pattern: string): DateFormat {
  const strptime = pattern === 'default' ? '%Y-%m-%d' : pattern;
  // As in strptime, every `%` starts a directive: `%%` is a literal percent sign, anything unknown is an error.
  const tokens = strptime.split(/(%[\s\S]?)/).filter((t) => t.length > 0).map((token) => {
    if (!token.startsWith('%')) return { literal: token };
    if (token === '%%') return { literal: '%' };
    const directive = DIRECTIVES[token];
    if (!directive) throw new Error(`date format "${pattern}": unsupported directive ${token} (use %Y, %m, %d)`);
    return { directive };
  });
  const order = tokens.flatMap((t) => (t.directive ? [t.directive.part] : []));
  for (const part of ['Y', 'm', 'd'] as const) {
    if (order.filter((p) => p === part).length !== 1) {
      throw new Error(`date format "${pattern}": needs exactly one each of %Y, %m and %d`);
    }
  }
  const matcher = new RegExp(
    '^' + tokens.map((t) => (t.directive ? `(\\d{${t.directive.digits}})` : escapeRegExp(t.literal as string))).join('') + '$',
  );
  const slices: Record<'Y' | 'm' | 'd', [number, number]> = { Y: [0, 4], m: [5, 7], d: [8, 10] };
  const width = tokens.reduce((n, t) => n + (t.directive ? t.directive.digits : Buffer.byteLength(t.literal as string)), 0);
  const literalBytes = tokens.map((t) => (t.directive ? null : Buffer.from(t.literal as string, 'utf8')));

  const formatted = new Map<string, string>();
  return {
    pattern,
    parse(text: string): string | null {
      const match = matcher.exec(text);
      if (!match) return null;
      const value: Record<string, string> = {};
      order.forEach((part, i) => (value[part] = match[i + 1] as string));
      const [y, m, d] = [value.Y as string, value.m as string, value.d as string];
      return isCalendarDate(Number(y), Number(m), Number(d)) ? `${y}-${m}-${d}` : null;
    },
    parseAscii(bytes: Uint8Array, start: number, end: number): number {
      if (end - start !== width) return -1;
      let at = start;
      let y = 0;
      let m = 0;
      let d = 0;
      for (let t = 0; t < tokens.length; t++) {
        const literal = literalBytes[t];
        if (literal) {
          for (let k = 0; k < literal.length; k++) if (bytes[at++] !== literal[k]) return -1;
          continue;
        }
        const directive = (tokens[t] as { directive: { part: 'Y' | 'm' | 'd'; digits: number } }).directive;
        let value = 0;
        for (let k = 0; k < directive.digits; k++) {
          const digit = (bytes[at++] as number) - 0x30;
          if (digit < 0 || digit > 9) return -1;
          value = value * 10 + digit;
        }
        if (directive.part === 'Y') y = value;
        else if (directive.part === 'm') m = value;
        else d = value;
      }
      return isCalendarDate(y, m, d) ? y * 10000 + m * 100 + d : -1;
    },
    format(iso: string): string {
      // Files repeat the same few thousand dates millions of times: each is checked and formatted once.
      let out = formatted.get(iso);
      if (out !== undefined) return out;
      // Writing what is no date would give a text that this format's own parse rejects.
      const match = ISO_DATE.exec(iso);
      if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
        throw new Error(`date format "${pattern}": can only write an ISO calendar date (YYYY-MM-DD)`);
      }
      out = '';
      for (const token of tokens) out += token.directive ? iso.slice(...slices[token.directive.part]) : token.literal;
      formatted.set(iso, out);
      return out;
    },
  };
}
