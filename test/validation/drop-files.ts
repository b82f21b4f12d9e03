/**
 * Drop files for the validation tests, built from a contract: valid records from each field's
 * constraints (fast-check arbitraries, or a fixed sample of them), written in the contract's
 * dialect with compileRecordFormatter, then corrupted by the tests. Also a temporary folder that
 * hands out DropFiles, and the texts of a file's PII fields (for "never in clear" checks).
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { allContracts } from '../../core/contracts/catalog';
import { compileFieldChecker } from '../../core/contracts/field-check';
import { compileRecordFormatter, type FieldValue } from '../../core/contracts/record-format';
import type { Contract, FieldDefinition } from '../../core/contracts/types';
import type { DropFile } from '../../core/validation/validate';

export function contractById(id: string): Contract {
  const contract = allContracts().find((c) => c.id === id);
  if (!contract) throw new Error(`no contract ${id}`);
  return contract;
}

/** A file name each contract's namePattern accepts. */
export const VALID_NAMES: Readonly<Record<string, string>> = {
  'cde/k12_enrollment': 'k12_enrollment_2023-24.txt',
  'cde/k12_graduation': 'k12_graduation.txt',
  'cde/k12_staff': 'k12_staff_2023-24.txt',
  'cccco/cc_enrollment': 'cc_enrollment.csv',
  'cccco/cc_awards': 'cc_awards.csv',
  'csu/csu_enrollment': 'csu_enrollment.txt',
  'csu/csu_degrees': 'csu_degrees.txt',
  'uc/uc_enrollment': 'uc_enrollment.csv',
  'uc/uc_degrees': 'uc_degrees.csv',
  'aiccu/private_enrollment': 'private_enrollment.csv',
  'csac/cal_grant_awards': 'cal_grant_awards.csv',
  'ctc/credentials': 'credentials.txt',
  'edd/ui_wages': 'ui_wages_2023.csv.gz',
  'dss/calfresh': 'calfresh.csv',
  'dhcs/medi_cal': 'medi_cal.txt',
};

/**
 * Names long and unusual enough that finding one in a report can only mean it leaked (a short
 * name such as "Ann" could be part of any message).
 */
export const DISTINCT_NAMES = [
  'Nguyen', 'García', 'Okafor', 'Zúñiga', "O'Brien", 'Smith-Jones', 'Đặng Thị', 'Müller', 'Yamamoto',
  'Kowalczyk', 'Fitzgerald', 'Abernathy', 'Villaseñor', 'Oyelaran', 'Haraldsdóttir', 'Przybylski',
];

/** Characters that make a CSV writer work: delimiters, quotes, line breaks, non-ASCII. */
const AWKWARD_CHARS = [...'abcXYZ019 \'-.,;|\t"\n\r#=+@éÑßø', '漢', '🦆', '\u0301'];

const DAY_MS = 86_400_000;
const isoDay = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const dayIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

export interface ValueOptions {
  /** Free text only from DISTINCT_NAMES (hostile corpus), or also awkward strings (property tests). */
  readonly awkwardText?: boolean;
}

