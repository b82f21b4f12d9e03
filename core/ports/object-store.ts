/**
 * The object-store port: what the platform needs from a bucket-per-zone lake. The local-folder
 * adapter implements it for laptops and tests; the S3 adapter for AWS.
 */
import type { ZoneName } from '../lake/zones';

export interface ObjectRef {
  readonly zone: ZoneName;
  /** Slash-separated key inside the zone, e.g. `cde/k12_enrollment/k12_enrollment_2019-20.txt`. */
  readonly key: string;
}

export interface ObjectInfo extends ObjectRef {
  readonly size: number;
  readonly lastModified: Date;
  /**
   * What tells this delivery of the object from an earlier or later one under the same key:
   * S3's version id or ETag; locally size and modification time.
   */
  readonly version: string;
}

export interface ObjectStore {
  /** Writes the whole object at once; readers never see a partly written object. */
  put(ref: ObjectRef, body: AsyncIterable<Uint8Array> | Uint8Array | string): Promise<ObjectInfo>;
  /** Streams the object's bytes; fails with ObjectNotFoundError if it is not there. */
  read(ref: ObjectRef): AsyncIterable<Uint8Array>;
  /** The object's size and date, or null when there is no such object. */
  head(ref: ObjectRef): Promise<ObjectInfo | null>;
  /** Every object in the zone whose key starts with the prefix, in key order. */
  list(zone: ZoneName, prefix?: string): Promise<ObjectInfo[]>;
  /** Removes the object; removing an object that is not there is not an error. */
  delete(ref: ObjectRef): Promise<void>;
}

/** Objects in S3's key order: by the keys' UTF-8 bytes (JavaScript's `<` compares UTF-16 code units, which differs above U+D7FF). */
export function inKeyOrder(objects: readonly ObjectInfo[]): ObjectInfo[] {
  return objects
    .map((object) => ({ object, bytes: Buffer.from(object.key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ object }) => object);
}

export class ObjectNotFoundError extends Error {
  constructor(readonly ref: ObjectRef) {
    super(`no object ${ref.key} in zone ${ref.zone}`);
  }
}

export class InvalidKeyError extends Error {}

/**
 * Keys are relative, slash-separated paths: no empty, `.` or `..` segments, no backslashes or
 * control characters, at most 1,024 bytes (S3's limit). This keeps a key from escaping its zone.
 */
export function checkKey(key: string): void {
  const problem =
    key.length === 0 ? 'is empty'
    : Buffer.byteLength(key, 'utf8') > 1024 ? 'is longer than 1024 bytes'
    : /[\\\u0000-\u001f]/.test(key) ? 'contains a backslash or a control character'
    : key.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'has an empty, "." or ".." segment'
    : null;
  if (problem) throw new InvalidKeyError(`object key ${JSON.stringify(key)} ${problem}`);
}
