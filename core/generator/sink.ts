/**
 * Where generated records go. The generator produces records in contract field order; a sink
 * writes them as partner files (and the truth beside them) or keeps them in memory for a test.
 */
import type { FieldValue } from '../contracts/record-format';
import type { Contract } from '../contracts/types';

export interface RecordSink {
  /** One source record: values in the contract's field order, and the true person behind it. */
  record(contract: Contract, fileName: string, values: readonly FieldValue[], personId: string): void;
}

export type EmitRecord = (fileName: string, values: readonly FieldValue[], personId: string) => void;

/**
 * Binds a dataset's column list to its contract. The generator names its columns in the order it
 * fills them; if the contract's fields differ, this fails at once instead of writing drifted files.
 */
export function bindDataset(contract: Contract, columns: readonly string[], sink: RecordSink): EmitRecord {
  const declared = contract.schema.fields.map((f) => f.name);
  if (declared.join(',') !== columns.join(',')) {
    throw new Error(`generator and contract ${contract.id} disagree on columns: generator [${columns.join(', ')}], contract [${declared.join(', ')}]`);
  }
  return (fileName, values, personId) => sink.record(contract, fileName, values, personId);
}
