/**
 * Puts partner drop files into the lake's landing zone, as a partner's transfer would: every file
 * under `<drops>/<partner>/<dataset>/` to `landing/<partner>/<dataset>/<file>`.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { allContracts } from '../../core/contracts/catalog';
import { landingKey } from '../../core/lake/layout';
import type { ObjectInfo, ObjectStore } from '../../core/ports/object-store';

export async function landDrops(dropsDir: string, store: ObjectStore, onFile: (done: number, total: number) => void = () => undefined): Promise<ObjectInfo[]> {
  const files: Array<{ partner: string; dataset: string; name: string }> = [];
  for (const contract of allContracts()) {
    const folder = path.join(dropsDir, contract.partner, contract.dataset);
    const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    for (const name of names.sort()) files.push({ partner: contract.partner, dataset: contract.dataset, name });
  }
  const landed: ObjectInfo[] = [];
  for (const file of files) {
    const source = createReadStream(path.join(dropsDir, file.partner, file.dataset, file.name));
    landed.push(await store.put({ zone: 'landing', key: landingKey(file.partner, file.dataset, file.name) }, source));
    onFile(landed.length, files.length);
  }
  return landed;
}
