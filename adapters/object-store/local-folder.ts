/**
 * The lake on a laptop: one folder per zone under a root folder, laid out like the buckets.
 * Writes go to a temporary file in the zone and are renamed into place, so a crash never leaves a
 * half-written object under its key.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { checkKey, inKeyOrder, InvalidKeyError, ObjectNotFoundError, type ObjectInfo, type ObjectRef, type ObjectStore } from '../../core/ports/object-store';

/** Temporary files live here inside each zone folder; never listed, never a valid first key segment. */
const STAGING = '.staging';

/** What a missing object (or a path through a file, e.g. `a/b` when `a` is an object) looks like to the file system. */
function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class LocalFolderStore implements ObjectStore {
  constructor(readonly root: string) {}

  /** Creates the zone folders (idempotent). */
  async init(): Promise<void> {
    await Promise.all(ZONE_NAMES.map((zone) => mkdir(path.join(this.root, zone), { recursive: true })));
  }

  pathOf(ref: ObjectRef): string {
    checkKey(ref.key);
    if (ref.key.split('/')[0] === STAGING) throw new InvalidKeyError(`object key ${JSON.stringify(ref.key)} is in the reserved folder ${STAGING}`);
    return path.join(this.zoneFolder(ref.zone), ...ref.key.split('/'));
  }

  private zoneFolder(zone: ZoneName): string {
    // Zones come typed, but a zone from an event or a command line could be anything, e.g. `..`.
    if (!(ZONE_NAMES as readonly string[]).includes(zone)) throw new InvalidKeyError(`unknown zone ${JSON.stringify(zone)}`);
    return path.join(this.root, zone);
  }

  async put(ref: ObjectRef, body: AsyncIterable<Uint8Array> | Uint8Array | string): Promise<ObjectInfo> {
    const target = this.pathOf(ref);
    const staging = path.join(this.root, ref.zone, STAGING);
    await mkdir(staging, { recursive: true });
    const temporary = path.join(staging, randomUUID());
    try {
      const source = typeof body === 'string' || body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);
      await pipeline(source, createWriteStream(temporary, { flags: 'wx' }));
      // A delete pruning empty folders may remove the target's folder between mkdir and rename.
      for (let attempt = 1; ; attempt++) {
        await mkdir(path.dirname(target), { recursive: true });
        try {
          await rename(temporary, target);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
        }
      }
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return (await this.head(ref)) as ObjectInfo;
  }

  async *read(ref: ObjectRef): AsyncIterable<Uint8Array> {
    const file = this.pathOf(ref);
    if (!(await this.head(ref))) throw new ObjectNotFoundError(ref);
    try {
      yield* createReadStream(file);
    } catch (error) {
      // Deleted between the check and the open.
      if (isAbsent(error)) throw new ObjectNotFoundError(ref);
      throw error;
    }
  }

  async head(ref: ObjectRef): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(ref));
      return info.isFile() ? { ...ref, size: info.size, lastModified: info.mtime, version: `${info.size}:${info.mtimeMs}` } : null;
    } catch (error) {
      if (isAbsent(error)) return null;
      throw error;
    }
  }

  async list(zone: ZoneName, prefix = ''): Promise<ObjectInfo[]> {
    const zoneRoot = this.zoneFolder(zone);
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
          found.push({ zone, key, size: info.size, lastModified: info.mtime, version: `${info.size}:${info.mtimeMs}` });
        }
      }
    };
    await walk(zoneRoot, '');
    return inKeyOrder(found);
  }

  async delete(ref: ObjectRef): Promise<void> {
    const file = this.pathOf(ref);
    // Only an object is removed: a key that names a folder (a prefix of other keys) is no object.
    if (!(await this.head(ref))) return;
    await rm(file, { force: true });
    // Empty folders left behind would block a later object with the folder's name (`a` after `a/b` is gone).
    const zoneRoot = this.zoneFolder(ref.zone);
    for (let folder = path.dirname(file); folder !== zoneRoot && folder.startsWith(zoneRoot + path.sep); folder = path.dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        break; // not empty (or already gone): the folders above are not empty either
      }
    }
  }
}