/** Valid values for one field: every value passes the field's checker. */
export function fieldValueArbitrary(field: FieldDefinition, contract: Contract, options: ValueOptions = {}): fc.Arbitrary<FieldValue> {
  const c = field.constraints ?? {};
  const check = compileFieldChecker(field, contract.schema.missingValues);
  const formatter = compileRecordFormatter(contract);
  const index = contract.schema.fields.indexOf(field);
  const valid = (value: FieldValue): boolean => {
    const values: FieldValue[] = contract.schema.fields.map(() => null);
    values[index] = value;
    return check(formatter.texts(values)[index] as string) === null;
  };
  let value: fc.Arbitrary<FieldValue>;
  switch (field.type) {
    case 'boolean':
      value = fc.boolean();
      break;
    case 'date': {
      const min = isoDay(typeof c.minimum === 'string' ? c.minimum : '1980-01-01');
      const max = isoDay(typeof c.maximum === 'string' ? c.maximum : '2030-12-31');
      value = fc.integer({ min, max }).map(dayIso);
      break;
    }
    case 'integer':
      value = fc.integer({ min: typeof c.minimum === 'number' ? c.minimum : -1000, max: typeof c.maximum === 'number' ? c.maximum : 1_000_000 }).map(String);
      break;
    case 'number': {
      const min = typeof c.minimum === 'number' ? c.minimum : -1000;
      const max = typeof c.maximum === 'number' ? c.maximum : 1_000_000;
      value = fc.oneof(
        fc.integer({ min: Math.ceil(min), max: Math.floor(max) }).map(String),
        fc.integer({ min: Math.ceil(min * 100), max: Math.floor(max * 100) }).map((cents) => (cents / 100).toFixed(2)),
      );
      break;
    }
    case 'string':
      if (c.enum) value = fc.constantFrom(...c.enum);
      else if (c.pattern !== undefined) value = fc.stringMatching(new RegExp(`^(?:${c.pattern})$`));
      else if (options.awkwardText) {
        value = fc.oneof(
          fc.constantFrom(...DISTINCT_NAMES),
          fc.string({ unit: fc.constantFrom(...AWKWARD_CHARS), minLength: 1, maxLength: c.maxLength ?? 50 }),
        );
      } else value = fc.constantFrom(...DISTINCT_NAMES);
      break;
  }
  value = value.filter(valid);
  return c.required ? value : fc.option(value, { nil: null, freq: 4 });
}

/** A valid record: values in contract field order. */
export function recordArbitrary(contract: Contract, options: ValueOptions = {}): fc.Arbitrary<FieldValue[]> {
  return fc.tuple(...contract.schema.fields.map((f) => fieldValueArbitrary(f, contract, options)));
}

/** Valid records whose primary keys are all different. */
export function recordsArbitrary(contract: Contract, size: { minLength: number; maxLength: number }, options: ValueOptions = {}): fc.Arbitrary<FieldValue[][]> {
  const formatter = compileRecordFormatter(contract);
  const keyIndexes = contract.schema.primaryKey.map((name) => contract.schema.fields.findIndex((f) => f.name === name));
  return fc.uniqueArray(recordArbitrary(contract, options), {
    ...size,
    selector: (record) => {
      const texts = formatter.texts(record);
      return JSON.stringify(keyIndexes.map((i) => texts[i]));
    },
  });
}

/** A fixed sample of `count` valid records with distinct keys, as field texts (before quoting). */
export function sampleTexts(contract: Contract, count: number, seed = 7): string[][] {
  const [records] = fc.sample(recordsArbitrary(contract, { minLength: count, maxLength: count }), { seed, numRuns: 1 });
  const formatter = compileRecordFormatter(contract);
  return (records as FieldValue[][]).map((r) => formatter.texts(r));
}

export function fieldIndex(contract: Contract, name: string): number {
  const i = contract.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`${contract.id} has no field ${name}`);
  return i;
}

/**
 * Every text of the contract's PII fields in these records that is long enough to be told apart
 * from a report's own words, and that no non-PII field of the file holds too (those may be shown).
 */
function piiTexts(contract: Contract, texts: ReadonlyArray<readonly string[]>): string[] {
  const fields = contract.schema.fields;
  const open = new Set(texts.flatMap((t) => t.filter((_v, i) => !fields[i]?.pii)));
  const pii = new Set(texts.flatMap((t) => t.filter((_v, i) => fields[i]?.pii)));
  return [...pii].filter((text) => [...text].length >= 4 && !open.has(text));
}

export interface Layout {
  /** Line terminator of every line (default: the contract's); `\r` writes classic Mac files. */
  readonly terminator?: '\n' | '\r\n' | '\r';
  /** Quote every value (`all`) or only those that need it (`minimal`); default: the contract's. */
  readonly quoting?: 'minimal' | 'all';
  /** A UTF-8 byte order mark first. */
  readonly bom?: boolean;
  /** Leave the last line without its terminator. */
  readonly noFinalNewline?: boolean;
  /**
   * For a contract with a control trailer: the last line's text instead of the right trailer
   * (default), or false for none.
   */
  readonly trailer?: string | false;
}

/** One line of a draft: field texts (quoted and joined on output), or raw bytes with their terminator. */
type DraftLine = string[] | Buffer;

/**
 * A file being built: valid records first, then edits. Values set with `set` are quoted as the
 * dialect says; values set with `raw`, and lines set with `line`, go into the file byte for byte.
 */
