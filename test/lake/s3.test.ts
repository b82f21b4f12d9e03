/**
 * S3ObjectStore against moto's S3 on loopback: the port's shared behaviour, then what is particular
 * to S3 (multipart uploads and their abort, pagination, encryption headers, configuration).
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { S3ObjectStore, type ZoneBuckets } from '../../adapters/object-store/s3';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { ObjectNotFoundError } from '../../core/ports/object-store';
import { TEST_REGION, testS3Client, useMotoServer } from '../aws-local/moto-server';
import { bytesOf, describeObjectStore, ref } from './object-store-suite';

const MIB = 1024 * 1024;
const moto = useMotoServer();

let client: S3Client;
beforeAll(() => {
  client = testS3Client(moto().endpoint);
});
afterAll(() => client?.destroy());

let lakes = 0;
/** Seven new buckets, versioned like the lake's (lib/storage/lake-zone.ts). */
async function newBuckets(options: { versioned?: boolean } = {}): Promise<ZoneBuckets> {
  const lake = `lake${++lakes}-${process.pid}`;
  const buckets = Object.fromEntries(ZONE_NAMES.map((zone) => [zone, `c2c-test-${lake}-${zone}`])) as Record<ZoneName, string>;
  await Promise.all(
    Object.values(buckets).map(async (Bucket) => {
      await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
      if (options.versioned ?? true) await client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }),
  );
  return buckets;
}

/** Keys of the multipart uploads begun and neither completed nor aborted. */
async function unfinishedUploads(Bucket: string): Promise<string[]> {
  const output = await client.send(new ListMultipartUploadsCommand({ Bucket }));
  return (output.Uploads ?? []).map((upload) => upload.Key ?? '?');
}

// The port's behaviour, shared with the local folder.
{
  let buckets: ZoneBuckets | undefined;
  describeObjectStore('S3ObjectStore on moto', {
    async create() {
      buckets = await newBuckets();
      // The smallest part size S3 allows, so that multipart uploads happen with small bodies too.
      return new S3ObjectStore(client, buckets, { partSize: 5 * MIB });
    },
    leftovers: async (zone) => (buckets ? unfinishedUploads(buckets[zone]) : []),
  });
}

