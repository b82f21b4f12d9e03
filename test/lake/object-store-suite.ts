/**
 * The ObjectStore port's behaviour, as tests that every implementation must pass: call
 * `describeObjectStore(name, harness)` at the top level of a test file. The local-folder store runs
 * it in local-folder.test.ts, the S3 store against moto's server in s3.test.ts; what only one
 * implementation does (staging folders, multipart uploads) is tested in its own file.
 */
import type { ZoneName } from '../../core/lake/zones';
import { InvalidKeyError, ObjectNotFoundError, type ObjectRef, type ObjectStore } from '../../core/ports/object-store';

export interface ObjectStoreHarness {
  /** A fresh, empty store for one test (seven empty zones). */
  create(): Promise<ObjectStore>;
  /** Cleans up after one test. */
  dispose?(): Promise<void>;
  /**
   * What the store keeps besides objects that every write must clean up, whether it succeeded or
   * failed: staging files of a local folder, unfinished multipart uploads in S3. [] when clean.
   */
  leftovers(zone: ZoneName): Promise<string[]>;
}

export const ref = (key: string, zone: ZoneName = 'landing'): ObjectRef => ({ zone, key });

export async function bytesOf(store: ObjectStore, r: ObjectRef): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of store.read(r)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for (const part of parts) {
    await new Promise((resolve) => setImmediate(resolve));
    yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
  }
}

/** A body that yields two chunks, then throws `source broke`. */
export async function* failingBody(): AsyncIterable<Uint8Array> {
  yield Buffer.from('first part,');
  await new Promise((resolve) => setImmediate(resolve));
  yield Buffer.from('second part,');
  throw new Error('source broke');
}

/** Keys that checkKey rejects, with why. */
export const INVALID_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['', 'empty'],
  ['../x', 'parent segment'],
  ['a/../b', 'parent segment in the middle'],
  ['..', 'parent'],
  ['./a', 'dot segment'],
  ['a/.', 'trailing dot segment'],
  ['/abs', 'absolute'],
  ['a//b', 'empty segment'],
  ['a/', 'trailing slash'],
  ['a\\b', 'backslash'],
  ['..\\x', 'backslash parent'],
  ['a\u0000b', 'NUL'],
  ['a\nb', 'newline'],
  ['a\u001fb', 'unit separator'],
  ['x'.repeat(1025), 'over 1024 bytes'],
  ['é'.repeat(513), 'over 1024 bytes in UTF-8 (513 characters)'],
];

/** A key for a test's name: JSON, long keys shortened. */
export function showKey(key: string): string {
  return key.length > 24 ? `${JSON.stringify(key.slice(0, 8))}… (${key.length} characters)` : JSON.stringify(key);
}

