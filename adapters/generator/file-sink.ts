/**
 * Writes a generated state to a folder: `drops/<partner>/<dataset>/<file>` in each contract's
 * dialect (gzip where the contract says so), the truth in `truth/`, and `generation.json`
 * listing every file with its row count. Output is buffered and written with backpressure, so
 * memory stays flat however many people are generated.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { compileRecordFormatter, type FieldValue, type RecordFormatter } from '../../core/contracts/record-format';
import type { Contract, CsvDialect } from '../../core/contracts/types';
import { PERSON_TRUTH_COLUMNS, type TruthSink } from '../../core/generator';

const FLUSH_AT = 1 << 18;
const TRUTH_DIALECT: CsvDialect = {
  delimiter: ',', quoteChar: '"', doubleQuote: true, header: true, lineTerminator: '\n', quoting: 'minimal', encoding: 'utf-8', byteOrderMark: false,
};

export interface GeneratedFile {
  /** Path relative to the output folder, with forward slashes. */
  readonly path: string;
  readonly kind: 'drop' | 'truth';
  readonly partner?: string;
  readonly dataset?: string;
  readonly rows: number;
}

class OutputFile {
  rows = 0;
  private pending = '';
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;

  constructor(readonly relativePath: string, absolutePath: string, compress: boolean, preamble: string) {
    mkdirSync(path.dirname(absolutePath), { recursive: true });
    this.file = createWriteStream(absolutePath);
    this.gzip = compress ? createGzip() : null;
    this.gzip?.pipe(this.file);
    this.pending = preamble;
  }

  append(line: string): void {
    this.pending += line;
    this.rows++;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  private get sink(): Writable {
    return this.gzip ?? this.file;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.sink.write(this.pending);
    this.pending = '';
  }

  /** Waits until the stream has taken what it was given (asked afresh: a drain may already have passed). */
  async drain(): Promise<void> {
    if (this.sink.writableNeedDrain) await once(this.sink, 'drain');
  }

  async close(): Promise<void> {
    this.flush();
    const closed = once(this.file, 'close');
    this.sink.end();
    await closed;
  }
}

/** A truth "contract" for one dataset: the file name, the dataset's primary key, the true person. */
function truthContract(contract: Contract): { formatter: RecordFormatter; keyIndexes: number[] } {
  const keyIndexes = contract.schema.primaryKey.map((k) => contract.schema.fields.findIndex((f) => f.name === k));
  const fields = ['file', ...contract.schema.primaryKey, 'person_id'].map((name) => ({ name, type: 'string' as const, description: name }));
  const formatter = compileRecordFormatter({
    ...contract, id: `truth/${contract.id}`, dialect: TRUTH_DIALECT, schema: { fields, primaryKey: ['file'], missingValues: [''] },
  });
  return { formatter, keyIndexes };
}

export class FolderSink implements TruthSink {
  private readonly files = new Map<string, OutputFile>();
  private readonly formatters = new Map<string, { drop: RecordFormatter; truth: ReturnType<typeof truthContract> }>();
  private readonly meta = new Map<string, Pick<GeneratedFile, 'kind' | 'partner' | 'dataset'>>();
  private readonly persons: OutputFile;

  private constructor(readonly root: string) {
    this.persons = this.open('truth/persons.csv', false, PERSON_TRUTH_COLUMNS.join(',') + '\n', { kind: 'truth' });
  }

  static async create(root: string): Promise<FolderSink> {
    await mkdir(root, { recursive: true });
    return new FolderSink(root);
  }

  private open(relativePath: string, compress: boolean, preamble: string, meta: Pick<GeneratedFile, 'kind' | 'partner' | 'dataset'>): OutputFile {
    const file = new OutputFile(relativePath, path.join(this.root, relativePath), compress, preamble);
    this.files.set(relativePath, file);
    this.meta.set(relativePath, meta);
    return file;
  }

  private fileFor(relativePath: string, contract: Contract, header: string, kind: 'drop' | 'truth'): OutputFile {
    const existing = this.files.get(relativePath);
    if (existing) return existing;
    const compress = kind === 'drop' && contract.file.compression === 'gzip';
    const bom = kind === 'drop' && contract.dialect.byteOrderMark ? '\ufeff' : '';
    return this.open(relativePath, compress, bom + header, { kind, partner: contract.partner, dataset: contract.dataset });
  }

  private formattersFor(contract: Contract): { drop: RecordFormatter; truth: ReturnType<typeof truthContract> } {
    let entry = this.formatters.get(contract.id);
    if (!entry) {
      entry = { drop: compileRecordFormatter(contract), truth: truthContract(contract) };
      this.formatters.set(contract.id, entry);
    }
    return entry;
  }

  person(values: readonly string[]): void {
    this.persons.append(values.join(',') + '\n');
  }

  record(contract: Contract, fileName: string, values: readonly FieldValue[], personId: string): void {
    const { drop, truth } = this.formattersFor(contract);
    const dropPath = `drops/${contract.partner}/${contract.dataset}/${fileName}`;
    const texts = drop.texts(values);
    this.fileFor(dropPath, contract, drop.header, 'drop').append(drop.line(texts));
    const truthPath = `truth/${contract.partner}/${contract.dataset}.csv`;
    const key = truth.keyIndexes.map((i) => texts[i] as string);
    this.fileFor(truthPath, contract, truth.formatter.header, 'truth').append(truth.formatter.line([fileName, ...key, personId]));
  }

  async drain(): Promise<void> {
    for (const file of this.files.values()) await file.drain();
  }

  /** Closes every file and returns what was written, in path order. */
  async close(): Promise<GeneratedFile[]> {
    for (const file of this.files.values()) await file.close();
    return [...this.files.values()]
      .map((f) => ({ path: f.relativePath, rows: f.rows, ...this.meta.get(f.relativePath) } as GeneratedFile))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}
