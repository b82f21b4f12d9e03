/**
 * Collects one block of generated people in memory, file by file, and hands it over as bytes:
 * gzip members for compressed files, UTF-8 for the rest. Since every block ends its own gzip
 * member, files built from blocks are byte-identical however the blocks were spread over workers.
 */
import { gzipSync } from 'node:zlib';
import { compileRecordFormatter, type FieldValue, type RecordFormatter } from '../../core/contracts/record-format';
import type { Contract, CsvDialect } from '../../core/contracts/types';
import { PERSON_TRUTH_COLUMNS, type TruthSink } from '../../core/generator';

export interface OutputFileDescription {
  /** Path relative to the output folder, with forward slashes. */
  readonly path: string;
  readonly kind: 'drop' | 'truth';
  readonly partner?: string;
  readonly dataset?: string;
  readonly compress: boolean;
  /** What the file starts with before its first row: byte order mark and header. */
  readonly preamble: string;
}

export interface BlockOutput {
  readonly file: OutputFileDescription;
  readonly bytes: Buffer;
  readonly rows: number;
}

const TRUTH_DIALECT: CsvDialect = {
  delimiter: ',', quoteChar: '"', doubleQuote: true, header: true, lineTerminator: '\n', quoting: 'minimal', encoding: 'utf-8', byteOrderMark: false,
};

export const PERSON_TRUTH_FILE: OutputFileDescription = {
  path: 'truth/persons.csv', kind: 'truth', compress: false, preamble: PERSON_TRUTH_COLUMNS.join(',') + '\n',
};

/**
 * A file's rows for the current block, encoded as they come into a reused byte buffer: building
 * one long string instead made garbage collection and UTF-8 flattening a third of the run time.
 */
class Buffered {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  /** Lines not yet encoded: encoding a few kilobytes at a time costs far less than line by line. */
  private pending = '';
  rows = 0;
  /** For a drop file: the start of its records' truth lines (the file name, encoded once). */
  truthPrefix = '';

  constructor(readonly file: OutputFileDescription) {}

  append(line: string): void {
    this.pending += line;
    this.rows++;
    if (this.pending.length >= 8192) this.encodePending();
  }

  private encodePending(): void {
    const worst = this.pending.length * 3;
    if (this.length + worst > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + worst));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(this.pending, this.length, 'utf8');
    this.pending = '';
  }

  /** The block's bytes (gzip member or plain), then empty for the next block. */
  take(): BlockOutput {
    this.encodePending();
    const content = this.bytes.subarray(0, this.length);
    const output = { file: this.file, rows: this.rows, bytes: this.file.compress ? compress(content) : Buffer.from(content) };
    this.length = 0;
    this.rows = 0;
    return output;
  }
}

interface DatasetOutputs {
  readonly drop: RecordFormatter;
  readonly truth: RecordFormatter;
  /** Positions of the primary key fields: the truth identifies a record by file and key. */
  readonly keyIndexes: readonly number[];
  readonly truthFile: Buffered;
  readonly dropFiles: Map<string, Buffered>;
}

export class BlockSink implements TruthSink {
  private readonly datasets = new Map<Contract, DatasetOutputs>();
  private readonly buffers: Buffered[] = [];
  private readonly persons = this.buffer(PERSON_TRUTH_FILE);

  private buffer(file: OutputFileDescription): Buffered {
    const entry = new Buffered(file);
    this.buffers.push(entry);
    return entry;
  }

  private outputs(contract: Contract): DatasetOutputs {
    let outputs = this.datasets.get(contract);
    if (!outputs) {
      const truthFields = ['file', ...contract.schema.primaryKey, 'person_id'].map((name) => ({ name, type: 'string' as const, description: name }));
      const truth = compileRecordFormatter({
        ...contract, id: `truth/${contract.id}`, dialect: TRUTH_DIALECT, schema: { fields: truthFields, primaryKey: ['file'], missingValues: [''] },
      });
      const compress = contract.file.compression === 'gzip';
      outputs = {
        drop: compileRecordFormatter(contract),
        truth,
        keyIndexes: contract.schema.primaryKey.map((k) => contract.schema.fields.findIndex((f) => f.name === k)),
        truthFile: this.buffer({
          path: `truth/${contract.partner}/${contract.dataset}.csv${compress ? '.gz' : ''}`, kind: 'truth',
          partner: contract.partner, dataset: contract.dataset, compress, preamble: truth.header,
        }),
        dropFiles: new Map(),
      };
      this.datasets.set(contract, outputs);
    }
    return outputs;
  }

  person(values: readonly string[]): void {
    this.persons.append(values.join(',') + '\n');
  }

  record(contract: Contract, fileName: string, values: readonly FieldValue[], personId: string): void {
    const outputs = this.outputs(contract);
    let drop = outputs.dropFiles.get(fileName);
    if (!drop) {
      drop = this.buffer({
        path: `drops/${contract.partner}/${contract.dataset}/${fileName}`, kind: 'drop', partner: contract.partner, dataset: contract.dataset,
        compress: contract.file.compression === 'gzip', preamble: (contract.dialect.byteOrderMark ? '\ufeff' : '') + outputs.drop.header,
      });
      drop.truthPrefix = outputs.truth.encode(fileName) + ',';
      outputs.dropFiles.set(fileName, drop);
    }
    const texts = outputs.drop.texts(values);
    drop.append(outputs.drop.line(texts));
    let truthLine = drop.truthPrefix;
    for (const i of outputs.keyIndexes) truthLine += outputs.truth.encode(texts[i] as string) + ',';
    outputs.truthFile.append(truthLine + personId + '\n');
  }

  /** The block's bytes per file (files without rows in this block are left out), and a fresh start. */
  take(): BlockOutput[] {
    return this.buffers.filter((entry) => entry.rows > 0).map((entry) => entry.take());
  }
}

/** Level 1: on wage files it was within 2% of the default level's size at a fraction of the CPU. */
function compress(content: Uint8Array): Buffer {
  return gzipSync(content, { level: 1 });
}

/** A file's preamble as bytes: its own gzip member for compressed files. */
export function encodePreamble(file: OutputFileDescription): Buffer {
  return encodeText(file, file.preamble);
}

/** Text for the file outside its blocks (preamble, trailer): its own gzip member for compressed files. */
export function encodeText(file: OutputFileDescription, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return file.compress ? compress(bytes) : bytes;
}
