/** Small measuring helpers shared by benchmarks. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Total size in bytes of the files under a folder. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
