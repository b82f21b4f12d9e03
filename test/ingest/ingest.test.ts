/**
 * Ingestion end to end on a local lake: accepted files become Parquet in raw, rejected ones go
 * to quarantine byte for byte, both with reports; duplicates are reported, not ingested twice;
 * the same event twice gives one result; and a crash at any step, followed by a re-run, ends with
 * exactly what an uninterrupted run leaves: nothing lost, nothing duplicated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ingestLandingObject, ingestLandingZone, type IngestDependencies } from '../../core/ingest/ingest';
import type { IngestLedger } from '../../core/ports/ingest-ledger';
import type { ObjectStore } from '../../core/ports/object-store';
import { openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { generateToFolder } from '../../adapters/generator/generate-to-folder';
import { landDrops } from '../../adapters/lake/land-drops';

let state: string;
let lake: LocalLake;
let lakeDir: string;

beforeAll(async () => {
  state = mkdtempSync(path.join(tmpdir(), 'c2c-ingest-state-'));
  await generateToFolder({ seed: 9, people: 400, noise: 'medium' }, state, { workers: 1 });
});
afterAll(() => rmSync(state, { recursive: true, force: true }));

beforeEach(async () => {
  lakeDir = mkdtempSync(path.join(tmpdir(), 'c2c-lake-'));
  lake = await openLocalLake(lakeDir);
});
afterEach(async () => {
  await lake.close();
  rmSync(lakeDir, { recursive: true, force: true });
});

const GOOD = 'cde/k12_graduation/k12_graduation.txt';
const goodBytes = (): Buffer => readFileSync(path.join(state, 'drops', GOOD));
/** The same file with one birth date that is no date: rejected. */
const badBytes = (): Buffer => Buffer.from(goodBytes().toString('utf8').replace(/\t(\d{4})(\d{2})(\d{2})\t/, '\t$10230\t'));

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function everything(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file);
    // Reports carry the validation time; the rest must be identical.
    found[relative] = relative.endsWith('.report.json') || relative.startsWith('.ledger') ? 'present' : sha(await readFile(file));
  }
  return found;
}

test('an accepted file becomes Parquet in raw with its report, and leaves landing', async () => {
  await lake.store.put({ zone: 'landing', key: GOOD }, goodBytes());
  const outcome = await ingestLandingObject(GOOD, lake);
  expect(outcome).toMatchObject({ status: 'ingested', verdict: 'accepted' });
  if (outcome.status !== 'ingested') throw new Error('not ingested');
  expect(outcome.outputs.map((o) => `${o.zone}/${o.key}`)).toEqual([
    expect.stringMatching(/^raw\/k12_graduation\/partner=cde\/ingest_date=\d{4}-\d{2}-\d{2}\/k12_graduation\.[0-9a-f]{12}\.parquet$/),
    expect.stringMatching(/\.report\.json$/),
    expect.stringMatching(/\.report\.txt$/),
  ]);
  expect(await lake.store.head({ zone: 'landing', key: GOOD })).toBeNull();
  const rows = await lake.engine.query(`SELECT count(*) AS n, min(_source_line) AS first, max(_source_object) AS source FROM '${path.join(lakeDir, 'raw', outcome.outputs[0]?.key ?? '')}'`);
  expect(rows[0]).toEqual({ n: outcome.report.rows.read, first: 2, source: `${GOOD}` });
});

test('a rejected file goes to quarantine byte for byte, with a report naming the problem', async () => {
  const bytes = badBytes();
  await lake.store.put({ zone: 'landing', key: GOOD }, bytes);
  const outcome = await ingestLandingObject(GOOD, lake);
  if (outcome.status !== 'ingested') throw new Error('not ingested');
  expect(outcome.verdict).toBe('rejected');
  expect(outcome.report.counts).toEqual({ format: 1 });
  const original = outcome.outputs[0];
  expect(original?.zone).toBe('quarantine');
  expect(sha(await readFile(path.join(lakeDir, 'quarantine', original?.key ?? '')))).toBe(sha(bytes));
  expect((await lake.store.list('raw')).length).toBe(0);
});

