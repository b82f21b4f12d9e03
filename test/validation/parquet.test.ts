/**
 * The typed Parquet of an accepted drop, written while the file is checked (the default) or
 * after it: the same rows and lineage either way, including where a value spans lines (the early
 * write cannot know that, so the file is written again) and for a file with a control trailer
 * (written after, knowing where the records end). A rejected file gets no Parquet.
 */
import path from 'node:path';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import type { Contract } from '../../core/contracts/types';
import { validateDrop, type ValidatedDrop } from '../../core/validation/validate';
import { contractById, Draft, DropFolder, VALID_NAMES } from './drop-files';
import { gzipSync } from 'node:zlib';

const CTC = contractById('ctc/credentials');
const WAGES = contractById('edd/ui_wages');

let engine: DuckDbEngine;
let folder: DropFolder;
beforeAll(async () => {
  engine = await DuckDbEngine.open();
  folder = new DropFolder();
});
afterAll(() => {
  engine.close();
  folder.remove();
});

let written = 0;
async function ingestLike(contract: Contract, bytes: Buffer, concurrent: boolean): Promise<{ result: ValidatedDrop; target: string }> {
  const drop = folder.write(VALID_NAMES[contract.id] as string, bytes);
  const target = path.join(folder.dir, `out-${written++}.parquet`);
  const result = await validateDrop(drop, contract, engine, { parquet: { path: target, sourceObject: `${contract.id}/x`, concurrent } });
  return { result, target };
}

async function lineage(target: string): Promise<Array<[number, string]>> {
  const rows = await engine.query(`SELECT _source_line, _source_object FROM read_parquet('${target}') ORDER BY _source_line`);
  return rows.map((r) => [r._source_line as number, r._source_object as string]);
}

describe.each([true, false])('written while checking: %s', (concurrent) => {
  it('a value spanning lines: the records keep their physical lines', async () => {
    const d = new Draft(CTC, 4).set(2, 'subject', 'Art\nand design');
    const { result, target } = await ingestLike(CTC, d.bytes(), concurrent);
    expect(result.report.verdict).toBe('accepted');
    expect(result.parquetRecords).toBe(4);
    // Lines 2, 3 (spanning to 4), 5, 6.
    expect(await lineage(target)).toEqual([[2, 'ctc/credentials/x'], [3, 'ctc/credentials/x'], [5, 'ctc/credentials/x'], [6, 'ctc/credentials/x']]);
    const [subject] = await engine.query(`SELECT subject FROM read_parquet('${target}') WHERE _source_line = 3`);
    expect(subject?.subject).toBe('Art\nand design');
  });

  it('a file with a control trailer: the records, and no trailer row', async () => {
    const { result, target } = await ingestLike(WAGES, gzipSync(new Draft(WAGES, 5).bytes()), concurrent);
    expect(result.report.verdict).toBe('accepted');
    expect(result.parquetRecords).toBe(5);
    expect((await lineage(target)).map(([line]) => line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('a rejected file: the same report as without a Parquet target, and no records written', async () => {
    const bytes = new Draft(CTC, 3).set(2, 'subject', 'x'.repeat(41)).bytes();
    const { result } = await ingestLike(CTC, bytes, concurrent);
    const plain = await validateDrop(folder.write(VALID_NAMES[CTC.id] as string, bytes), CTC, engine);
    expect(result.parquetRecords).toBeUndefined();
    expect({ ...result.report, validatedAt: '' }).toEqual({ ...plain.report, validatedAt: '' });
    expect(result.report.counts).toEqual({ max_length: 1 });
  });

  it('a file whose duplicate keys are found on the Parquet: rejected, with the lines', async () => {
    const d = new Draft(CTC, 3);
    d.set(3, 'document_number', d.get(1, 'document_number'));
    const { result } = await ingestLike(CTC, d.bytes(), concurrent);
    expect(result.report.counts).toEqual({ duplicate_key: 1 });
    expect(result.report.examples[0]?.message).toMatch(/as line 2\.$/);
    expect(result.report.examples[0]?.line).toBe(4);
    expect(result.parquetRecords).toBeUndefined();
  });
});
