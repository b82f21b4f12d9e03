import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalFolderStore } from '../../adapters/object-store/local-folder';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { checkKey, InvalidKeyError, ObjectNotFoundError, type ObjectRef } from '../../core/ports/object-store';

let root: string;
let store: LocalFolderStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'c2c-local-folder-'));
  store = new LocalFolderStore(root);
  await store.init();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const ref = (key: string, zone: ZoneName = 'landing'): ObjectRef => ({ zone, key });

async function bytesOf(r: ObjectRef): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of store.read(r)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncIterable<Uint8Array> {
  for (const part of parts) {
    await new Promise((resolve) => setImmediate(resolve));
    yield typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
  }
}

/** Files (not folders) under a folder, relative, or [] when it does not exist. */
async function filesUnder(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath, e.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

describe('init', () => {
  it('creates one folder per zone, all 7', async () => {
    const folders = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(folders).toEqual([...ZONE_NAMES].sort());
    expect(folders).toHaveLength(7);
  });

  it('is idempotent and keeps objects', async () => {
    await store.put(ref('a.txt'), 'kept');
    await store.init();
    expect((await bytesOf(ref('a.txt'))).toString()).toBe('kept');
  });

  it('creates the root when it does not exist', async () => {
    const nested = new LocalFolderStore(path.join(root, 'deeper', 'lake'));
    await nested.init();
    expect((await stat(path.join(root, 'deeper', 'lake', 'published'))).isDirectory()).toBe(true);
  });
});

describe('put and read', () => {
  it('stores a string as UTF-8', async () => {
    const text = 'last_name\tfirst_name\nNúñez\tJosé 👍\n';
    const info = await store.put(ref('cde/k12_enrollment/a.txt'), text);
    expect(info).toMatchObject({ zone: 'landing', key: 'cde/k12_enrollment/a.txt', size: Buffer.byteLength(text, 'utf8') });
    expect(Number.isFinite(info.lastModified.getTime())).toBe(true);
    expect(await bytesOf(ref('cde/k12_enrollment/a.txt'))).toEqual(Buffer.from(text, 'utf8'));
    // Laid out like the bucket.
    expect(await readFile(path.join(root, 'landing', 'cde', 'k12_enrollment', 'a.txt'), 'utf8')).toBe(text);
  });

  it('stores a Uint8Array byte for byte, including every byte value', async () => {
    const bytes = new Uint8Array(256 * 4);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
    const info = await store.put(ref('bin/all-bytes', 'raw'), bytes);
    expect(info.size).toBe(bytes.length);
    expect(await bytesOf(ref('bin/all-bytes', 'raw'))).toEqual(Buffer.from(bytes));
  });

  it('stores an async iterable of chunks in order', async () => {
    const big = Buffer.alloc(300_000, 'x');
    await store.put(ref('chunks'), chunksOf('one,', new Uint8Array([0xe2, 0x82]), new Uint8Array([0xac]), big, ',end'));
    const expected = Buffer.concat([Buffer.from('one,'), Buffer.from([0xe2, 0x82, 0xac]), big, Buffer.from(',end')]);
    const info = await store.head(ref('chunks'));
    expect(info?.size).toBe(expected.length);
    expect((await bytesOf(ref('chunks'))).equals(expected)).toBe(true);
  });

  it('stores an empty object', async () => {
    expect((await store.put(ref('empty'), '')).size).toBe(0);
    expect(await bytesOf(ref('empty'))).toEqual(Buffer.alloc(0));
    expect((await store.put(ref('empty2'), chunksOf())).size).toBe(0);
  });

  it('keeps zones apart', async () => {
    await store.put(ref('same/key', 'landing'), 'landing');
    await store.put(ref('same/key', 'raw'), 'raw');
    expect((await bytesOf(ref('same/key', 'landing'))).toString()).toBe('landing');
    expect((await bytesOf(ref('same/key', 'raw'))).toString()).toBe('raw');
    expect(await store.head(ref('same/key', 'published'))).toBeNull();
  });

  it('reading a missing object fails with ObjectNotFoundError', async () => {
    await expect(bytesOf(ref('nothing/here'))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(bytesOf(ref('nothing/here'))).rejects.toThrow('no object nothing/here in zone landing');
  });

  it('reading a folder (a prefix of other keys) fails with ObjectNotFoundError', async () => {
    await store.put(ref('a/b'), 'x');
    await expect(bytesOf(ref('a'))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('reading "through" an object fails with ObjectNotFoundError', async () => {
    await store.put(ref('a'), 'x');
    await expect(bytesOf(ref('a/b'))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('the error carries the ref', async () => {
    const missing = ref('gone', 'identity');
    await expect(bytesOf(missing)).rejects.toMatchObject({ ref: missing });
  });
});

describe('head', () => {
  it('returns the size and date of an object', async () => {
    const before = Date.now();
    await store.put(ref('x/y.csv'), 'abc');
    const info = await store.head(ref('x/y.csv'));
    expect(info).toMatchObject({ zone: 'landing', key: 'x/y.csv', size: 3 });
    expect(info?.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2000);
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

  it('never lists the staging folder, nor its files', async () => {
    await writeFile(path.join(root, 'landing', '.staging', 'leftover'), 'tmp');
    const all = await store.list('landing');
    expect(all.map((o) => o.key)).toEqual(keys);
    expect(await store.list('landing', '.staging')).toEqual([]);
    expect(await store.list('landing', '.')).toEqual([]);
  });

  it('lists a key with a .staging segment below the top', async () => {
    await store.put(ref('cde/.staging/x'), 'x');
    expect((await store.list('landing', 'cde/.')).map((o) => o.key)).toEqual(['cde/.staging/x']);
  });

  it('lists only the zone asked for', async () => {
    expect(await store.list('raw')).toEqual([]);
    await store.put(ref('r', 'raw'), 'r');
    expect((await store.list('raw')).map((o) => o.key)).toEqual(['r']);
  });

  it('returns [] for a zone whose folder does not exist', async () => {
    await rm(path.join(root, 'outcomes'), { recursive: true });
    expect(await store.list('outcomes')).toEqual([]);
    const fresh = new LocalFolderStore(path.join(root, 'never-initialised'));
    expect(await fresh.list('landing')).toEqual([]);
  });

  it('orders keys by their UTF-8 bytes, as S3 does', async () => {
    await rm(path.join(root, 'linked'), { recursive: true, force: true });
    // U+FF21 (fullwidth A) sorts before U+1F44D (emoji) in UTF-16 units' reverse: as UTF-8 bytes EF < F0.
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
    expect((await bytesOf(ref('a/b'))).toString()).toBe('x');
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
    expect((await bytesOf(ref('a'))).toString()).toBe('now an object');
    // The zone folder itself stays.
    expect((await stat(path.join(root, 'landing'))).isDirectory()).toBe(true);
  });
});

describe('overwrite', () => {
  it('replaces the content', async () => {
    await store.put(ref('k'), 'old content, longer than the new');
    const info = await store.put(ref('k'), 'new');
    expect(info.size).toBe(3);
    expect((await bytesOf(ref('k'))).toString()).toBe('new');
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
    expect((await bytesOf(ref('k'))).equals(old)).toBe(true);
    expect((await store.head(ref('k')))?.size).toBe(old.length);
    release();
    await writing;
    expect((await bytesOf(ref('k'))).equals(Buffer.alloc(120_000, 'n'))).toBe(true);
  });

  it('concurrent writers leave one whole body, never a mix', async () => {
    const bodies = ['a', 'b', 'c', 'd', 'e'].map((c) => Buffer.alloc(64_000, c));
    await Promise.all(bodies.map((body) => store.put(ref('race'), chunksOf(body.subarray(0, 32_000), body.subarray(32_000)))));
    const final = await bytesOf(ref('race'));
    expect(bodies.some((body) => body.equals(final))).toBe(true);
    expect(await filesUnder(path.join(root, 'landing', '.staging'))).toEqual([]);
  });
});

describe('a failed put', () => {
  async function* failing(): AsyncIterable<Uint8Array> {
    yield Buffer.from('first part,');
    await new Promise((resolve) => setImmediate(resolve));
    yield Buffer.from('second part,');
    throw new Error('source broke');
  }

  it('rejects with the source error, leaves no object and no staging file', async () => {
    await expect(store.put(ref('p/broken.csv'), failing())).rejects.toThrow('source broke');
    expect(await store.head(ref('p/broken.csv'))).toBeNull();
    expect(await store.list('landing')).toEqual([]);
    expect(await filesUnder(path.join(root, 'landing', '.staging'))).toEqual([]);
    expect(await filesUnder(path.join(root, 'landing'))).toEqual([]);
  });

  it('keeps the old object when overwriting fails', async () => {
    await store.put(ref('p/kept.csv'), 'original');
    await expect(store.put(ref('p/kept.csv'), failing())).rejects.toThrow('source broke');
    expect((await bytesOf(ref('p/kept.csv'))).toString()).toBe('original');
    expect(await filesUnder(path.join(root, 'landing', '.staging'))).toEqual([]);
  });

  it('a successful put leaves nothing in staging either', async () => {
    await store.put(ref('ok'), chunksOf('a', 'b'));
    expect(await filesUnder(path.join(root, 'landing', '.staging'))).toEqual([]);
  });
});

describe('keys', () => {
  const invalid: Array<[string, string]> = [
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

  it.each(invalid)('checkKey rejects %j (%s)', (key) => {
    expect(() => checkKey(key)).toThrow(InvalidKeyError);
  });

  it.each(['a', 'a/b/c.txt', '.hidden', 'a/.staging/b', 'a..b', '...', 'x'.repeat(1024), 'é'.repeat(512), 'sp ace/Ñ'])('checkKey accepts %j', (key) => {
    expect(() => checkKey(key)).not.toThrow();
  });

  const staging = ['.staging', '.staging/x', '.staging/a/b'];
  const rejected = [...invalid.map(([key]) => key), ...staging];

  it.each(rejected.map((key) => [key]))('put, read, head and delete all reject %j with InvalidKeyError', async (key) => {
    await expect(store.put(ref(key), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(bytesOf(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.head(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.delete(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('a rejected key writes nothing anywhere', async () => {
    await expect(store.put(ref('../escaped'), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.put(ref('.staging/planted'), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('a staging file cannot be read, even when one is there', async () => {
    await mkdir(path.join(root, 'landing', '.staging'), { recursive: true });
    await writeFile(path.join(root, 'landing', '.staging', 'tmp'), 'secret');
    await expect(bytesOf(ref('.staging/tmp'))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.delete(ref('.staging/tmp'))).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await readFile(path.join(root, 'landing', '.staging', 'tmp'), 'utf8')).toBe('secret');
  });

  it('an unknown zone is rejected rather than resolved as a folder', async () => {
    const outside = { zone: '..' as ZoneName, key: 'x' };
    await expect(store.put(outside, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.head(outside)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.list('..' as ZoneName)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await filesUnder(path.dirname(root)).then((files) => files.includes(path.join(path.basename(root), 'x')))).toBe(false);
  });
});
