/**
 * The structural pass over a drop's bytes: encoding, line endings, quoting and the number of
 * values per record, in the contract's dialect, with the line (and value position) of every
 * problem. It decides whether the file can be read at all; values are read afterwards by the SQL
 * engine, and only from files that pass.
 *
 * Why not leave structure to the engine: DuckDB 1.5 silently drops every record after an
 * unterminated quote in strict mode, and names the wrong problem otherwise
 * (test/validation/duckdb-quirks.test.ts). A byte-level state machine is also fast enough to
 * run on every file (no allocation per byte or per value), which csv-parse is not.
 */
import type { CsvDialect } from '../contracts/types';
import type { StructureRule } from './rules';

export interface StructureFinding {
  readonly rule: StructureRule;
  /** 1-based physical line. */
  readonly line: number;
  /** 1-based position of the value in its record, where the problem is in one value. */
  readonly column?: number;
}

export interface StructureResult {
  readonly bytes: number;
  /** Physical lines, the header's included. */
  readonly lines: number;
  /** Records after the header. */
  readonly records: number;
  readonly header: readonly string[] | null;
  readonly byteOrderMark: boolean;
  readonly lineEndings: { readonly lf: number; readonly crlf: number };
  /** Records that start later than `index + 2` because earlier values spanned lines: [record index, extra lines before it]. */
  readonly lineShifts: ReadonlyArray<readonly [number, number]>;
  readonly counts: Readonly<Partial<Record<StructureRule, number>>>;
  readonly findings: readonly StructureFinding[];
}

export interface StructureLimits {
  /** Longest line accepted, in bytes. */
  readonly maxLineBytes: number;
  /** Findings kept per rule (all are counted). */
  readonly examplesPerRule: number;
}

export const DEFAULT_STRUCTURE_LIMITS: StructureLimits = { maxLineBytes: 1 << 20, examplesPerRule: 10 };

/** Far more than any contract's header (a few hundred bytes); the rest of a longer first line is not kept. */
const HEADER_BYTES_KEPT = 1 << 16;

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/** Byte classes: ordinary bytes inside a value take the fast path. */
const ORDINARY = 0;
const SPECIAL = 1;
const CONTROL = 2;
const HIGH = 3;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted value: either the first of a doubled quote or the closing quote. */
  QuoteInQuoted,
}

export class StructureScanner {
  private readonly delimiter: number;
  private readonly quote: number;
  private state = State.FieldStart;
  private bytes = 0;
  private line = 1;
  private lineBytes = 0;
  private lineTooLongReported = false;
  private field = 1;
  private records = 0;
  private lf = 0;
  private crlf = 0;
  private pendingCr = false;
  private quoteOpenedOnLine = 0;
  private strayQuoteReportedAt = -1;
  private recordStartLine = 1;
  private utf8Remaining = 0;
  /**
   * The range the next continuation byte must fall in: narrower after E0, ED, F0 and F4, so that
   * over-long forms, UTF-16 surrogates and code points above U+10FFFF are invalid, as in the
   * engine's reader (which would otherwise fail on the file instead of reporting it).
   */
  private utf8Low = 0x80;
  private utf8High = 0xbf;
  /** The character being read began with C2: U+0080–U+009F are the C1 control characters. */
  private utf8C1 = false;
  private utf8Reported = false;
  /** Bytes of the current record on the lines before this one (a quoted value spanning lines). */
  private recordPrefix = 0;
  private headerBytes: number[] | null = [];
  private headerDone = false;
  private header: string[] | null = null;
  /** The first bytes, held until there are enough to tell a byte order mark (null once told). */
  private head: Uint8Array | null = new Uint8Array(0);
  private bom = false;
  private stopped = false;
  private readonly counts: Partial<Record<StructureRule, number>> = {};
  private readonly findings: StructureFinding[] = [];
  private readonly lineShifts: Array<[number, number]> = [];
  private readonly classes = new Uint8Array(256);

  constructor(dialect: CsvDialect, private readonly expectedFields: number, private readonly limits: StructureLimits = DEFAULT_STRUCTURE_LIMITS) {
    this.delimiter = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quoteChar.charCodeAt(0);
    for (let b = 0; b < 0x20; b++) this.classes[b] = CONTROL;
    this.classes[0x7f] = CONTROL;
    for (let b = 0x80; b < 0x100; b++) this.classes[b] = HIGH;
    this.classes[TAB] = ORDINARY;
    for (const b of [LF, CR, this.delimiter, this.quote]) this.classes[b] = SPECIAL;
  }

