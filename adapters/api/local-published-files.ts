/** The published files of a local lake (zones as folders, as LocalFolderStore lays them out). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineUnavailableError, type PublishedFiles } from '../../core/ports/published-table';

export function localPublishedFiles(lakeRoot: string): PublishedFiles {
  return {
    async readText(location) {
      if (!location.startsWith('published/')) throw new Error(`the API reads the published zone only, not ${location}`);
      try {
        return await readFile(path.join(lakeRoot, ...location.split('/')), 'utf8');
      } catch (error) {
        throw new EngineUnavailableError(`${location} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    },
  };
}
