/**
 * The IngestLedger port's behaviour, as tests every implementation must pass: call
 * `describeIngestLedger(name, harness)` at the top level of a test file (the DynamoDB ledger runs it
 * against moto in dynamodb.test.ts; a local ledger can run the same).
 */
import { createHash } from 'node:crypto';
import type { IngestLedger, LedgerEntry } from '../../core/ports/ingest-ledger';

export interface IngestLedgerHarness {
  /** A fresh, empty ledger for one test. */
  create(): Promise<IngestLedger>;
  /** Cleans up after one test. */
  dispose?(): Promise<void>;
}

/** The SHA-256 (lowercase hex) of a text, as a stand-in for a file's bytes. */
export const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A complete entry for the bytes `text`, with any field replaced. */
export function entryFor(text: string, changes: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    sha256: sha(text),
    contractId: 'cde.k12_enrollment@1',
    landing: { key: 'cde/k12_enrollment/k12_enrollment_2019-20.txt', version: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo' },
    verdict: 'accepted',
    outputs: [
      { zone: 'raw', key: 'k12_enrollment/partner=cde/ingest_date=2026-11-22/part-0.parquet' },
      { zone: 'raw', key: 'k12_enrollment/partner=cde/ingest_date=2026-11-22/report.json' },
    ],
    recordedAt: '2026-11-22T08:00:00.000Z',
    ...changes,
  };
}

export function describeIngestLedger(name: string, harness: IngestLedgerHarness): void {
  describe(`IngestLedger behaviour: ${name}`, () => {
    let ledger: IngestLedger;

    beforeEach(async () => {
      ledger = await harness.create();
    });

    afterEach(async () => {
      await harness.dispose?.();
    });

    describe('find', () => {
      it('returns null for bytes never recorded', async () => {
        expect(await ledger.find(sha('never seen'))).toBeNull();
      });

      it('returns the recorded entry', async () => {
        const entry = entryFor('file one');
        await ledger.recordIfAbsent(entry);
        expect(await ledger.find(entry.sha256)).toEqual(entry);
        expect(await ledger.find(sha('file two'))).toBeNull();
      });
    });

    describe('recordIfAbsent', () => {
      it('records a new entry and returns it', async () => {
        const entry = entryFor('new file');
        expect(await ledger.recordIfAbsent(entry)).toEqual(entry);
      });

      it('the first entry wins: a later one for the same bytes is not recorded, and the first is returned', async () => {
        const first = entryFor('same bytes');
        const second = entryFor('same bytes', {
          contractId: 'cde.k12_enrollment@2',
          landing: { key: 'cde/k12_enrollment/again.txt', version: 'v2' },
          verdict: 'duplicate',
          outputs: [],
          recordedAt: '2026-11-23T09:30:00.000Z',
        });
        expect(await ledger.recordIfAbsent(first)).toEqual(first);
        expect(await ledger.recordIfAbsent(second)).toEqual(first);
        expect(await ledger.find(first.sha256)).toEqual(first);
      });

      it('two concurrent callers with different entries for the same bytes both get the same winner', async () => {
        const a = entryFor('raced', { landing: { key: 'cde/a.txt', version: 'a' } });
        const b = entryFor('raced', { landing: { key: 'cde/b.txt', version: 'b' }, verdict: 'rejected' });
        const [fromA, fromB] = await Promise.all([ledger.recordIfAbsent(a), ledger.recordIfAbsent(b)]);
        expect(fromA).toEqual(fromB);
        expect([a, b]).toContainEqual(fromA);
        expect(await ledger.find(a.sha256)).toEqual(fromA);
      });

      it('many concurrent callers over several files: one winner per file, seen by all', async () => {
        const files = ['f1', 'f2', 'f3', 'f4', 'f5'];
        const contenders = files.flatMap((file) => [0, 1, 2, 3].map((n) => entryFor(file, { landing: { key: `drop/${file}/${n}.txt`, version: String(n) } })));
        const results = await Promise.all(contenders.map((entry) => ledger.recordIfAbsent(entry)));
        for (const file of files) {
          const winners = results.filter((result) => result.sha256 === sha(file));
          expect(winners).toHaveLength(4);
          for (const winner of winners) expect(winner).toEqual(winners[0]);
          expect(contenders).toContainEqual(winners[0]);
          expect(await ledger.find(sha(file))).toEqual(winners[0]);
        }
      });

      it.each<[string, Partial<LedgerEntry>]>([
        ['no outputs', { outputs: [], verdict: 'duplicate' }],
        ['a rejected file with its quarantined original and report', {
          verdict: 'rejected',
          outputs: [
            { zone: 'quarantine', key: 'cde/k12_enrollment/k12_enrollment_2019-20.txt' },
            { zone: 'quarantine', key: 'cde/k12_enrollment/k12_enrollment_2019-20.txt.report.json' },
          ],
        }],
        ['non-ASCII keys and versions', {
          contractId: 'csu.admissions@10',
          landing: { key: 'csu/admisiones/año 2020 – Núñez 👍.csv.gz', version: 'null' },
          outputs: [{ zone: 'raw', key: 'admissions/partner=csu/ingest_date=2026-11-22/año.parquet' }],
        }],
        ['many outputs, in their order', { outputs: Array.from({ length: 50 }, (_, i) => ({ zone: 'raw' as const, key: `t/part-${String(49 - i).padStart(5, '0')}.parquet` })) }],
      ])('round-trips an entry exactly: %s', async (_why, changes) => {
        const entry = entryFor(`round trip ${JSON.stringify(changes)}`, changes);
        expect(await ledger.recordIfAbsent(entry)).toStrictEqual(entry);
        expect(await ledger.find(entry.sha256)).toStrictEqual(entry);
      });
    });
  });
}