describe('S3ObjectStore on moto', () => {
  let buckets: ZoneBuckets;
  let store: S3ObjectStore;

  beforeEach(async () => {
    buckets = await newBuckets();
    store = new S3ObjectStore(client, buckets, { partSize: 5 * MIB });
  });

  /** 1 MiB chunks of one letter each, cycling through the alphabet. */
  async function* mebibytes(count: number, afterEach?: (index: number) => Promise<void>): AsyncIterable<Uint8Array> {
    for (let i = 0; i < count; i++) {
      yield Buffer.alloc(MIB, 97 + (i % 26));
      await afterEach?.(i);
    }
  }
  const expectedMebibytes = (count: number): Buffer => Buffer.concat(Array.from({ length: count }, (_, i) => Buffer.alloc(MIB, 97 + (i % 26))));

  describe('multipart uploads', () => {
    it('streams a body larger than a part in parts, and reads it back whole', async () => {
      const info = await store.put(ref('big/drop.txt'), mebibytes(12));
      expect(info.size).toBe(12 * MIB);
      // Three parts (5 + 5 + 2 MiB): a multipart ETag ends in the part count.
      const head = await client.send(new HeadObjectCommand({ Bucket: buckets.landing, Key: 'big/drop.txt' }));
      expect(head.ETag).toMatch(/-3"$/);
      expect((await bytesOf(store, ref('big/drop.txt'))).equals(expectedMebibytes(12))).toBe(true);
      expect(await unfinishedUploads(buckets.landing)).toEqual([]);
    });

    it('a large Uint8Array goes in parts too', async () => {
      const body = expectedMebibytes(11);
      expect((await store.put(ref('big/bytes', 'raw'), body)).size).toBe(body.length);
      const head = await client.send(new HeadObjectCommand({ Bucket: buckets.raw, Key: 'big/bytes' }));
      expect(head.ETag).toMatch(/-3"$/);
      expect((await bytesOf(store, ref('big/bytes', 'raw'))).equals(body)).toBe(true);
    });

    it('while parts are being uploaded, the key still holds the old object', async () => {
      await store.put(ref('k'), 'old');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let partsUploading!: () => void;
      const midway = new Promise<void>((resolve) => (partsUploading = resolve));
      const writing = store.put(
        ref('k'),
        mebibytes(12, async (i) => {
          if (i === 6) {
            // The first part is on its way; hold the rest until the test has looked.
            partsUploading();
            await gate;
          }
        }),
      );
      await midway;
      await waitFor(async () => (await unfinishedUploads(buckets.landing)).length === 1);
      expect((await bytesOf(store, ref('k'))).toString()).toBe('old');
      expect((await store.list('landing')).map((o) => [o.key, o.size])).toEqual([['k', 3]]);
      release();
      await writing;
      expect((await store.head(ref('k')))?.size).toBe(12 * MIB);
      expect(await unfinishedUploads(buckets.landing)).toEqual([]);
    });

    it('a body that fails after parts were uploaded aborts the multipart upload: no object, no parts', async () => {
      await store.put(ref('p/kept.csv'), 'original');
      const failing = mebibytes(12, async (i) => {
        if (i === 7) {
          // Part 1 (5 MiB) is complete: fail only once S3 has the multipart upload.
          await waitFor(async () => (await unfinishedUploads(buckets.landing)).length === 1);
          throw new Error('source broke mid-way');
        }
      });
      await expect(store.put(ref('p/kept.csv'), failing)).rejects.toThrow('source broke mid-way');
      expect(await unfinishedUploads(buckets.landing)).toEqual([]);
      expect((await bytesOf(store, ref('p/kept.csv'))).toString()).toBe('original');
      await expect(store.put(ref('p/new.csv'), mebibytes(8, async (i) => {
        if (i === 6) throw new Error('broke again');
      }))).rejects.toThrow('broke again');
      expect(await store.head(ref('p/new.csv'))).toBeNull();
      expect((await store.list('landing')).map((o) => o.key)).toEqual(['p/kept.csv']);
      expect(await unfinishedUploads(buckets.landing)).toEqual([]);
    });
  });

  describe('encryption', () => {
    it('sends no SSE headers: the bucket default (SSE-KMS) applies', async () => {
      const sent: Array<Record<string, string>> = [];
      const watched = testS3Client(moto().endpoint);
      watched.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) sent.push({ ...request.headers });
          return next(args);
        },
        { step: 'finalizeRequest', name: 'recordHeaders' },
      );
      try {
        const keyId = 'arn:aws:kms:us-west-2:123456789012:key/11111111-2222-3333-4444-555555555555';
        await client.send(
          new PutBucketEncryptionCommand({
            Bucket: buckets.raw,
            ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: true }] },
          }),
        );
        const watchedStore = new S3ObjectStore(watched, buckets, { partSize: 5 * MIB });
        await watchedStore.put(ref('small', 'raw'), 'x');
        await watchedStore.put(ref('large', 'raw'), mebibytes(6));
        expect(sent.length).toBeGreaterThanOrEqual(5); // put, head; create, 2 parts, complete, head
        for (const headers of sent) {
          expect(Object.keys(headers).filter((name) => name.toLowerCase().startsWith('x-amz-server-side-encryption'))).toEqual([]);
        }
        for (const Key of ['small', 'large']) {
          const head = await client.send(new HeadObjectCommand({ Bucket: buckets.raw, Key }));
          expect(head.ServerSideEncryption).toBe('aws:kms');
        }
      } finally {
        watched.destroy();
      }
    });
  });

  describe('list', () => {
    it('follows continuation tokens across pages', async () => {
      const paged = new S3ObjectStore(client, buckets, { listPageSize: 2 });
      const keys = ['a', 'b/1', 'b/2', 'c', 'd/e/f', 'z', 'é'];
      for (const key of [...keys].reverse()) await store.put(ref(key, 'outcomes'), key);
      const send = jest.spyOn(client, 'send');
      try {
        expect((await paged.list('outcomes')).map((o) => o.key)).toEqual(keys);
        expect(send.mock.calls.filter(([command]) => command instanceof ListObjectsV2Command)).toHaveLength(4);
        expect((await paged.list('outcomes', 'b/')).map((o) => o.key)).toEqual(['b/1', 'b/2']);
      } finally {
        send.mockRestore();
      }
    });

    it('leaves out objects the port cannot address, such as console folder markers', async () => {
      await client.send(new PutObjectCommand({ Bucket: buckets.landing, Key: 'cde/', Body: Buffer.alloc(0) }));
      await client.send(new PutObjectCommand({ Bucket: buckets.landing, Key: 'cde//double', Body: 'x' }));
      await store.put(ref('cde/file.txt'), 'x');
      expect((await store.list('landing')).map((o) => o.key)).toEqual(['cde/file.txt']);
    });

    it('does not list deleted objects of a versioned bucket, nor their old versions', async () => {
      await store.put(ref('v'), 'one');
      await store.put(ref('v'), 'two');
      await store.put(ref('w'), 'w');
      await store.delete(ref('w'));
      expect((await store.list('landing')).map((o) => [o.key, o.size])).toEqual([['v', 3]]);
    });
  });

  describe('unversioned buckets', () => {
    it('behave the same for put, read, head, list and delete', async () => {
      const plain = new S3ObjectStore(client, await newBuckets({ versioned: false }));
      await plain.put(ref('x/y'), 'abc');
      expect((await bytesOf(plain, ref('x/y'))).toString()).toBe('abc');
      expect((await plain.list('landing')).map((o) => o.key)).toEqual(['x/y']);
      await plain.delete(ref('x/y'));
      await plain.delete(ref('x/y'));
      expect(await plain.head(ref('x/y'))).toBeNull();
      await expect(bytesOf(plain, ref('x/y'))).rejects.toBeInstanceOf(ObjectNotFoundError);
    });
  });

  describe('errors that are not misses', () => {
    it('a missing bucket is an error, not an absent object', async () => {
      const wrong = new S3ObjectStore(client, { ...buckets, identity: 'c2c-test-no-such-bucket' });
      await expect(bytesOf(wrong, ref('x', 'identity'))).rejects.toMatchObject({ name: 'NoSuchBucket' });
      await expect(wrong.list('identity')).rejects.toMatchObject({ name: 'NoSuchBucket' });
      await expect(wrong.put(ref('x', 'identity'), 'x')).rejects.toMatchObject({ name: 'NoSuchBucket' });
    });
  });

  describe('configuration', () => {
    const all = (): Record<ZoneName, string> => Object.fromEntries(ZONE_NAMES.map((zone) => [zone, `bucket-${zone}`])) as Record<ZoneName, string>;

    it('needs a bucket for every zone', () => {
      const six: Partial<Record<ZoneName, string>> = all();
      delete six.published;
      expect(() => new S3ObjectStore(client, six as ZoneBuckets)).toThrow('missing: published');
      expect(() => new S3ObjectStore(client, { ...all(), raw: '' })).toThrow('missing: raw');
    });

    it('rejects unknown zones and buckets shared by two zones', () => {
      expect(() => new S3ObjectStore(client, { ...all(), lounge: 'b' } as ZoneBuckets)).toThrow('unknown zones lounge');
      expect(() => new S3ObjectStore(client, { ...all(), linked: 'bucket-raw' })).toThrow('linked and raw both name bucket-raw');
    });

    it('rejects part sizes S3 would refuse and other bad numbers', () => {
      expect(() => new S3ObjectStore(client, all(), { partSize: 5 * MIB - 1 })).toThrow('partSize');
      expect(() => new S3ObjectStore(client, all(), { queueSize: 0 })).toThrow('queueSize');
      expect(() => new S3ObjectStore(client, all(), { listPageSize: 1001 })).toThrow('listPageSize');
    });

    it('maps zones to their buckets', () => {
      const configured = new S3ObjectStore(client, all());
      expect(ZONE_NAMES.map((zone) => configured.bucketOf(zone))).toEqual(ZONE_NAMES.map((zone) => `bucket-${zone}`));
    });
  });

  it('an object\'s version is its ETag and last-modified second, as HeadObject and ListObjectsV2 report them', async () => {
    const info = await store.put(ref('versioned.csv'), 'x,y\n');
    const head = await client.send(new HeadObjectCommand({ Bucket: buckets.landing, Key: 'versioned.csv' }));
    const etag = (head.ETag ?? '').replace(/"/g, '');
    expect(etag).toMatch(/^[0-9a-f]{32}$/);
    expect(info.version).toBe(`${etag}@${head.LastModified?.toISOString()}`);
    expect(info.lastModified.getMilliseconds()).toBe(0);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: buckets.landing }));
    expect(listed.Contents?.[0]?.ETag?.replace(/"/g, '')).toBe(etag);
  });

  it('reads a stored object with the SDK exactly as written through the store', async () => {
    await store.put(ref('same/bytes', 'published'), 'Núñez\n');
    const output = await client.send(new GetObjectCommand({ Bucket: buckets.published, Key: 'same/bytes' }));
    expect(await output.Body?.transformToString('utf8')).toBe('Núñez\n');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
