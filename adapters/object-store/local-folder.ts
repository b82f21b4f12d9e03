/**
 * The lake on a laptop: one folder per zone under a root folder, laid out like the buckets.
 * Writes go to a temporary file in the zone and are renamed into place, so a crash never leaves a
 * half-written object under its key.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { checkKey, ObjectNotFoundError, type ObjectInfo, type ObjectRef, type ObjectStore } from '../../core/ports/object-store';

/** Temporary files live here inside each zone folder; never listed, never a valid key segment. */
const STAGING = '.staging';

export class LocalFolderStore implements ObjectStore {
  constructor(readonly root: string) {}

  /** Creates the zone folders (idempotent). */
  async init(): Promise<void> {
    await Promise.all(ZONE_NAMES.map((zone) => mkdir(path.join(this.root, zone), { recursive: true })));
  }

  pathOf(ref: ObjectRef): string {
    checkKey(ref.key);
    if (ref.key.split('/')[0] === STAGING) throw new ObjectNotFoundError(ref);
    return path.join(this.root, ref.zone, ...ref.key.split('/'));
  }

  async put(ref: ObjectRef, body: AsyncIterable<Uint8Array> | Uint8Array | string): Promise<ObjectInfo> {
    const target = this.pathOf(ref);
    const staging = path.join(this.root, ref.zone, STAGING);
    await mkdir(staging, { recursive: true });
    const temporary = path.join(staging, randomUUID());
    try {
      const source = typeof body === 'string' || body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);
      await pipeline(source, createWriteStream(temporary, { flags: 'wx' }));
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return (await this.head(ref)) as ObjectInfo;
  }

  async *read(ref: ObjectRef): AsyncIterable<Uint8Array> {
    const file = this.pathOf(ref);
    if (!(await this.head(ref))) throw new ObjectNotFoundError(ref);
    yield* createReadStream(file);
  }

  async head(ref: ObjectRef): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(ref));
      return info.isFile() ? { ...ref, size: info.size, lastModified: info.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async list(zone: ZoneName, prefix = ''): Promise<ObjectInfo[]> {
    const zoneRoot = path.join(this.root, zone);
    const found: ObjectInfo[] = [];
    const walk = async (folder: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (keyPrefix === '' && entry.name === STAGING) continue;
        if (entry.isDirectory()) {
          if (prefix.startsWith(key + '/') || (key + '/').startsWith(prefix)) await walk(path.join(folder, entry.name), key + '/');
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const info = await stat(path.join(folder, entry.name));
          found.push({ zone, key, size: info.size, lastModified: info.mtime });
        }
      }
    };
    await walk(zoneRoot, '');
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(ref: ObjectRef): Promise<void> {
    await rm(this.pathOf(ref), { force: true });
  }
}