export function describeObjectStore(name: string, harness: ObjectStoreHarness): void {
  describe(`ObjectStore behaviour: ${name}`, () => {
    let store: ObjectStore;
    const read = (r: ObjectRef): Promise<Buffer> => bytesOf(store, r);

    beforeEach(async () => {
      store = await harness.create();
    });

    afterEach(async () => {
      await harness.dispose?.();
    });

    describe('put and read', () => {
      it('stores a string as UTF-8', async () => {
        const text = 'last_name\tfirst_name\nNúñez\tJosé 👍\n';
        const info = await store.put(ref('cde/k12_enrollment/a.txt'), text);
        expect(info).toMatchObject({ zone: 'landing', key: 'cde/k12_enrollment/a.txt', size: Buffer.byteLength(text, 'utf8') });
        expect(Number.isFinite(info.lastModified.getTime())).toBe(true);
        expect(await read(ref('cde/k12_enrollment/a.txt'))).toEqual(Buffer.from(text, 'utf8'));
      });

      it('returns exactly what head says afterwards', async () => {
        const info = await store.put(ref('p/q.csv'), 'a,b\n1,2\n');
        expect(Object.keys(info).sort()).toEqual(['key', 'lastModified', 'size', 'version', 'zone']);
        expect(await store.head(ref('p/q.csv'))).toEqual(info);
      });

      it('stores a Uint8Array byte for byte, including every byte value', async () => {
        const bytes = new Uint8Array(256 * 4);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
        const info = await store.put(ref('bin/all-bytes', 'raw'), bytes);
        expect(info.size).toBe(bytes.length);
        expect(await read(ref('bin/all-bytes', 'raw'))).toEqual(Buffer.from(bytes));
      });

      it('stores an async iterable of chunks in order', async () => {
        const big = Buffer.alloc(300_000, 'x');
        const info = await store.put(ref('chunks'), chunksOf('one,', new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac]), big, ',end'));
        const expected = Buffer.concat([Buffer.from('one,'), Buffer.from([0xe2, 0x82, 0xac]), big, Buffer.from(',end')]);
        expect(info.size).toBe(expected.length);
        expect((await store.head(ref('chunks')))?.size).toBe(expected.length);
        expect((await read(ref('chunks'))).equals(expected)).toBe(true);
      });

      it('stores an empty object', async () => {
        expect((await store.put(ref('empty'), '')).size).toBe(0);
        expect(await read(ref('empty'))).toEqual(Buffer.alloc(0));
        expect((await store.put(ref('empty2'), chunksOf())).size).toBe(0);
        expect(await read(ref('empty2'))).toEqual(Buffer.alloc(0));
        expect((await store.put(ref('empty3'), new Uint8Array(0))).size).toBe(0);
      });

      it('keeps zones apart', async () => {
        await store.put(ref('same/key', 'landing'), 'landing');
        await store.put(ref('same/key', 'raw'), 'raw');
        expect((await read(ref('same/key', 'landing'))).toString()).toBe('landing');
        expect((await read(ref('same/key', 'raw'))).toString()).toBe('raw');
        expect(await store.head(ref('same/key', 'published'))).toBeNull();
      });

      it('stores keys with spaces, dots and non-ASCII characters as they are', async () => {
        const keys = ['sp ace/Ñ.txt', '.hidden', 'a..b', '...', 'q?x=1&y#z', 'plus+sign', 'per%cent', 'x/'.repeat(40) + 'deep'];
        for (const key of keys) await store.put(ref(key), key);
        for (const key of keys) expect((await read(ref(key))).toString()).toBe(key);
        expect((await store.list('landing')).map((o) => o.key).sort()).toEqual([...keys].sort());
      });

      it('reading a missing object fails with ObjectNotFoundError', async () => {
        await expect(read(ref('nothing/here'))).rejects.toBeInstanceOf(ObjectNotFoundError);
        await expect(read(ref('nothing/here'))).rejects.toThrow('no object nothing/here in zone landing');
      });

      it('reading a folder (a prefix of other keys) fails with ObjectNotFoundError', async () => {
        await store.put(ref('a/b'), 'x');
        await expect(read(ref('a'))).rejects.toBeInstanceOf(ObjectNotFoundError);
      });

      it('reading "through" an object fails with ObjectNotFoundError', async () => {
        await store.put(ref('a'), 'x');
        await expect(read(ref('a/b'))).rejects.toBeInstanceOf(ObjectNotFoundError);
      });

      it('the error carries the ref', async () => {
        const missing = ref('gone', 'identity');
        await expect(read(missing)).rejects.toMatchObject({ ref: missing });
      });

      it('a reader may stop early', async () => {
        await store.put(ref('long'), Buffer.alloc(2_000_000, 'l'));
        for await (const chunk of store.read(ref('long'))) {
          expect(chunk.byteLength).toBeGreaterThan(0);
          break;
        }
        expect((await read(ref('long'))).length).toBe(2_000_000);
      });
    });

    describe('versions', () => {
      it('every object has a version, the same from put, head and list while it is unchanged', async () => {
        const info = await store.put(ref('v/a.csv'), 'one');
        expect(typeof info.version).toBe('string');
        expect(info.version.length).toBeGreaterThan(0);
        expect((await store.head(ref('v/a.csv')))?.version).toBe(info.version);
        expect((await store.head(ref('v/a.csv')))?.version).toBe(info.version);
        expect((await store.list('landing', 'v/')).map((o) => o.version)).toEqual([info.version]);
      });

      it('a new body under the key is a new version', async () => {
        const first = await store.put(ref('v/b.csv'), 'first body');
        const second = await store.put(ref('v/b.csv'), 'second, longer body');
        expect(second.version).not.toBe(first.version);
        expect((await store.head(ref('v/b.csv')))?.version).toBe(second.version);
      });
    });

    describe('head', () => {
      it('returns the size and date of an object', async () => {
        const before = Date.now();
        await store.put(ref('x/y.csv'), 'abc');
        const info = await store.head(ref('x/y.csv'));
        expect(info).toMatchObject({ zone: 'landing', key: 'x/y.csv', size: 3 });
        // S3 keeps dates to the second.
        expect(info?.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2000);
        expect(info?.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      });

      it('returns null when absent', async () => {
        expect(await store.head(ref('absent'))).toBeNull();
        expect(await store.head(ref('absent/deeper/still'))).toBeNull();
      });

      it('returns null for a folder, and for a path through an object', async () => {
        await store.put(ref('a/b'), 'x');
        expect(await store.head(ref('a'))).toBeNull();
        expect(await store.head(ref('a/b/c'))).toBeNull();
      });
    });

    describe('list', () => {
      const keys = ['cde/k12_enrollment/2019.txt', 'cde/k12_enrollment/2020.txt', 'cde/k12_graduation/2020.txt', 'cdex/file', 'edd/ui_wages/q1.csv', 'top.txt'];

      beforeEach(async () => {
        // Written out of order.
        for (const key of [...keys].reverse()) await store.put(ref(key), key);
      });

      it('lists every object in key order with sizes', async () => {
        const listed = await store.list('landing');
        expect(listed.map((o) => o.key)).toEqual(keys);
        for (const o of listed) {
          expect(Object.keys(o).sort()).toEqual(['key', 'lastModified', 'size', 'version', 'zone']);
          expect(o.zone).toBe('landing');
          expect(o.size).toBe(Buffer.byteLength(o.key));
          expect(Number.isFinite(o.lastModified.getTime())).toBe(true);
        }
      });

      it.each([
        ['cde/', ['cde/k12_enrollment/2019.txt', 'cde/k12_enrollment/2020.txt', 'cde/k12_graduation/2020.txt']],
        ['cde', ['cde/k12_enrollment/2019.txt', 'cde/k12_enrollment/2020.txt', 'cde/k12_graduation/2020.txt', 'cdex/file']],
        ['cde/k12_', ['cde/k12_enrollment/2019.txt', 'cde/k12_enrollment/2020.txt', 'cde/k12_graduation/2020.txt']],
        ['cde/k12_enrollment/2020', ['cde/k12_enrollment/2020.txt']],
        ['cde/k12_enrollment/2020.txt', ['cde/k12_enrollment/2020.txt']],
        ['t', ['top.txt']],
        ['nothing', []],
        ['cde/k12_enrollment/2020.txt/', []],
      ])('by prefix %j', async (prefix, expected) => {
        expect((await store.list('landing', prefix)).map((o) => o.key)).toEqual(expected);
      });

      it('lists a key with a .staging segment below the top', async () => {
        await store.put(ref('cde/.staging/x'), 'x');
        expect((await store.list('landing', 'cde/.')).map((o) => o.key)).toEqual(['cde/.staging/x']);
      });

      it('lists only the zone asked for', async () => {
        expect(await store.list('raw')).toEqual([]);
        await store.put(ref('r', 'raw'), 'r');
        expect((await store.list('raw')).map((o) => o.key)).toEqual(['r']);
        expect((await store.list('landing')).map((o) => o.key)).toEqual(keys);
      });

      it('orders keys by their UTF-8 bytes, as S3 does', async () => {
        // U+FF21 (fullwidth A) sorts after U+1F44D (emoji) as UTF-16 units, before it as UTF-8 bytes (EF < F0).
        const odd = ['u/\u{1F44D}', 'u/\uFF21', 'u/B', 'u/a', 'u/é'];
        for (const key of odd) await store.put(ref(key, 'linked'), 'x');
        const expected = [...odd].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(expected).toEqual(['u/B', 'u/a', 'u/é', 'u/\uFF21', 'u/\u{1F44D}']);
        expect((await store.list('linked', 'u/')).map((o) => o.key)).toEqual(expected);
      });
    });

    describe('delete', () => {
      it('removes the object', async () => {
        await store.put(ref('a/b.txt'), 'x');
        await store.delete(ref('a/b.txt'));
        expect(await store.head(ref('a/b.txt'))).toBeNull();
        await expect(read(ref('a/b.txt'))).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await store.list('landing')).toEqual([]);
      });

      it('is idempotent', async () => {
        await store.put(ref('a/b.txt'), 'x');
        await store.delete(ref('a/b.txt'));
        await expect(store.delete(ref('a/b.txt'))).resolves.toBeUndefined();
        await expect(store.delete(ref('never/was'))).resolves.toBeUndefined();
      });

      it('deleting a key that names a folder removes nothing', async () => {
        await store.put(ref('a/b'), 'x');
        await expect(store.delete(ref('a'))).resolves.toBeUndefined();
        expect((await read(ref('a/b'))).toString()).toBe('x');
      });

      it('leaves its siblings alone', async () => {
        await store.put(ref('a/b'), 'b');
        await store.put(ref('a/c'), 'c');
        await store.delete(ref('a/b'));
        expect((await store.list('landing')).map((o) => o.key)).toEqual(['a/c']);
      });

      it('a key can become an object after everything under it is deleted', async () => {
        await store.put(ref('a/b/c'), 'deep');
        await store.delete(ref('a/b/c'));
        await store.put(ref('a'), 'now an object');
        expect((await read(ref('a'))).toString()).toBe('now an object');
      });

      it('a deleted key can be written again', async () => {
        await store.put(ref('k'), 'first');
        await store.delete(ref('k'));
        await store.put(ref('k'), 'second');
        expect((await read(ref('k'))).toString()).toBe('second');
      });
    });

    describe('overwrite', () => {
      it('replaces the content', async () => {
        await store.put(ref('k'), 'old content, longer than the new');
        const info = await store.put(ref('k'), 'new');
        expect(info.size).toBe(3);
        expect((await read(ref('k'))).toString()).toBe('new');
        expect(await store.list('landing')).toHaveLength(1);
      });

      it('is atomic: while a new body streams in, readers see the old content whole', async () => {
        const old = Buffer.alloc(100_000, 'o');
        await store.put(ref('k'), old);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let firstChunkWritten!: () => void;
        const started = new Promise<void>((resolve) => (firstChunkWritten = resolve));
        async function* slowBody(): AsyncIterable<Uint8Array> {
          yield Buffer.alloc(50_000, 'n');
          firstChunkWritten();
          await gate;
          yield Buffer.alloc(70_000, 'n');
        }
        const writing = store.put(ref('k'), slowBody());
        await started;
        // Mid-write: the key still holds the old object, whole.
        expect((await read(ref('k'))).equals(old)).toBe(true);
        expect((await store.head(ref('k')))?.size).toBe(old.length);
        expect((await store.list('landing')).map((o) => [o.key, o.size])).toEqual([['k', old.length]]);
        release();
        await writing;
        expect((await read(ref('k'))).equals(Buffer.alloc(120_000, 'n'))).toBe(true);
      });

      it('concurrent writers leave one whole body, never a mix', async () => {
        const bodies = ['a', 'b', 'c', 'd', 'e'].map((c) => Buffer.alloc(64_000, c));
        await Promise.all(bodies.map((body) => store.put(ref('race'), chunksOf(body.subarray(0, 32_000), body.subarray(32_000)))));
        const final = await read(ref('race'));
        expect(bodies.some((body) => body.equals(final))).toBe(true);
        expect(await harness.leftovers('landing')).toEqual([]);
      });
    });

    describe('a failed put', () => {
      it('rejects with the source error, leaves no object and nothing else behind', async () => {
        await expect(store.put(ref('p/broken.csv'), failingBody())).rejects.toThrow('source broke');
        expect(await store.head(ref('p/broken.csv'))).toBeNull();
        await expect(read(ref('p/broken.csv'))).rejects.toBeInstanceOf(ObjectNotFoundError);
        expect(await store.list('landing')).toEqual([]);
        expect(await harness.leftovers('landing')).toEqual([]);
      });

      it('keeps the old object when overwriting fails', async () => {
        await store.put(ref('p/kept.csv'), 'original');
        await expect(store.put(ref('p/kept.csv'), failingBody())).rejects.toThrow('source broke');
        expect((await read(ref('p/kept.csv'))).toString()).toBe('original');
        expect((await store.head(ref('p/kept.csv')))?.size).toBe(8);
        expect(await harness.leftovers('landing')).toEqual([]);
      });

      it('a successful put leaves nothing behind either', async () => {
        await store.put(ref('ok'), chunksOf('a', 'b'));
        expect(await harness.leftovers('landing')).toEqual([]);
      });
    });

    describe('keys', () => {
      it.each(INVALID_KEYS.map(([key, why]) => ({ key, why, shown: showKey(key) })))('put, read, head and delete all reject $shown ($why) with InvalidKeyError', async ({ key }) => {
        await expect(store.put(ref(key), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(read(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.head(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
      });

      it('a rejected key writes nothing', async () => {
        await expect(store.put(ref('../escaped'), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.put(ref('a//b'), chunksOf('x'))).rejects.toBeInstanceOf(InvalidKeyError);
        expect(await store.list('landing')).toEqual([]);
        expect(await harness.leftovers('landing')).toEqual([]);
      });

      it('an unknown zone is rejected by every operation', async () => {
        const outside = { zone: '..' as ZoneName, key: 'x' };
        await expect(store.put(outside, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(bytesOf(store, outside)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.head(outside)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(outside)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.list('..' as ZoneName)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.list('constructor' as ZoneName)).rejects.toBeInstanceOf(InvalidKeyError);
      });
    });
  });
}
