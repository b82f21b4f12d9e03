/** The workspace port on a temporary folder (os.tmpdir(), which is /tmp in Lambda). */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectRef, ObjectStore } from '../../core/ports/object-store';
import type { LocalFile, Workspace } from '../../core/ports/workspace';

function localFile(file: string): LocalFile {
  return { path: file, read: () => createReadStream(file), size: async () => (await stat(file)).size };
}

export class TempWorkspace implements Workspace {
  private constructor(private readonly dir: string) {}

  static async create(parent: string = tmpdir()): Promise<TempWorkspace> {
    return new TempWorkspace(await mkdtemp(path.join(parent, 'c2c-work-')));
  }

  async copyOf(store: ObjectStore, ref: ObjectRef): Promise<LocalFile> {
    // A name of our own: the object's could hold characters an engine reads as a glob (*, ?, [).
    const file = path.join(this.dir, randomUUID());
    await pipeline(Readable.from(store.read(ref)), createWriteStream(file, { flags: 'wx' }));
    return localFile(file);
  }

  /** A new file whose name ends like `name` (its extension tells tools what it holds). */
  newFile(name: string): LocalFile {
    return localFile(path.join(this.dir, `${randomUUID()}${path.extname(name).replace(/[^.\w]/g, '')}`));
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