export class Draft {
  readonly lines: DraftLine[];
  private readonly raws: Buffer[] = [];

  constructor(readonly contract: Contract, count: number, seed = 7) {
    this.lines = [contract.schema.fields.map((f) => f.name), ...sampleTexts(contract, count, seed)];
  }

  /** Record `record` (1-based; line `record + 1` without multi-line values). */
  texts(record: number): string[] {
    const line = this.lines[record];
    if (!Array.isArray(line)) throw new Error(`record ${record} is raw`);
    return line;
  }

  get(record: number, field: string): string {
    return this.texts(record)[fieldIndex(this.contract, field)] as string;
  }

  set(record: number, field: string, text: string): this {
    this.texts(record)[fieldIndex(this.contract, field)] = text;
    return this;
  }

  /** The value's bytes exactly as given, unquoted: for stray quotes, bad bytes, extra delimiters. */
  raw(record: number, field: string, bytes: string | Buffer): this {
    this.raws.push(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    return this.set(record, field, `\u{E000}${this.raws.length - 1}\u{E001}`);
  }

  /** Replaces a whole line (0 is the header) by raw text, terminator included. */
  line(index: number, text: string | Buffer): this {
    this.lines[index] = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    return this;
  }

  /** The PII texts the file holds in PII fields (raw values as their UTF-8 text). */
  get pii(): string[] {
    // A header, even a broken one, is mostly field names; records hold none.
    const names = new Set(this.contract.schema.fields.map((f) => f.name));
    const isHeader = (line: string[]): boolean => line.filter((t) => names.has(t)).length * 2 >= line.length;
    const texts = this.lines.filter((l): l is string[] => Array.isArray(l) && !isHeader(l))
      .map((t) => t.map((v) => v.replace(/\u{E000}(\d+)\u{E001}/gu, (_m, i: string) => (this.raws[Number(i)] as Buffer).toString('utf8'))));
    return piiTexts(this.contract, texts);
  }

  bytes(layout: Layout = {}): Buffer {
    const dialect = {
      ...this.contract.dialect,
      ...(layout.quoting ? { quoting: layout.quoting } : {}),
      ...(layout.terminator ? { lineTerminator: layout.terminator as '\n' } : {}),
    };
    const formatter = compileRecordFormatter({ ...this.contract, dialect });
    const lines = this.lines.map((line) => (Array.isArray(line) ? this.resolve(formatter.line(line)) : line));
    const template = this.contract.file.trailer;
    if (template !== undefined && layout.trailer !== false) {
      const text = layout.trailer ?? template.replace('{records}', String(this.lines.length - 1));
      lines.push(Buffer.from(`${text}${dialect.lineTerminator}`, 'utf8'));
    }
    if (layout.noFinalNewline) {
      const last = lines[lines.length - 1] as Buffer;
      lines[lines.length - 1] = last.subarray(0, last.length - dialect.lineTerminator.length);
    }
    return Buffer.concat([...(layout.bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : []), ...lines]);
  }

  private resolve(text: string): Buffer {
    const pieces = text.split(/\u{E000}(\d+)\u{E001}/u);
    return Buffer.concat(pieces.map((piece, i) => (i % 2 === 1 ? (this.raws[Number(piece)] as Buffer) : Buffer.from(piece, 'utf8'))));
  }
}

/** A DropFile over a file on disk, read in chunks of `chunkSize` bytes (default: the stream's own). */
export function dropFile(localPath: string, name: string, chunkSize?: number): DropFile {
  return {
    name,
    localPath,
    read: () => (chunkSize === undefined ? createReadStream(localPath) : createReadStream(localPath, { highWaterMark: chunkSize })),
  };
}

/** A temporary folder of drop files, removed by `remove()`. */
export class DropFolder {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'c2c-drops-'));
  private next = 0;

  /** Writes the bytes under a fresh sub-folder (so any name may repeat) and returns the drop. */
  write(name: string, bytes: Uint8Array | string, chunkSize?: number): DropFile {
    const folder = path.join(this.dir, String(this.next++));
    mkdirSync(folder);
    const localPath = path.join(folder, name);
    writeFileSync(localPath, bytes);
    return dropFile(localPath, name, chunkSize);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
