/**
 * A small generated state shared by the generator tests of one file: generated once into a
 * temporary folder, read back with a real CSV parser (csv-parse) in each contract's dialect.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { contractFor } from '../../core/contracts/catalog';
import type { Contract } from '../../core/contracts/types';
import type { GenerateOptions } from '../../core/generator';
import { generateToFolder, type GenerationSummary } from '../../adapters/generator/generate-to-folder';

export interface ParsedFile {
  readonly path: string;
  readonly contract: Contract;
  /** The file's text after decompression, byte order mark included. */
  readonly text: string;
  readonly header: string[];
  readonly rows: string[][];
  /** The last line, for a contract with a control trailer (without its line ending). */
  readonly trailer: string | null;
}

export interface GeneratedState {
  readonly dir: string;
  readonly summary: GenerationSummary;
  readonly drops: ParsedFile[];
  /** Truth per dataset id: rows of { file, <primary key>..., person_id }. */
  readonly truth: Map<string, Array<Record<string, string>>>;
  readonly persons: Array<Record<string, string>>;
  remove(): void;
}

export function readText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

export function parseDrop(file: string, contract: Contract): ParsedFile {
  const text = readText(file);
  const terminator = contract.dialect.lineTerminator;
  // A control trailer is the last line, and no record.
  const trailerStart = text.lastIndexOf(terminator, text.length - terminator.length - 1) + terminator.length;
  const trailer = contract.file.trailer === undefined ? null : text.slice(trailerStart, text.length - terminator.length);
  const records = parse(trailer === null ? text : text.slice(0, trailerStart), {
    delimiter: contract.dialect.delimiter,
    quote: contract.dialect.quoteChar,
    escape: contract.dialect.quoteChar,
    bom: true,
    record_delimiter: contract.dialect.lineTerminator,
    relax_column_count: false,
  }) as string[][];
  const [header = [], ...rows] = records;
  return { path: file, contract, text, header, rows, trailer };
}

function parseCsv(file: string): Array<Record<string, string>> {
  return parse(readText(file), { columns: true }) as Array<Record<string, string>>;
}

export async function generateState(options: GenerateOptions, workers = 2): Promise<GeneratedState> {
  const dir = mkdtempSync(path.join(tmpdir(), 'c2c-gen-'));
  const summary = await generateToFolder(options, dir, { workers });
  const drops = summary.files
    .filter((f) => f.kind === 'drop')
    .map((f) => parseDrop(path.join(dir, f.path), contractFor(f.partner as string, f.dataset as string)));
  const truth = new Map(
    summary.files
      .filter((f) => f.kind === 'truth' && f.dataset !== undefined)
      .map((f) => [`${f.partner}/${f.dataset}`, parseCsv(path.join(dir, f.path))]),
  );
  const persons = parseCsv(path.join(dir, 'truth', 'persons.csv'));
  return { dir, summary, drops, truth, persons, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each record of a dataset as field → value, with the true person it belongs to. */
export function recordsOf(state: GeneratedState, datasetId: string): Array<{ personId: string; record: Record<string, string> }> {
  const drops = state.drops.filter((d) => d.contract.id === datasetId);
  const contract = drops[0]?.contract;
  if (!contract) return [];
  const names = contract.schema.fields.map((f) => f.name);
  const keyOf = (file: string, record: Record<string, string>): string => [file, ...contract.schema.primaryKey.map((k) => record[k])].join('\u0000');
  const personByKey = new Map((state.truth.get(datasetId) ?? []).map((t) => [keyOf(t.file as string, t), t.person_id as string]));
  return drops.flatMap((d) => d.rows.map((row) => {
    const record = Object.fromEntries(names.map((n, i) => [n, row[i] as string]));
    const personId = personByKey.get(keyOf(path.basename(d.path), record));
    if (personId === undefined) throw new Error(`no truth for a record of ${datasetId}`);
    return { personId, record };
  }));
}
