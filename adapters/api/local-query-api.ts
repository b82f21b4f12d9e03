/** The Query API over a local lake's published zone: DuckDB on the published Parquet, files from the lake folder. */
import path from 'node:path';
import { createQueryApi, type ApiHandler, type ApiLogger } from '../../core/api/handler';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { DuckDbPublishedTable } from './duckdb-published-table';
import { localPublishedFiles } from './local-published-files';

export interface LocalQueryApi {
  readonly handler: ApiHandler;
  close(): void;
}

export async function openLocalQueryApi(lakeRoot: string, log?: ApiLogger): Promise<LocalQueryApi> {
  const table = await DuckDbPublishedTable.open(path.join(lakeRoot, ...PUBLISHED_LOCATIONS.parquet.split('/')));
  try {
    const handler = await createQueryApi({ table, files: localPublishedFiles(lakeRoot), log });
    return { handler, close: () => table.close() };
  } catch (error) {
    table.close();
    throw error;
  }
}
