/**
 * An independent judge of drop files for the property tests: strict csv-parse (RFC 4180 in the
 * contract's dialect) over strictly decoded UTF-8, then the TypeScript field checkers and a key
 * set. It shares nothing with the validator but the contract and the field checker (which the
 * parity test holds to the SQL rules). Where the file can be read as records, it also computes
 * the exact field-rule and duplicate-key findings the validator must report: counts per rule,
 * and the first examples of each (rule, physical line, field).
 *
 * Deliberate leniencies, shared with the validator: LF and CRLF line ends are both line ends
 * (whatever the contract's lineTerminator; RFC 4180 says CRLF, real files use both); a UTF-8
 * byte order mark is allowed whatever the contract says; quoting more than needed is allowed.
 */
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { compileFieldChecker } from '../../core/contracts/field-check';
import type { Contract } from '../../core/contracts/types';

export interface OracleFinding {
  readonly rule: string;
  readonly line: number;
  readonly field?: string;
}

export interface OracleVerdict {
  readonly accepted: boolean;
  /** Why the file is rejected, in words. */
  readonly reason?: string;
  /** For a file read as records (name, bytes, structure and header all fine): the value findings. */
  readonly values?: {
    readonly records: number;
    readonly counts: Readonly<Record<string, number>>;
    readonly examples: readonly OracleFinding[];
  };
}

/** C0 controls but tab, LF and CR; DEL; the C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly bytes: number };
}

export function judge(contract: Contract, name: string, bytes: Buffer, examplesPerRule = 10): OracleVerdict {
  const reject = (reason: string): OracleVerdict => ({ accepted: false, reason });
  if (!new RegExp(contract.file.namePattern).test(name)) return reject('file name');

  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let content = bytes;
  if (contract.file.compression === 'gzip') {
    if (bytes.length === 0) return reject('empty');
    if (!gzip) return reject('not gzip');
    try {
      const { buffer, engine } = gunzipSync(bytes, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      // zlib ignores zero bytes after the last member; they are no gzip data all the same.
      if (engine.bytesWritten !== bytes.length) return reject('bytes after the gzip data');
      content = buffer;
    } catch {
      return reject('corrupt gzip');
    }
  } else if (gzip) {
    return reject('unexpected gzip');
  }

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
  } catch {
    return reject('not UTF-8');
  }
  if (text.replace(/^\ufeff/u, '').length === 0) return reject('empty');
  if (CONTROL.test(text)) return reject('control character');
  if (contract.file.trailer !== undefined) {
    // The last line is the control trailer, stating the number of records.
    const body = text.replace(/\r?\n$/u, '');
    const trailerLine = body.slice(body.lastIndexOf('\n') + 1).replace(/\r$/u, '');
    const [before, after] = contract.file.trailer.split('{records}') as [string, string];
    const match = new RegExp(`^${escapeRegExp(before)}(\\d+)${escapeRegExp(after)}$`, 'u').exec(trailerLine);
    if (!match || body.lastIndexOf('\n') < 0) return reject('no trailer');
    text = body.slice(0, body.lastIndexOf('\n') + 1);
    const records = Number(match[1]);
    const judged = judgeRecords(contract, text, content.subarray(0, Buffer.byteLength(text, 'utf8')), examplesPerRule);
    if (judged.accepted === false && judged.values === undefined) return judged;
    if (judged.values && judged.values.records !== records) return reject('trailer count');
    return judged;
  }
  return judgeRecords(contract, text, content, examplesPerRule);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The file's text as records in the contract's dialect: the verdict, and the value findings of a file read as records. */
function judgeRecords(contract: Contract, text: string, content: Buffer, examplesPerRule: number): OracleVerdict {
  const reject = (reason: string): OracleVerdict => ({ accepted: false, reason });

  const { delimiter, quoteChar } = contract.dialect;
  let bareCr = false;
  let parsed: ParsedRecord[];
  try {
    parsed = parse(text, {
      delimiter, quote: quoteChar, escape: quoteChar, bom: true,
      record_delimiter: ['\r\n', '\n'], relax_quotes: false, relax_column_count: false, skip_empty_lines: false,
      info: true,
      // A CR outside quotes that is not part of CRLF ends a line (classic Mac) rather than being text.
      cast: (value, context) => {
        if (!context.quoting && value.includes('\r')) bareCr = true;
        return value;
      },
    }) as unknown as ParsedRecord[];
  } catch (error) {
    return reject(`csv-parse: ${(error as Error).message.split('\n')[0]}`);
  }
  if (bareCr) return reject('bare CR line ending');

  const names = contract.schema.fields.map((f) => f.name);
  const [header, ...rows] = parsed;
  if (!header || header.record.join('\u0000') !== names.join('\u0000')) return reject('header');
  if (rows.length === 0) return reject('header only');

  // Physical line of each record: one plus the line feeds before its first byte.
  const lineAt = lineNumbers(content);
  const starts = [header.info.bytes, ...rows.map((r) => r.info.bytes)];
  const checks = contract.schema.fields.map((f) => compileFieldChecker(f, contract.schema.missingValues));
  const order = names.map((n, i) => [n, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const counts: Record<string, number> = {};
  const fieldExamples: OracleFinding[] = [];
  const seen = new Map<string, number[]>();
  const keyIndexes = contract.schema.primaryKey.map((k) => names.indexOf(k));
  rows.forEach((row, r) => {
    const line = lineAt(starts[r] as number);
    for (const [field, i] of order) {
      const violation = (checks[i] as (t: string) => { rule: string } | null)(row.record[i] as string);
      if (!violation) continue;
      counts[violation.rule] = (counts[violation.rule] ?? 0) + 1;
      if ((counts[violation.rule] as number) <= examplesPerRule) fieldExamples.push({ rule: violation.rule, line, field });
    }
    // A key with a missing part (already a 'required' violation) equals no other: SQL's NULL.
    const key = keyIndexes.map((i) => row.record[i] as string);
    if (key.some((part) => contract.schema.missingValues.includes(part))) return;
    seen.set(JSON.stringify(key), [...(seen.get(JSON.stringify(key)) ?? []), line]);
  });
  const groups = [...seen.values()].filter((lines) => lines.length > 1);
  const duplicates = groups.reduce((n, lines) => n + lines.length - 1, 0);
  if (duplicates > 0) counts.duplicate_key = duplicates;
  const keyExamples = groups.sort((a, b) => (a[0] as number) - (b[0] as number)).slice(0, examplesPerRule)
    .map((lines) => ({ rule: 'duplicate_key', line: lines[1] as number }));
  const examples = [...fieldExamples, ...keyExamples].sort((a, b) => a.line - b.line);
  const accepted = Object.keys(counts).length === 0;
  return { accepted, ...(accepted ? {} : { reason: `values: ${Object.keys(counts).join(', ')}` }), values: { records: rows.length, counts, examples } };
}

/** The 1-based line of a byte offset: one plus the line feeds before it. */
function lineNumbers(content: Buffer): (offset: number) => number {
  const feeds: number[] = [];
  for (let i = content.indexOf(0x0a); i >= 0; i = content.indexOf(0x0a, i + 1)) feeds.push(i);
  return (offset) => {
    let low = 0;
    let high = feeds.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((feeds[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}