  private report(rule: StructureRule, line: number, column?: number): void {
    const count = (this.counts[rule] ?? 0) + 1;
    this.counts[rule] = count;
    if (count <= this.limits.examplesPerRule) this.findings.push(column === undefined ? { rule, line } : { rule, line, column });
  }

  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    let i = 0;
    if (this.head !== null) {
      // The byte order mark is told from the first bytes however the stream splits them.
      if (this.head.length > 0) chunk = Buffer.concat([this.head, chunk]);
      if (chunk.length < 3 && couldBeMark(chunk)) {
        this.head = chunk;
        return;
      }
      this.head = null;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        // Everything after a UTF-16 byte order mark would be noise: one finding says it all.
        this.report('utf16', 1);
        this.stopped = true;
        return;
      }
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        this.bom = true;
        i = 3;
      }
    }
    this.bytes += chunk.length;
    const classes = this.classes;
    const maxLineBytes = this.limits.maxLineBytes;
    const { delimiter, quote, expectedFields } = this;
    // The hot loop keeps the scanner's state in locals and handles the common bytes (ordinary
    // bytes, delimiters, quotes, the end of a well-formed record) inline; anything else brings
    // the fields up to date and takes the slow path.
    let state = this.state;
    let lineBytes = this.lineBytes;
    let field = this.field;
    let line = this.line;
    let records = this.records;
    let lf = this.lf;
    let fast = this.fastPathAllowed();
    // A record may span lines (quoted line breaks): the limit is on the whole record.
    let lineLimit = maxLineBytes - this.recordPrefix;
    const end = chunk.length;
    for (; i < end; i++) {
      const byte = chunk[i] as number;
      const kind = classes[byte] as number;
      if (fast && lineBytes < lineLimit) {
        if (kind === ORDINARY) {
          if (state === State.Unquoted || state === State.Quoted) {
            lineBytes++;
            continue;
          }
          if (state === State.FieldStart) {
            lineBytes++;
            state = State.Unquoted;
            continue;
          }
        } else if (byte === delimiter && state !== State.Quoted) {
          lineBytes++;
          field++;
          state = State.FieldStart;
          continue;
        } else if (byte === quote) {
          if (state === State.Quoted) {
            lineBytes++;
            state = State.QuoteInQuoted;
            continue;
          }
          if (state === State.QuoteInQuoted) {
            lineBytes++;
            state = State.Quoted;
            continue;
          }
          if (state === State.FieldStart) {
            lineBytes++;
            state = State.Quoted;
            this.quoteOpenedOnLine = line;
            continue;
          }
        } else if (byte === LF && state !== State.Quoted && field === expectedFields && line === records + 2 && this.lineShifts.length === 0) {
          // The common end of a record: the right number of values, no value spanned lines.
          lf++;
          records++;
          line++;
          this.recordStartLine = line;
          lineBytes = 0;
          field = 1;
          state = State.FieldStart;
          this.lineTooLongReported = false;
          this.utf8Reported = false;
          continue;
        }
      }
      this.state = state;
      this.lineBytes = lineBytes;
      this.field = field;
      this.line = line;
      this.records = records;
      this.lf = lf;
      this.slowByte(byte, kind);
      state = this.state;
      lineBytes = this.lineBytes;
      field = this.field;
      line = this.line;
      records = this.records;
      lf = this.lf;
      fast = this.fastPathAllowed();
      lineLimit = maxLineBytes - this.recordPrefix;
    }
    this.state = state;
    this.lineBytes = lineBytes;
    this.field = field;
    this.line = line;
    this.records = records;
    this.lf = lf;
  }

  /** The fast path knows nothing of the header, partial UTF-8 characters or a CR awaiting its LF. */
  private fastPathAllowed(): boolean {
    return this.headerDone && this.utf8Remaining === 0 && !this.pendingCr;
  }

  /** Everything but an ordinary byte in the middle of a value: rare, so clarity beats speed here. */
  private slowByte(byte: number, kind: number): void {
    const { delimiter, quote } = this;
    if (this.utf8Remaining > 0) {
      if (byte >= this.utf8Low && byte <= this.utf8High) {
        if (this.utf8C1 && byte <= 0x9f) this.report('control_character', this.line, this.field);
        this.utf8Remaining--;
        this.utf8Low = 0x80;
        this.utf8High = 0xbf;
        this.utf8C1 = false;
        this.lineBytes++;
        this.keepHeaderByte(byte);
        return;
      }
      this.invalidUtf8();
    }
    if (kind === HIGH) {
      if (byte >= 0xc2 && byte <= 0xdf) {
        this.utf8Remaining = 1;
        this.utf8C1 = byte === 0xc2;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        this.utf8Remaining = 2;
        if (byte === 0xe0) this.utf8Low = 0xa0;
        else if (byte === 0xed) this.utf8High = 0x9f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        this.utf8Remaining = 3;
        if (byte === 0xf0) this.utf8Low = 0x90;
        else if (byte === 0xf4) this.utf8High = 0x8f;
      } else {
        this.invalidUtf8();
      }
    }

    if (this.pendingCr) {
      this.pendingCr = false;
      if (byte === LF) {
        this.crlf++;
      } else {
        this.report('cr_line_ending', this.line);
        this.newLine();
        this.endRecord();
      }
    }

    if (byte === LF) {
      this.newLine();
      if (this.state === State.Quoted) {
        // A line break inside a quoted header name is part of the name.
        this.keepHeaderByte(byte);
        return;
      }
      this.lf++;
      this.endRecord();
      return;
    }
    if (++this.lineBytes > this.limits.maxLineBytes - this.recordPrefix && !this.lineTooLongReported) {
      this.lineTooLongReported = true;
      this.report('line_too_long', this.recordStartLine);
    }
    this.keepHeaderByte(byte);

    if (byte === CR) {
      if (this.state !== State.Quoted) this.pendingCr = true;
      return;
    }
    if (kind === CONTROL) {
      this.report(byte === 0 ? 'nul_byte' : 'control_character', this.line, this.field);
      return;
    }
    if (kind === HIGH && this.state === State.FieldStart) {
      this.state = State.Unquoted;
      return;
    }
    if (kind === HIGH || (kind === ORDINARY && byte !== delimiter && byte !== quote)) {
      // A multi-byte character's lead byte, or an ordinary byte reached after a pending CR.
      if (this.state === State.FieldStart) this.state = State.Unquoted;
      else if (this.state === State.QuoteInQuoted) {
        this.report('text_after_quote', this.line, this.field);
        this.state = State.Unquoted;
      }
      return;
    }

    switch (this.state) {
      case State.FieldStart:
        if (byte === quote) {
          this.state = State.Quoted;
          this.quoteOpenedOnLine = this.line;
        } else if (byte === delimiter) {
          this.field++;
        } else {
          this.state = State.Unquoted;
        }
        break;
      case State.Unquoted:
        if (byte === delimiter) {
          this.field++;
          this.state = State.FieldStart;
        } else if (byte === quote && this.strayQuoteReportedAt !== this.line * 4096 + this.field) {
          // One finding per value, however many quotes it holds.
          this.strayQuoteReportedAt = this.line * 4096 + this.field;
          this.report('stray_quote', this.line, this.field);
        }
        break;
      case State.Quoted:
        if (byte === quote) this.state = State.QuoteInQuoted;
        break;
      case State.QuoteInQuoted:
        if (byte === quote) {
          this.state = State.Quoted;
        } else if (byte === delimiter) {
          this.field++;
          this.state = State.FieldStart;
        } else {
          this.report('text_after_quote', this.line, this.field);
          this.state = State.Unquoted;
        }
        break;
    }
  }

  /**
   * The header's bytes, up to HEADER_BYTES_KEPT: a header longer than that names no contract's
   * fields anyway, and a file without line breaks must not be collected byte by byte.
   */
  private keepHeaderByte(byte: number): void {
    if (this.headerBytes !== null && this.headerBytes.length < HEADER_BYTES_KEPT) this.headerBytes.push(byte);
  }

  private invalidUtf8(): void {
    this.utf8Remaining = 0;
    this.utf8Low = 0x80;
    this.utf8High = 0xbf;
    this.utf8C1 = false;
    // One finding per line is plenty: a Latin-1 file has such bytes on most lines.
    if (!this.utf8Reported) {
      this.utf8Reported = true;
      this.report('invalid_utf8', this.line, this.field);
    }
  }

  private newLine(): void {
    if (this.state === State.Quoted) {
      // The record goes on past this line break: its length so far counts against the limit.
      this.recordPrefix += this.lineBytes + 1;
    } else {
      this.recordPrefix = 0;
      this.lineTooLongReported = false;
    }
    this.line++;
    this.lineBytes = 0;
    this.utf8Reported = false;
  }

  /** A record ends at a line break outside quotes (or at the end of the file). */
  private endRecord(): void {
    if (!this.headerDone) {
      this.headerDone = true;
      this.header = decodeHeader(this.headerBytes ?? [], this.delimiter, this.quote);
      this.headerBytes = null;
    } else {
      const shift = this.recordStartLine - (this.records + 2);
      if (shift > 0 && (this.lineShifts.length === 0 || (this.lineShifts[this.lineShifts.length - 1] as [number, number])[1] !== shift)) {
        this.lineShifts.push([this.records, shift]);
      }
      this.records++;
      if (this.field < this.expectedFields) this.report('too_few_columns', this.recordStartLine, this.field);
      else if (this.field > this.expectedFields) this.report('too_many_columns', this.recordStartLine, this.field);
    }
    this.recordStartLine = this.line;
    this.field = 1;
    this.state = State.FieldStart;
  }

  /**
   * Ends the pass. `cut`: the content stopped short of its end (corrupt compressed data), so the
   * last, partial record and the file as a whole are not judged; findings before the cut stand.
   */
  finish(cut = false): StructureResult {
    if (this.head !== null && this.head.length > 0) {
      // A file of one or two bytes that begin a byte order mark but are none.
      const head = this.head;
      this.head = null;
      this.push(head);
    }
    if (!this.stopped && !cut) {
      if (this.utf8Remaining > 0) this.invalidUtf8();
      if (this.pendingCr) {
        // A final bare CR ends the last line; it is a CR-only ending like any other.
        this.pendingCr = false;
        this.report('cr_line_ending', this.line);
        this.newLine();
        this.endRecord();
      } else if (this.state === State.Quoted) {
        this.report('unterminated_quote', this.quoteOpenedOnLine, this.field);
        if (this.lineBytes > 0) this.line++;
      } else if (this.lineBytes > 0 || this.field > 1 || this.state !== State.FieldStart) {
        // The last record has no line break after it: still a record.
        this.newLine();
        this.endRecord();
      }
      if (this.bytes === 0 || (this.bom && this.bytes === 3)) this.report('empty_file', 1);
      else if (this.header !== null && this.records === 0 && !this.counts.unterminated_quote) this.report('header_only', 1);
    }
    return {
      bytes: this.bytes,
      lines: this.line - 1,
      records: this.records,
      header: this.header,
      byteOrderMark: this.bom,
      lineEndings: { lf: this.lf - this.crlf, crlf: this.crlf },
      lineShifts: this.lineShifts,
      counts: this.counts,
      findings: this.findings,
    };
  }
}

const MARKS = [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]];

/** Whether these bytes (fewer than a mark has) may be the start of a byte order mark. */
function couldBeMark(bytes: Uint8Array): boolean {
  return MARKS.some((mark) => bytes.length < mark.length && bytes.every((b, k) => b === mark[k]));
}

/** The header's names: a single record, split on delimiters outside quotes, doubled quotes undone. */
function decodeHeader(bytes: readonly number[], delimiter: number, quote: number): string[] {
  // Only the CR of the header's own CRLF is dropped: one inside a quoted name is part of it.
  const end = bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  const text = Buffer.from(bytes.slice(0, end)).toString('utf8');
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (quoted) {
      if (code === quote && text.charCodeAt(i + 1) === quote) {
        current += text[i];
        i++;
      } else if (code === quote) {
        quoted = false;
      } else {
        current += text[i];
      }
    } else if (code === quote) {
      quoted = true;
    } else if (code === delimiter) {
      names.push(current);
      current = '';
    } else {
      current += text[i];
    }
  }
  names.push(current);
  return names;
}
