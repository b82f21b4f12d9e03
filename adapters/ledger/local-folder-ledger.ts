/**
 * The ingest ledger on a local folder: one JSON file per SHA-256. "Record if absent" is a hard
 * link of a fully written temporary file, which the file system refuses atomically when the
 * name exists, so two concurrent ingests of the same bytes agree on one winner.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IngestLedger, LedgerEntry } from '../../core/ports/ingest-ledger';

export class LocalFolderLedger implements IngestLedger {
  constructor(private readonly dir: string) {}

  private fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('ledger keys are SHA-256 digests in lowercase hex');
    return path.join(this.dir, `${sha256}.json`);
  }

  async find(sha256: string): Promise<LedgerEntry | null> {
    try {
      return JSON.parse(await readFile(this.fileOf(sha256), 'utf8')) as LedgerEntry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async recordIfAbsent(entry: LedgerEntry): Promise<LedgerEntry> {
    const target = this.fileOf(entry.sha256);
    await mkdir(this.dir, { recursive: true });
    const temporary = path.join(this.dir, `.${randomUUID()}.tmp`);
    await writeFile(temporary, JSON.stringify(entry, null, 2) + '\n', { flag: 'wx' });
    try {
      await link(temporary, target);
      return entry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await this.find(entry.sha256)) as LedgerEntry;
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
