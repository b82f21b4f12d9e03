/**
 * A lake on a laptop, opened for ingestion: the zone folders, the ledger beside them in
 * `.ledger/`, DuckDB, and a scratch folder. Close it when done.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import path from 'node:path';
import type { IngestDependencies } from '../../core/ingest/ingest';
import type { LocationResolver } from '../../core/plan/run';
import { LocalFolderLedger } from '../ledger/local-folder-ledger';
import { LocalFolderStore } from '../object-store/local-folder';
import { DuckDbEngine, type DuckDbOptions } from '../sql/duckdb-engine';
import { TempWorkspace } from '../workspace/temp-workspace';

export interface LocalLake extends IngestDependencies {
  readonly store: LocalFolderStore;
  close(): Promise<void>;
}

/**
 * How plans (linkage, linked tables, the cube) run on a laptop: every core, half the memory, rows
 * in no particular order. Ingestion keeps the engine's Lambda-sized defaults, which it is built for.
 */
export const PLAN_ENGINE_OPTIONS: Omit<DuckDbOptions, 'tempDirectory'> = {
  threads: availableParallelism(),
  memoryLimit: `${Math.max(1, Math.floor(totalmem() / 2 ** 31))}GB`,
  preserveInsertionOrder: false,
};

export async function openLocalLake(dir: string, engineOptions: Omit<DuckDbOptions, 'tempDirectory'> = {}): Promise<LocalLake> {
  const store = new LocalFolderStore(dir);
  await store.init();
  const workspace = await TempWorkspace.create();
  const engine = await DuckDbEngine.open({ ...engineOptions, tempDirectory: workspace.newFile('duckdb-spill').path });
  return {
    store,
    ledger: new LocalFolderLedger(path.join(dir, '.ledger')),
    engine,
    workspace,
    async close() {
      engine.close();
      await workspace.clear();
    },
  };
}

/**
 * Plan locations (`<zone>/<key>`) as paths in a local lake, laid out like LocalFolderStore's. An
 * output replaces what is there: Spark writes a folder of part files where DuckDB writes one file,
 * and DuckDB cannot write a file over a folder, so a folder at an output's path is removed first
 * (a partitioned output is rewritten whole either way).
 */
export function lakeLocations(root: string): LocationResolver {
  return (location, access) => {
    const resolved = path.join(root, ...location.split('/'));
    if (access === 'write') {
      if (statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) rmSync(resolved, { recursive: true, force: true });
      mkdirSync(path.dirname(resolved), { recursive: true });
    }
    return resolved;
  };
}