test('the same bytes dropped again are reported as a duplicate and not ingested twice', async () => {
  await lake.store.put({ zone: 'landing', key: GOOD }, goodBytes());
  await ingestLandingObject(GOOD, lake);
  await lake.store.put({ zone: 'landing', key: GOOD }, goodBytes());
  const again = await ingestLandingObject(GOOD, lake);
  expect(again).toMatchObject({ status: 'ingested', verdict: 'duplicate' });
  expect((await lake.store.list('raw')).filter((o) => o.key.endsWith('.parquet')).length).toBe(1);
  expect((await lake.store.list('quarantine')).some((o) => o.key.includes('/duplicate-'))).toBe(true);
});

test('the same event delivered twice gives one result', async () => {
  await lake.store.put({ zone: 'landing', key: GOOD }, goodBytes());
  await ingestLandingObject(GOOD, lake);
  const before = await everything(lakeDir);
  expect(await ingestLandingObject(GOOD, lake)).toEqual({ status: 'gone', landingKey: GOOD });
  expect(await everything(lakeDir)).toEqual(before);
});

test('a key that names no contract is left in landing for an operator', async () => {
  await lake.store.put({ zone: 'landing', key: 'nobody/nothing/file.csv' }, 'a,b\n');
  expect(await ingestLandingObject('nobody/nothing/file.csv', lake)).toMatchObject({ status: 'no_contract' });
  expect(await lake.store.head({ zone: 'landing', key: 'nobody/nothing/file.csv' })).not.toBeNull();
});

/** Store and ledger that fail on the n-th write-like call: a crash between two steps. */
function crashingAfter(deps: IngestDependencies, calls: number): IngestDependencies {
  let left = calls;
  const tick = (): void => {
    if (left-- <= 0) throw new Error('injected crash');
  };
  const store: ObjectStore = {
    put: async (ref, body) => (tick(), deps.store.put(ref, body)),
    read: (ref) => deps.store.read(ref),
    head: async (ref) => deps.store.head(ref),
    list: async (zone, prefix) => deps.store.list(zone, prefix),
    delete: async (ref) => (tick(), deps.store.delete(ref)),
  };
  const ledger: IngestLedger = {
    find: (sha256) => deps.ledger.find(sha256),
    recordIfAbsent: async (entry) => (tick(), deps.ledger.recordIfAbsent(entry)),
  };
  return { ...deps, store, ledger };
}

describe.each([
  ['accepted', goodBytes],
  ['rejected', badBytes],
])('a crash at any step of ingesting a %s file, then a re-run', (_verdict, bytes) => {
  test('ends exactly as an uninterrupted run', async () => {
    await lake.store.put({ zone: 'landing', key: GOOD }, bytes());
    const landing = await lake.store.head({ zone: 'landing', key: GOOD });
    await ingestLandingObject(GOOD, lake);
    const expected = await everything(lakeDir);
    // The writes of one run: three outputs, the ledger entry, the landing delete.
    for (let crashAt = 0; crashAt < 5; crashAt++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'c2c-crash-'));
      const other = await openLocalLake(dir);
      try {
        await other.store.put({ zone: 'landing', key: GOOD }, bytes());
        // Same delivery time as the reference run, so destinations match.
        await utimes(path.join(dir, 'landing', GOOD), landing?.lastModified ?? new Date(), landing?.lastModified ?? new Date());
        await expect(ingestLandingObject(GOOD, crashingAfter(other, crashAt))).rejects.toThrow('injected crash');
        await ingestLandingObject(GOOD, other);
        expect({ crashAt, files: await everything(dir) }).toEqual({ crashAt, files: expected });
      } finally {
        await other.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

test('everything in landing at once: the generated state is all accepted', async () => {
  await landDrops(path.join(state, 'drops'), lake.store);
  const outcomes = await ingestLandingZone(lake);
  expect(outcomes.length).toBeGreaterThan(40);
  expect(outcomes.filter((o) => o.status !== 'ingested' || o.verdict !== 'accepted')).toEqual([]);
  expect(await lake.store.list('landing')).toEqual([]);
});
