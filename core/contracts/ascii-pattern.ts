/**
 * Contract patterns compiled to matchers over ASCII bytes, so that validation can check a billion
 * values without making a string of each. Only the small part of regular-expression syntax that
 * partner ID patterns use is compiled: literals, escapes, `\d`, classes like `[A-Z0-9]`, and
 * quantifiers (`?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`) on them, and groups of alternatives that are
 * themselves plain sequences (`(FA|SP|SU)`, `(0[1-9]|[1-4][0-9]|5[0-8])`), each used once.
 * Anything else compiles to null, and the caller matches the text with RegExp instead: the
 * meaning is always that of `^(?:pattern)$` with the `u` flag on an ASCII text.
 */

/** A byte matches an item when `set[byte]` is 1; the item repeats min..max times. */
interface Item {
  readonly set: Uint8Array;
  readonly min: number;
  readonly max: number;
}

/** One way to match: a sequence of items. */
type Sequence = readonly Item[];

export type AsciiMatcher = (bytes: Uint8Array, start: number, end: number) => boolean;

/** Group alternatives multiply out; past this many, RegExp is the better tool. */
const MAX_ALTERNATIVES = 64;

class Unsupported extends Error {}

function byteSet(codes: Iterable<number>): Uint8Array {
  const set = new Uint8Array(256);
  for (const code of codes) set[code] = 1;
  return set;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

const DIGITS = range(0x30, 0x39);
const WORD = [...DIGITS, ...range(0x41, 0x5a), ...range(0x61, 0x7a), 0x5f];

/** A recursive-descent reader of the supported syntax into alternative sequences. */
class PatternReader {
  private at = 0;

  constructor(private readonly source: string) {}

  read(): Sequence[] {
    const alternatives = this.alternatives();
    if (this.at !== this.source.length) throw new Unsupported();
    return alternatives;
  }

  private alternatives(): Sequence[] {
    const out: Sequence[] = [...this.sequence()];
    while (this.source[this.at] === '|') {
      this.at++;
      out.push(...this.sequence());
    }
    if (out.length > MAX_ALTERNATIVES) throw new Unsupported();
    return out;
  }

  /** A sequence of items and groups: the groups multiply it into several plain sequences. */
  private sequence(): Sequence[] {
    let prefixes: Item[][] = [[]];
    while (this.at < this.source.length && this.source[this.at] !== '|' && this.source[this.at] !== ')') {
      if (this.source[this.at] === '(') {
        this.at += this.source.startsWith('(?:', this.at) ? 3 : 1;
        const group = this.alternatives();
        if (this.source[this.at] !== ')') throw new Unsupported();
        this.at++;
        // A quantified group would need backtracking across repetitions: left to RegExp.
        if (this.quantifier() !== null) throw new Unsupported();
        prefixes = prefixes.flatMap((prefix) => group.map((option) => [...prefix, ...option]));
        if (prefixes.length > MAX_ALTERNATIVES) throw new Unsupported();
        continue;
      }
      const set = this.atom();
      const [min, max] = this.quantifier() ?? [1, 1];
      for (const prefix of prefixes) prefix.push({ set, min, max });
    }
    return prefixes;
  }

  private atom(): Uint8Array {
    const char = this.source[this.at++] as string;
    if (char === '\\') return this.escape();
    if (char === '[') return this.characterClass();
    if (char === '.') return byteSet(range(0, 0x7f).filter((c) => c !== 0x0a && c !== 0x0d));
    if ('^$*+?{}]'.includes(char) || char.charCodeAt(0) > 0x7f) throw new Unsupported();
    return byteSet([char.charCodeAt(0)]);
  }

  private escape(): Uint8Array {
    const char = this.source[this.at++];
    if (char === 'd') return byteSet(DIGITS);
    if (char === 'w') return byteSet(WORD);
    // Other escaped punctuation stands for itself; letters (\b, \s, \p…) and digits (back-references) are not compiled.
    if (char === undefined || /[A-Za-z0-9]/.test(char) || char.charCodeAt(0) > 0x7f) throw new Unsupported();
    return byteSet([char.charCodeAt(0)]);
  }

  private characterClass(): Uint8Array {
    const negated = this.source[this.at] === '^';
    if (negated) this.at++;
    const codes: number[] = [];
    while (this.source[this.at] !== ']') {
      const from = this.classMember();
      if (this.source[this.at] === '-' && this.source[this.at + 1] !== ']' && this.source[this.at + 1] !== undefined) {
        this.at++;
        const to = this.classMember();
        if (from.length !== 1 || to.length !== 1 || (to[0] as number) < (from[0] as number)) throw new Unsupported();
        codes.push(...range(from[0] as number, to[0] as number));
      } else {
        codes.push(...from);
      }
    }
    this.at++;
    return byteSet(negated ? range(0, 0x7f).filter((c) => !codes.includes(c)) : codes);
  }

  private classMember(): number[] {
    const char = this.source[this.at++];
    if (char === undefined || char.charCodeAt(0) > 0x7f) throw new Unsupported();
    if (char !== '\\') return [char.charCodeAt(0)];
    const escaped = this.source[this.at++];
    if (escaped === 'd') return DIGITS;
    if (escaped === 'w') return WORD;
    if (escaped === undefined || /[A-Za-z0-9]/.test(escaped)) throw new Unsupported();
    return [escaped.charCodeAt(0)];
  }

  private quantifier(): [number, number] | null {
    const char = this.source[this.at];
    let bounds: [number, number] | null = null;
    if (char === '?') bounds = [0, 1];
    else if (char === '*') bounds = [0, Infinity];
    else if (char === '+') bounds = [1, Infinity];
    else if (char === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
      if (!match) throw new Unsupported();
      const min = Number(match[1]);
      const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      if (max < min) throw new Unsupported();
      this.at += match[0].length - 1;
      bounds = [min, max];
    }
    if (bounds === null) return null;
    this.at++;
    // Lazy and possessive forms change which match is found, never whether: still, keep to the plain form.
    if (this.source[this.at] === '?' || this.source[this.at] === '+') throw new Unsupported();
    return bounds;
  }
}

/** Whether bytes[at, end) is exactly items[i..], backtracking over how much each item takes. */
function matchItems(items: Sequence, i: number, bytes: Uint8Array, at: number, end: number): boolean {
  const item = items[i] as Item;
  let taken = 0;
  while (taken < item.max && at + taken < end && item.set[bytes[at + taken] as number] === 1) taken++;
  if (i === items.length - 1) return end - at >= item.min && end - at <= taken;
  for (let n = taken; n >= item.min; n--) if (matchItems(items, i + 1, bytes, at + n, end)) return true;
  return false;
}

/**
 * A sequence of items that each take a fixed number of bytes, as one table: byte k of a match
 * must be in `table[k * 256 ..]`. Most ID patterns (`\\d{4}-\\d{2}`, `[A-Z]\\d{8}`) are this.
 */
function fixedTable(items: Sequence): Uint8Array | null {
  if (!items.every((item) => item.min === item.max)) return null;
  const width = items.reduce((n, item) => n + item.min, 0);
  const table = new Uint8Array(width * 256);
  let at = 0;
  for (const item of items) for (let k = 0; k < item.min; k++) table.set(item.set, 256 * at++);
  return table;
}

function matchesTable(table: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if ((end - start) * 256 !== table.length) return false;
  for (let k = start, row = 0; k < end; k++, row += 256) if (table[row + (bytes[k] as number)] === 0) return false;
  return true;
}

/** The matcher for a contract pattern, or null when the pattern uses syntax not compiled here. */
export function compileAsciiPattern(pattern: string): AsciiMatcher | null {
  let alternatives: Sequence[];
  try {
    alternatives = new PatternReader(pattern).read();
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
  const tables = alternatives.map(fixedTable);
  const [only] = tables;
  if (tables.length === 1 && only) {
    // The usual ID pattern: one fixed width, matched without the loop over alternatives.
    return (bytes, start, end) => matchesTable(only, bytes, start, end);
  }
  if (tables.every((table): table is Uint8Array => table !== null)) {
    return (bytes, start, end) => {
      for (let i = 0; i < tables.length; i++) if (matchesTable(tables[i] as Uint8Array, bytes, start, end)) return true;
      return false;
    };
  }
  return (bytes, start, end) => {
    for (const items of alternatives) {
      if (items.length === 0 ? start === end : matchItems(items, 0, bytes, start, end)) return true;
    }
    return false;
  };
}
