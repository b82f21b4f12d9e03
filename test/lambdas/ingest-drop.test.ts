/**
 * The Lambda's event processing on a local lake: EventBridge S3 events in SQS messages are
 * ingested, each verdict is published for its partner without any record values, and a message
 * that cannot be processed is reported as a batch item failure (and only that one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { landingKeyOf, processDropEvents, type Verdict } from '../../lambdas/ingest-drop/process';

let dir: string;
let lake: LocalLake;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-lambda-'));
  lake = await openLocalLake(dir);
});
afterEach(async () => {
  await lake.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(id: string, key: string | null): SQSRecord {
  const body = key === null ? '{"hello":"world"}' : JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'landing' }, object: { key } } });
  return { messageId: id, body } as SQSRecord;
}

const HEADER = 'client_id,ssn,last_name,first_name,birth_date,gender,county_code,aid_begin_date,aid_end_date\r\n';
const GOOD = HEADER + '123456789,123456789,Garcia,Maria,2001-03-15,F,19,2019-01-01,\r\n';
const BAD = HEADER + '123456789,12345678,Garcia,Maria,2001-03-15,F,19,2019-01-01,\r\n';

test('ingests each drop, publishes its verdict per partner without values, and fails only the broken message', async () => {
  await lake.store.put({ zone: 'landing', key: 'dss/calfresh/calfresh.csv' }, GOOD);
  await lake.store.put({ zone: 'landing', key: 'dss/calfresh/other.csv' }, BAD);
  const published: Verdict[] = [];
  const logs: string[] = [];
  const counts: Record<string, number> = {};
  const event: SQSEvent = { Records: [message('m1', 'dss/calfresh/calfresh.csv'), message('m2', null), message('m3', 'dss/calfresh/other.csv')] };
  const result = await processDropEvents(event, {
    ...lake,
    publish: async (verdict) => void published.push(verdict),
    log: (level, text, details) => void logs.push(`${level} ${text} ${JSON.stringify(details)}`),
    count: (metric, value = 1) => void (counts[metric] = (counts[metric] ?? 0) + value),
  });
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  expect(published.map((v) => [v.partner, v.verdict])).toEqual([['dss', 'accepted'], ['dss', 'rejected']]);
  expect(published[1]?.message).toMatchObject({ problems: { pattern: 1, file_name: 1 }, report: expect.stringMatching(/^quarantine\//) });
  expect(counts).toMatchObject({ drops_accepted: 1, drops_rejected: 1, drops_failed: 1 });
  // Neither the verdicts nor the logs carry the file's SSNs, names or birth dates.
  const said = JSON.stringify(published) + logs.join('\n');
  for (const secret of ['123456789', '12345678', 'Garcia', 'Maria', '2001-03-15']) expect(said).not.toContain(secret);
});

test('only S3 "Object Created" events with a key are accepted as messages', () => {
  expect(landingKeyOf(message('m', 'a/b/c.csv'))).toBe('a/b/c.csv');
  expect(() => landingKeyOf(message('m', null))).toThrow('not an S3 "Object Created" event');
});
