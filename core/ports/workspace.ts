/**
 * Local scratch space for work an engine does on files: a copy of an object to validate, a
 * Parquet file to write before it is uploaded. In Lambda this is /tmp (ephemeral storage);
 * on a laptop a temporary folder.
 */
import type { ObjectRef, ObjectStore } from './object-store';

export interface LocalFile {
  readonly path: string;
  read(): AsyncIterable<Uint8Array>;
  size(): Promise<number>;
}

export interface Workspace {
  /** A local copy of the object. */
  copyOf(store: ObjectStore, ref: ObjectRef): Promise<LocalFile>;
  /** A new, not yet existing local file. */
  newFile(name: string): LocalFile;
  /** Removes everything this workspace holds. */
  clear(): Promise<void>;
}
