/**
 * The pipeline's publish stage against S3 (moto's server on loopback): the cube the Glue job wrote
 * to the outcomes bucket, as one file or as Spark's folder of parts, is protected and published
 * exactly as on a laptop, and a missing cube is a clear error that publishes nothing.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MissingCubeError, publishThroughStaging } from '../../adapters/lake/staged-publish';
import { S3ObjectStore, type ZoneBuckets } from '../../adapters/object-store/s3';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { TEST_REGION, testS3Client, useMotoServer } from '../aws-local/moto-server';

const REPO = path.join(__dirname, '..', '..');
// By name, jest would resolve bin/c2c to bin/c2c.js (js comes first), which runs the CLI on jest's own argv.
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));
const moto = useMotoServer();

let tmp: string;
let lake: string;
let client: S3Client;
let lakes = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-staged-'));
  lake = path.join(tmp, 'demo', 'lake');
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
    jest.spyOn(console, 'log').mockImplementation(() => undefined),
  ];
  let errors = '';
  const errorSpy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (errors += format(...args)));
  try {
    expect([await main(['demo', '--dir', path.join(tmp, 'demo'), '--people', '1500', '--seed', '5', '--no-serve']), errors]).toEqual([0, '']);
  } finally {
    for (const spy of [...spies, errorSpy]) spy.mockRestore();
  }
  client = testS3Client(moto().endpoint);
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await rm(tmp, { recursive: true, force: true });
});

async function newBuckets(): Promise<ZoneBuckets> {
  const id = `staged${++lakes}-${process.pid}`;
  const buckets = Object.fromEntries(ZONE_NAMES.map((zone) => [zone, `c2c-test-${id}-${zone}`])) as Record<ZoneName, string>;
  for (const Bucket of Object.values(buckets)) await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
  return buckets;
}

const put = async (Bucket: string, Key: string, file: string): Promise<void> => void (await client.send(new PutObjectCommand({ Bucket, Key, Body: await readFile(file) })));
const text = async (Bucket: string, Key: string): Promise<string> => (await (await client.send(new GetObjectCommand({ Bucket, Key }))).Body?.transformToString('utf8')) ?? '';
const keys = async (Bucket: string): Promise<string[]> => ((await client.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key ?? '').sort();
const local = (...parts: string[]): string => path.join(lake, ...parts);

it('publishes a cube written as one file exactly as the local run did, metadata with the run id', async () => {
  const buckets = await newBuckets();
  await put(buckets.outcomes, 'outcome_cube.parquet', local('outcomes', 'outcome_cube.parquet'));
  await put(buckets.outcomes, 'data_vintage.parquet', local('outcomes', 'data_vintage.parquet'));
  const work = await mkdtemp(path.join(tmp, 'work-'));
  const summary = await publishThroughStaging(new S3ObjectStore(client, buckets), work, 'run-42');
  expect(summary.protection.auditPassed).toBe(true);
  expect(await keys(buckets.published)).toEqual(['outcomes/metadata.json', 'outcomes/outcomes.csv', 'outcomes/table/outcomes.parquet', 'outcomes/withheld.csv']);
  expect(await text(buckets.published, 'outcomes/outcomes.csv')).toBe(await readFile(local('published', 'outcomes', 'outcomes.csv'), 'utf8'));
  expect(await text(buckets.published, 'outcomes/withheld.csv')).toBe(await readFile(local('published', 'outcomes', 'withheld.csv'), 'utf8'));
  expect(JSON.parse(await text(buckets.published, 'outcomes/metadata.json')).runId).toBe('run-42');
  expect(await keys(buckets.outcomes)).toContain('disclosure_summary.json');
});

it('reads a cube Spark wrote as a folder of part files', async () => {
  const buckets = await newBuckets();
  await put(buckets.outcomes, 'outcome_cube.parquet/part-00000-c000.snappy.parquet', local('outcomes', 'outcome_cube.parquet'));
  await put(buckets.outcomes, 'data_vintage.parquet/part-00000-c000.snappy.parquet', local('outcomes', 'data_vintage.parquet'));
  await put(buckets.outcomes, 'data_vintage.parquet/_SUCCESS', '/dev/null');
  const summary = await publishThroughStaging(new S3ObjectStore(client, buckets), await mkdtemp(path.join(tmp, 'work-')), 'run-43');
  expect(summary.rows).toBeGreaterThan(0);
  expect(await text(buckets.published, 'outcomes/outcomes.csv')).toBe(await readFile(local('published', 'outcomes', 'outcomes.csv'), 'utf8'));
});

it('refuses to publish without a cube, and writes nothing', async () => {
  const buckets = await newBuckets();
  await expect(publishThroughStaging(new S3ObjectStore(client, buckets), await mkdtemp(path.join(tmp, 'work-')), 'run-44'))
    .rejects.toThrow(new MissingCubeError('outcomes/outcome_cube.parquet is missing: the outcome-cube stage has not written it'));
  expect(await keys(buckets.published)).toEqual([]);
});
