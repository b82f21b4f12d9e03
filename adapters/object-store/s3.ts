/**
 * The lake in AWS: one S3 bucket per zone (DESIGN.md §2, lib/storage/lake-zone.ts).
 *
 * Atomicity: S3 makes an object visible only when PutObject or CompleteMultipartUpload succeeds,
 * whole; until then readers see the previous object (or none). Bodies are streamed with
 * lib-storage's Upload: a single PutObject when the body fits in one part, else a multipart upload
 * that is completed only after the whole body was read and every part stored. When the body (or a
 * part) fails, Upload aborts the multipart upload (leavePartsOnError is false), so no parts stay
 * behind; should that abort request itself fail, the bucket's lifecycle rule that aborts incomplete
 * multipart uploads removes them later. Either way no partial object is ever visible.
 *
 * Encryption: no SSE headers are sent. Every zone bucket has default encryption SSE-KMS with the
 * zone's own customer-managed key and an S3 Bucket Key (lib/storage/lake-zone.ts), which S3 applies
 * to every PutObject and multipart upload that names no encryption. Naming it here as well would
 * put a second source of truth for the key in the code (and a wrong key id would silently encrypt
 * under another key). A writer's role needs kms:GenerateDataKey (and kms:Decrypt, for multipart
 * uploads and reads) on the zone's key. Revisit if a bucket policy ever requires the header.
 *
 * Versions: an object's `version` is its ETag and last-modified second (`<etag>@<ISO time>`), which
 * HeadObject and ListObjectsV2 both report, so `head` and `list` agree. The S3 version id would be
 * more precise (two uploads of identical bytes to one key within one second share an ETag and a
 * second), but ListObjectsV2 does not return it; listing versions instead would cost a
 * ListObjectVersions permission and a listing of every retained old version.
 *
 * Misses: S3 answers 404 for a missing key only to callers allowed s3:ListBucket on the bucket;
 * without it the answer is 403, which surfaces here as an AccessDenied error, not as a miss.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { checkKey, inKeyOrder, InvalidKeyError, ObjectNotFoundError, type ObjectInfo, type ObjectRef, type ObjectStore } from '../../core/ports/object-store';

/** The bucket of each zone: all seven, each its own bucket. */
export type ZoneBuckets = Readonly<Record<ZoneName, string>>;

export interface S3ObjectStoreOptions {
  /**
   * Bytes per multipart part, and the largest body sent as a single PutObject (at least 5 MiB).
   * A streamed body can be at most 10,000 parts.
   *
   * @default 8 MiB (streamed bodies up to ~78 GiB)
   */
  readonly partSize?: number;
  /**
   * Parts uploaded in parallel; at most partSize × queueSize bytes of a body are held in memory.
   *
   * @default 4
   */
  readonly queueSize?: number;
  /**
   * Keys per ListObjectsV2 page (S3 returns at most 1,000).
   *
   * @default 1000
   */
  readonly listPageSize?: number;
}

const MIB = 1024 * 1024;

/** S3's own error names for a missing object: GetObject says NoSuchKey, HeadObject (no body) NotFound. */
function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** S3 keeps dates to the second; HeadObject says so, listings in some S3 APIs pretend to milliseconds. */
function toSecond(date: Date | undefined): Date {
  const ms = date?.getTime() ?? 0;
  return new Date(ms - (((ms % 1000) + 1000) % 1000));
}

/** What an object in S3 looks like through the port. */
function objectInfo(zone: ZoneName, key: string, size: number | undefined, lastModified: Date | undefined, eTag: string | undefined): ObjectInfo {
  const modified = toSecond(lastModified);
  const tag = (eTag ?? '').replace(/^"|"$/g, '');
  return { zone, key, size: size ?? 0, lastModified: modified, version: `${tag}@${modified.toISOString()}` };
}

export class S3ObjectStore implements ObjectStore {
  private readonly buckets: ZoneBuckets;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly listPageSize: number;

