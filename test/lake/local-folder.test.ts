import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalFolderStore } from '../../adapters/object-store/local-folder';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { checkKey, InvalidKeyError } from '../../core/ports/object-store';
import { bytesOf, chunksOf, describeObjectStore, failingBody, INVALID_KEYS, ref, showKey } from './object-store-suite';

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

// The port's behaviour (shared with the S3 store): put, read, head, list, delete, keys, atomicity.
{
  let root: string | undefined;
  describeObjectStore('LocalFolderStore', {
    async create() {
      root = await mkdtemp(path.join(os.tmpdir(), 'c2c-local-folder-'));
      const store = new LocalFolderStore(root);
      await store.init();
      return store;
    },
    async dispose() {
      if (root) await rm(root, { recursive: true, force: true });
      root = undefined;
    },
    leftovers: async (zone) => (root ? filesUnder(path.join(root, zone, '.staging')) : []),
  });
}

// What only the local folder does: zone folders, the staging folder, the layout on disk.
describe('LocalFolderStore on disk', () => {
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

  const read = (r: ReturnType<typeof ref>): Promise<Buffer> => bytesOf(store, r);

  describe('init', () => {
    it('creates one folder per zone, all 7', async () => {
      const folders = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      expect(folders).toEqual([...ZONE_NAMES].sort());
      expect(folders).toHaveLength(7);
    });

    it('is idempotent and keeps objects', async () => {
      await store.put(ref('a.txt'), 'kept');
      await store.init();
      expect((await read(ref('a.txt'))).toString()).toBe('kept');
    });

    it('creates the root when it does not exist', async () => {
      const nested = new LocalFolderStore(path.join(root, 'deeper', 'lake'));
      await nested.init();
      expect((await stat(path.join(root, 'deeper', 'lake', 'published'))).isDirectory()).toBe(true);
    });
  });

  it('lays objects out like the buckets', async () => {
    const text = 'last_name\tfirst_name\nNúñez\tJosé 👍\n';
    await store.put(ref('cde/k12_enrollment/a.txt'), text);
    expect(await readFile(path.join(root, 'landing', 'cde', 'k12_enrollment', 'a.txt'), 'utf8')).toBe(text);
  });

  describe('list', () => {
    it('never lists the staging folder, nor its files', async () => {
      await store.put(ref('top.txt'), 'x');
      await writeFile(path.join(root, 'landing', '.staging', 'leftover'), 'tmp');
      expect((await store.list('landing')).map((o) => o.key)).toEqual(['top.txt']);
      expect(await store.list('landing', '.staging')).toEqual([]);
      expect(await store.list('landing', '.')).toEqual([]);
    });

    it('returns [] for a zone whose folder does not exist', async () => {
      await rm(path.join(root, 'outcomes'), { recursive: true });
      expect(await store.list('outcomes')).toEqual([]);
      const fresh = new LocalFolderStore(path.join(root, 'never-initialised'));
      expect(await fresh.list('landing')).toEqual([]);
    });
  });

  it('deleting the last object under a folder prunes the empty folders, not the zone folder', async () => {
    await store.put(ref('a/b/c'), 'deep');
    await store.delete(ref('a/b/c'));
    expect(await readdir(path.join(root, 'landing'))).toEqual(['.staging']);
    expect((await stat(path.join(root, 'landing'))).isDirectory()).toBe(true);
  });

  it('a failed put leaves no file anywhere in the zone', async () => {
    await expect(store.put(ref('p/broken.csv'), failingBody())).rejects.toThrow('source broke');
    expect(await filesUnder(path.join(root, 'landing'))).toEqual([]);
  });

  it('a successful streamed put leaves nothing in staging', async () => {
    await store.put(ref('ok'), chunksOf('a', 'b'));
    expect(await filesUnder(path.join(root, 'landing', '.staging'))).toEqual([]);
  });

  describe('keys', () => {
    it.each(INVALID_KEYS.map(([key, why]) => ({ key, why, shown: showKey(key) })))('checkKey rejects $shown ($why)', ({ key }) => {
      expect(() => checkKey(key)).toThrow(InvalidKeyError);
    });

    it.each(['a', 'a/b/c.txt', '.hidden', 'a/.staging/b', 'a..b', '...', 'x'.repeat(1024), 'é'.repeat(512), 'sp ace/Ñ'].map((key) => ({ key, shown: showKey(key) })))('checkKey accepts $shown', ({ key }) => {
      expect(() => checkKey(key)).not.toThrow();
    });

    it.each(['.staging', '.staging/x', '.staging/a/b'].map((key) => [key]))('put, read, head and delete reject the staging folder key %j with InvalidKeyError', async (key) => {
      await expect(store.put(ref(key), 'x')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(read(ref(key))).rejects.toBeInstanceOf(InvalidKeyError);
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
      await expect(read(ref('.staging/tmp'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.delete(ref('.staging/tmp'))).rejects.toBeInstanceOf(InvalidKeyError);
      expect(await readFile(path.join(root, 'landing', '.staging', 'tmp'), 'utf8')).toBe('secret');
    });

    it('an unknown zone is not resolved as a folder: nothing is written outside the root', async () => {
      const inner = new LocalFolderStore(path.join(root, 'lake'));
      await inner.init();
      const outside = { zone: '..' as ZoneName, key: 'x' };
      await expect(inner.put(outside, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(inner.put({ zone: '../landing' as ZoneName, key: 'y' }, 'y')).rejects.toBeInstanceOf(InvalidKeyError);
      expect(await filesUnder(root)).toEqual([]);
    });
  });
});
