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
 *
 * While the file is sound, the pass also hands each record to a RecordSink as byte ranges, so the
 * values are checked in the same single reading of the file.
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

/** A value's quoting, in RecordSink's `quoting`: quoted, and holding a doubled (escaped) quote. */
export const QUOTED = 1;
export const DOUBLED_QUOTE = 2;

/** Receives every record of a file whose structure has been sound up to and including it. */
export interface RecordSink {
  /**
   * One record after the header, with exactly the contract's number of values: value k is
   * `bytes[origin + (k === 0 ? 0 : ends[k - 1] + 1), origin + ends[k])`, its quotes included,
   * and `quoting[k]` has QUOTED and DOUBLED_QUOTE bits. `line` is the record's first physical
   * line. The arrays are reused for the next record: read them before returning.
   */
  record(bytes: Uint8Array, origin: number, ends: Int32Array, quoting: Uint8Array, line: number): void;
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
  /** No structural finding yet: records still go to the sink. */
  private sound = true;
  /** Where the current record's values end, relative to its first byte, and how they are quoted. */
  private readonly ends: Int32Array;
  private readonly quoting: Uint8Array;
  private recordQuoted = false;
  /**
   * The index in the current chunk of the current record's first byte; negative when the record
   * began in an earlier chunk, whose part of it is held in `carry`.
   */
  private origin = 0;
  // A Buffer, like the chunks, so the value checks see one kind of array.
  private carry: Uint8Array = Buffer.alloc(1 << 12);
  private carryLength = 0;
  /** The chunk being pushed and the index of the byte being read, for the slow path. */
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** The record ending at this LF ended with CRLF. */
  private crBeforeLf = false;

  constructor(
    dialect: CsvDialect,
    private readonly expectedFields: number,
    private readonly limits: StructureLimits = DEFAULT_STRUCTURE_LIMITS,
    private readonly sink: RecordSink | null = null,
  ) {
    this.ends = new Int32Array(expectedFields);
    this.quoting = new Uint8Array(expectedFields);
    this.delimiter = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quoteChar.charCodeAt(0);
    for (let b = 0; b < 0x20; b++) this.classes[b] = CONTROL;
    this.classes[0x7f] = CONTROL;
    for (let b = 0x80; b < 0x100; b++) this.classes[b] = HIGH;
    this.classes[TAB] = ORDINARY;
    for (const b of [LF, CR, this.delimiter, this.quote]) this.classes[b] = SPECIAL;
  }

  private report(rule: StructureRule, line: number, column?: number): void {
    this.sound = false;
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
    const { ends, quoting, sink } = this;
    let origin = this.origin;
    this.chunk = chunk;
    // A record may span lines (quoted line breaks): the limit is on the whole record.
    let lineLimit = maxLineBytes - this.recordPrefix;
    const end = chunk.length;
    for (; i < end; i++) {
      const byte = chunk[i] as number;
      const kind = classes[byte] as number;
      if (fast && lineBytes < lineLimit) {
        if (kind === ORDINARY && state !== State.QuoteInQuoted) {
          if (state === State.FieldStart) state = State.Unquoted;
          // The rest of the run of ordinary bytes, up to the line's limit (the byte past it is the slow path's to report).
          let next = i + 1;
          const stop = Math.min(end, i + lineLimit - lineBytes);
          while (next < stop && classes[chunk[next] as number] === ORDINARY) next++;
          lineBytes += next - i;
          i = next - 1;
          continue;
        } else if (byte === delimiter && state !== State.Quoted) {
          lineBytes++;
          if (field <= expectedFields) ends[field - 1] = i - origin;
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
            if (field <= expectedFields) quoting[field - 1] |= DOUBLED_QUOTE;
            continue;
          }
          if (state === State.FieldStart) {
            lineBytes++;
            state = State.Quoted;
            this.quoteOpenedOnLine = line;
            if (field <= expectedFields) quoting[field - 1] = QUOTED;
            this.recordQuoted = true;
            continue;
          }
        } else if (byte === LF && state !== State.Quoted && field === expectedFields && line === records + 2 && this.lineShifts.length === 0) {
          // The common end of a record: the right number of values, no value spanned lines.
          if (sink !== null && this.sound) {
            this.origin = origin;
            this.deliver(i - origin, line);
          }
          if (this.recordQuoted) this.clearQuoting();
          origin = i + 1;
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
      this.origin = origin;
      this.at = i;
      this.slowByte(byte, kind);
      origin = this.origin;
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
    this.origin = origin;
    this.carryRecord(end);
  }

  /**
   * Keeps the bytes of the record in progress at the end of a chunk (at most a line's limit:
   * a longer record is a finding, and ends the sink's part).
   */
  private carryRecord(end: number): void {
    if (this.sink === null || !this.sound || !this.headerDone) return;
    const from = Math.max(this.origin, 0);
    if (this.origin >= 0) this.carryLength = 0;
    this.keepInCarry(this.chunk.subarray(from, end));
    this.origin = -this.carryLength;
  }

  private keepInCarry(bytes: Uint8Array): void {
    const needed = this.carryLength + bytes.length;
    if (needed > this.carry.length) {
      const grown = Buffer.alloc(Math.max(needed, this.carry.length * 2));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(bytes, this.carryLength);
    this.carryLength = needed;
  }

  /** Hands the record that ends at `end` (relative to its first byte) to the sink. */
  private deliver(end: number, line: number): void {
    const sink = this.sink as RecordSink;
    this.ends[this.expectedFields - 1] = end;
    if (this.carryLength === 0) {
      sink.record(this.chunk, this.origin, this.ends, this.quoting, line);
    } else {
      // The record began in an earlier chunk: its bytes in this one join the carried ones.
      this.keepInCarry(this.chunk.subarray(0, Math.max(0, end - this.carryLength)));
      sink.record(this.carry, 0, this.ends, this.quoting, line);
      this.carryLength = 0;
    }
  }

  private clearQuoting(): void {
    this.quoting.fill(0);
    this.recordQuoted = false;
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
        this.crBeforeLf = true;
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
      this.crBeforeLf = false;
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
          this.markQuoting(QUOTED);
        } else if (byte === delimiter) {
          this.endValue();
        } else {
          this.state = State.Unquoted;
        }
        break;
      case State.Unquoted:
        if (byte === delimiter) {
          this.endValue();
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
          this.markQuoting(DOUBLED_QUOTE);
        } else if (byte === delimiter) {
          this.endValue();
          this.state = State.FieldStart;
        } else {
          this.report('text_after_quote', this.line, this.field);
          this.state = State.Unquoted;
        }
        break;
    }
  }

  /** A delimiter at `at` ends the current value. */
  private endValue(): void {
    if (this.field <= this.expectedFields) this.ends[this.field - 1] = this.at - this.origin;
    this.field++;
  }

  private markQuoting(bit: number): void {
    if (this.field > this.expectedFields) return;
    this.quoting[this.field - 1] = bit === QUOTED ? QUOTED : (this.quoting[this.field - 1] as number) | bit;
    this.recordQuoted = true;
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
      // The record ends at the LF being read (or, at the end of the file, after the last byte); a CR before it is the line's ending.
      else if (this.sink !== null && this.sound) this.deliver(this.at - this.origin - (this.crBeforeLf ? 1 : 0), this.recordStartLine);
    }
    if (this.recordQuoted) this.clearQuoting();
    this.origin = this.at + 1;
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
        // The last record has no line break after it: still a record, all of it carried.
        this.chunk = new Uint8Array(0);
        this.at = 0;
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