  constructor(
    private readonly client: S3Client,
    buckets: ZoneBuckets,
    options: S3ObjectStoreOptions = {},
  ) {
    const missing = ZONE_NAMES.filter((zone) => typeof buckets[zone] !== 'string' || buckets[zone].length === 0);
    if (missing.length > 0) throw new Error(`S3ObjectStore needs a bucket for every zone; missing: ${missing.join(', ')}`);
    const unknown = Object.keys(buckets).filter((zone) => !(ZONE_NAMES as readonly string[]).includes(zone));
    if (unknown.length > 0) throw new Error(`S3ObjectStore: unknown zones ${unknown.join(', ')}`);
    for (const [i, zone] of ZONE_NAMES.entries()) {
      const earlier = ZONE_NAMES.slice(0, i).find((other) => buckets[other] === buckets[zone]);
      if (earlier) throw new Error(`S3ObjectStore: each zone needs its own bucket; ${zone} and ${earlier} both name ${buckets[zone]}`);
    }
    this.buckets = Object.freeze(Object.fromEntries(ZONE_NAMES.map((zone) => [zone, buckets[zone]])) as Record<ZoneName, string>);

    this.partSize = options.partSize ?? 8 * MIB;
    this.queueSize = options.queueSize ?? 4;
    this.listPageSize = options.listPageSize ?? 1000;
    if (!Number.isInteger(this.partSize) || this.partSize < 5 * MIB) throw new Error(`S3ObjectStore: partSize must be an integer of at least 5 MiB, not ${this.partSize}`);
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1) throw new Error(`S3ObjectStore: queueSize must be a positive integer, not ${this.queueSize}`);
    if (!Number.isInteger(this.listPageSize) || this.listPageSize < 1 || this.listPageSize > 1000) {
      throw new Error(`S3ObjectStore: listPageSize must be an integer from 1 to 1000, not ${this.listPageSize}`);
    }
  }

  /** The bucket of a zone. A zone from an event or a command line could be anything: only the seven are accepted. */
  bucketOf(zone: ZoneName): string {
    if (!(ZONE_NAMES as readonly string[]).includes(zone)) throw new InvalidKeyError(`unknown zone ${JSON.stringify(zone)}`);
    return this.buckets[zone];
  }

  /** Bucket and key of a ref, both checked. */
  private locate(ref: ObjectRef): { Bucket: string; Key: string } {
    const Bucket = this.bucketOf(ref.zone);
    checkKey(ref.key);
    return { Bucket, Key: ref.key };
  }

  async put(ref: ObjectRef, body: AsyncIterable<Uint8Array> | Uint8Array | string): Promise<ObjectInfo> {
    const location = this.locate(ref);
    let size = 0;
    let Body: Uint8Array | Readable;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      Body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      size = Body.byteLength;
    } else {
      Body = Readable.from(
        (async function* counted(): AsyncIterable<Uint8Array> {
          for await (const chunk of body) {
            size += chunk.byteLength;
            yield chunk;
          }
        })(),
        { objectMode: false },
      );
    }

    // No ServerSideEncryption / SSEKMSKeyId: the bucket's default SSE-KMS applies (see the top of the file).
    const upload = new Upload({
      client: this.client,
      params: { ...location, Body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const written = await upload.done();

    const info = await this.head(ref);
    // Deleted by someone else right after the write: report what was written.
    return info ?? objectInfo(ref.zone, ref.key, size, new Date(), written.ETag);
  }

  async *read(ref: ObjectRef): AsyncIterable<Uint8Array> {
    const location = this.locate(ref);
    let output;
    try {
      output = await this.client.send(new GetObjectCommand(location));
    } catch (error) {
      if (isMissingObject(error)) throw new ObjectNotFoundError(ref);
      throw error;
    }
    const body = output.Body;
    if (body === undefined) return;
    if (!(body instanceof Readable)) throw new Error(`GetObject of ${ref.zone}/${ref.key} returned a body that is not a Node.js stream`);
    try {
      yield* body;
    } finally {
      // Stopping early (or failing) releases the connection instead of leaving the rest unread.
      body.destroy();
    }
  }

  async head(ref: ObjectRef): Promise<ObjectInfo | null> {
    const location = this.locate(ref);
    try {
      const output = await this.client.send(new HeadObjectCommand(location));
      return objectInfo(ref.zone, ref.key, output.ContentLength, output.LastModified, output.ETag);
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw error;
    }
  }

  /**
   * Every object under the prefix, in key order. Objects whose keys the port cannot address (e.g.
   * the empty `folder/` markers the S3 console creates) are left out: they could be neither read
   * nor deleted through the port.
   */
  async list(zone: ZoneName, prefix = ''): Promise<ObjectInfo[]> {
    const Bucket = this.bucketOf(zone);
    const found: ObjectInfo[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket, Prefix: prefix === '' ? undefined : prefix, ContinuationToken, MaxKeys: this.listPageSize }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key === undefined || !isAddressable(key)) continue;
        found.push(objectInfo(zone, key, object.Size, object.LastModified, object.ETag));
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    // S3 lists general purpose buckets in this order already; sorting keeps the port's promise for
    // any S3 API (directory buckets, for one, list in no particular order).
    return inKeyOrder(found);
  }

  /** Idempotent: S3 answers a delete of a missing key with success. */
  async delete(ref: ObjectRef): Promise<void> {
    await this.client.send(new DeleteObjectCommand(this.locate(ref)));
  }
}

function isAddressable(key: string): boolean {
  try {
    checkKey(key);
    return true;
  } catch {
    return false;
  }
}
