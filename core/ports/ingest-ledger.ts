/**
 * The ingest ledger: which file contents have been ingested, from which landing object, with
 * what verdict and where the results went. It makes ingestion idempotent (the same event twice
 * gives one result), resumable (a crash is finished by the next run) and duplicate-aware (the same
 * bytes dropped again are reported, not ingested twice). Locally a folder; in AWS a DynamoDB table.
 */
import type { ObjectRef } from './object-store';

export type IngestVerdict = 'accepted' | 'rejected' | 'duplicate';

export interface LandingObjectVersion {
  /** Key in the landing zone. */
  readonly key: string;
  /** What identifies this delivery of the object: S3 version id or ETag + last-modified; locally size + mtime. */
  readonly version: string;
}

export interface LedgerEntry {
  /** SHA-256 of the file's bytes as delivered (compressed bytes for a .gz drop), hex. */
  readonly sha256: string;
  readonly contractId: string;
  readonly landing: LandingObjectVersion;
  readonly verdict: IngestVerdict;
  /** Everything written for this file: the Parquet or quarantined original, and the reports. */
  readonly outputs: readonly ObjectRef[];
  /** ISO timestamp. */
  readonly recordedAt: string;
}

export interface IngestLedger {
  /** The entry for these bytes, or null when they were never ingested. */
  find(sha256: string): Promise<LedgerEntry | null>;
  /**
   * Records an entry unless one already exists for its sha256; returns the entry that is stored
   * afterwards (the new one, or the earlier one that won). Must be atomic: two concurrent callers
   * both see the same winner.
   */
  recordIfAbsent(entry: LedgerEntry): Promise<LedgerEntry>;
}
