/**
 * Ingesting one landing object: validate it, write the accepted records to `raw` as Parquet (or
 * the original bytes to `quarantine`), with the report beside either, check what was written,
 * record the outcome in the ledger, and only then remove the landing object.
 *
 * Every step can be repeated: destinations are named from the content's hash and the delivery's
 * date, so a re-run after a crash at any point writes the same objects again, finds its own
 * ledger entry, and finishes; an event delivered twice finds the landing object gone, or its own
 * entry, and changes nothing. Identical bytes delivered again are reported as a duplicate.
 */
import { createHash } from 'node:crypto';
import { contractFor, ContractError } from '../contracts/catalog';
import type { Contract } from '../contracts/types';
import { landingKey, partnerFolder, rawPartnerFolder, REPORT_SUFFIXES } from '../lake/layout';
import type { IngestLedger, LedgerEntry } from '../ports/ingest-ledger';
import type { ObjectInfo, ObjectRef, ObjectStore } from '../ports/object-store';
import type { SqlEngine } from '../ports/sql-engine';
import type { LocalFile, Workspace } from '../ports/workspace';
import { summaryText, type ValidationReport } from '../validation/report';
import { validateDrop } from '../validation/validate';

export interface IngestDependencies {
  readonly store: ObjectStore;
  readonly ledger: IngestLedger;
  readonly engine: SqlEngine;
  readonly workspace: Workspace;
  readonly now?: () => Date;
}

export type IngestOutcome =
  | { readonly status: 'ingested'; readonly landingKey: string; readonly verdict: LedgerEntry['verdict']; readonly outputs: readonly ObjectRef[]; readonly report: ValidationReport }
  /** The landing object is not there: an event for an object already ingested. */
  | { readonly status: 'gone'; readonly landingKey: string }
  /** The key names no partner dataset with a contract; the object is left for an operator. */
  | { readonly status: 'no_contract'; readonly landingKey: string; readonly message: string };

/** The writes of one attempt did not read back as written. */
export class IngestVerificationError extends Error {}

interface LandingPath {
  readonly partner: string;
  readonly dataset: string;
  readonly fileName: string;
}

function parseLandingKey(key: string): LandingPath | null {
  const parts = key.split('/');
  if (parts.length !== 3) return null;
  const [partner, dataset, fileName] = parts as [string, string, string];
  return { partner, dataset, fileName };
}

/** `raw/<dataset>/partner=<p>/ingest_date=<d>/…` and `quarantine/<partner>/<dataset>/ingest_date=<d>/…` (DESIGN.md §2). */
export function destinations(contract: Contract, fileName: string, sha256: string, ingestDate: string, duplicateDelivery?: string): {
  readonly parquet: ObjectRef;
  readonly quarantined: ObjectRef;
  readonly reportJson: (accepted: boolean) => ObjectRef;
  readonly reportText: (accepted: boolean) => ObjectRef;
} {
  const stem = fileName.replace(/\.gz$/, '').replace(/\.[^.]*$/, '');
  const tag = sha256.slice(0, 12);
  const rawPrefix = `${rawPartnerFolder(contract.dataset, contract.partner)}ingest_date=${ingestDate}/${stem}.${tag}`;
  // A duplicate goes to its own folder, named after its delivery, so it never overwrites the
  // quarantined original of the same bytes.
  const quarantinePrefix = `${partnerFolder(contract.partner)}${contract.dataset}/ingest_date=${ingestDate}/${tag}` +
    (duplicateDelivery === undefined ? '' : `/duplicate-${createHash('sha256').update(duplicateDelivery).digest('hex').slice(0, 12)}`);
  const report = (accepted: boolean, suffix: string): ObjectRef =>
    accepted ? { zone: 'raw', key: `${rawPrefix}${suffix}` } : { zone: 'quarantine', key: `${quarantinePrefix}/${fileName}${suffix}` };
  return {
    parquet: { zone: 'raw', key: `${rawPrefix}.parquet` },
    quarantined: { zone: 'quarantine', key: `${quarantinePrefix}/${fileName}` },
    reportJson: (accepted) => report(accepted, REPORT_SUFFIXES.json),
    reportText: (accepted) => report(accepted, REPORT_SUFFIXES.text),
  };
}

async function putVerified(store: ObjectStore, ref: ObjectRef, body: Uint8Array | string | LocalFile): Promise<ObjectRef> {
  const expected = typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.length : await body.size();
  const written = await store.put(ref, typeof body === 'string' || body instanceof Uint8Array ? body : body.read());
  const seen = await store.head(ref);
  if (written.size !== expected || seen?.size !== expected) {
    throw new IngestVerificationError(`wrote ${expected} bytes to ${ref.zone}/${ref.key} but found ${seen?.size ?? 'nothing'}`);
  }
  return ref;
}

export async function ingestLandingObject(key: string, deps: IngestDependencies): Promise<IngestOutcome> {
  const { store, ledger, engine, workspace } = deps;
  const now = deps.now ?? (() => new Date());
  const landing: ObjectRef = { zone: 'landing', key };
  const path = parseLandingKey(key);
  let contract: Contract;
  try {
    if (!path) throw new ContractError(`landing keys are <partner>/<dataset>/<file>, not ${key}`);
    contract = contractFor(path.partner, path.dataset);
  } catch (error) {
    if (error instanceof ContractError) return { status: 'no_contract', landingKey: key, message: error.message };
    throw error;
  }
  const info = await store.head(landing);
  if (!info) return { status: 'gone', landingKey: key };

  const copy = await workspace.copyOf(store, landing);
  const drop = { name: path.fileName, localPath: copy.path, read: () => copy.read() };
  // Written while validating, and used only if the drop is accepted and new.
  const parquet = workspace.newFile(`${path.fileName}.parquet`);
  const sourceObject = landingKey(path.partner, path.dataset, path.fileName);
  const { report, parquetRecords } = await validateDrop(drop, contract, engine, { now, parquet: { path: parquet.path, sourceObject } });
  const earlier = await ledger.find(report.file.sha256);
  if (earlier && isSameDelivery(earlier, key, info)) {
    // A re-run after a crash that came after the ledger entry: check the outputs and finish.
    for (const output of earlier.outputs) {
      if (!(await store.head(output))) throw new IngestVerificationError(`ledger names ${output.zone}/${output.key}, which is missing`);
    }
    await store.delete(landing);
    return { status: 'ingested', landingKey: key, verdict: earlier.verdict, outputs: earlier.outputs, report };
  }

  const ingestDate = info.lastModified.toISOString().slice(0, 10);
  if (earlier) {
    const to = destinations(contract, path.fileName, report.file.sha256, ingestDate, `${key}@${info.version}`);
    const duplicate: ValidationReport = {
      ...report, verdict: 'duplicate', rows: { ...report.rows, accepted: 0 },
      duplicateOf: { sha256: earlier.sha256, landingKey: earlier.landing.key, recordedAt: earlier.recordedAt },
    };
    const outputs = await writeQuarantine(store, to, copy, duplicate);
    await store.delete(landing);
    return { status: 'ingested', landingKey: key, verdict: 'duplicate', outputs, report: duplicate };
  }

  const to = destinations(contract, path.fileName, report.file.sha256, ingestDate);
  const accepted = report.verdict === 'accepted';
  let outputs: ObjectRef[];
  if (accepted) {
    if (parquetRecords !== report.rows.read) {
      throw new IngestVerificationError(`the engine read ${parquetRecords} records where the structural pass counted ${report.rows.read}`);
    }
    outputs = [
      await putVerified(store, to.parquet, parquet),
      await putVerified(store, to.reportJson(true), JSON.stringify(report, null, 2) + '\n'),
      await putVerified(store, to.reportText(true), summaryText(report)),
    ];
  } else {
    outputs = await writeQuarantine(store, to, copy, report);
  }
  const entry: LedgerEntry = {
    sha256: report.file.sha256, contractId: contract.id, landing: { key, version: info.version }, verdict: report.verdict,
    outputs, recordedAt: now().toISOString(),
  };
  const winner = await ledger.recordIfAbsent(entry);
  if (!isSameDelivery(winner, key, info)) {
    // Identical bytes under another name were ingested at the same moment and won the ledger:
    // take back what only this attempt wrote, and go again as the duplicate it is.
    const theirs = new Set(winner.outputs.map((o) => `${o.zone}/${o.key}`));
    for (const output of outputs) if (!theirs.has(`${output.zone}/${output.key}`)) await store.delete(output);
    return ingestLandingObject(key, deps);
  }
  await store.delete(landing);
  return { status: 'ingested', landingKey: key, verdict: report.verdict, outputs, report };
}

function isSameDelivery(entry: LedgerEntry, key: string, info: ObjectInfo): boolean {
  return entry.landing.key === key && entry.landing.version === info.version;
}

/** The original bytes, unchanged, and the report beside them. */
async function writeQuarantine(store: ObjectStore, to: ReturnType<typeof destinations>, copy: LocalFile, report: ValidationReport): Promise<ObjectRef[]> {
  return [
    await putVerified(store, to.quarantined, copy),
    await putVerified(store, to.reportJson(false), JSON.stringify(report, null, 2) + '\n'),
    await putVerified(store, to.reportText(false), summaryText(report)),
  ];
}

/** Everything waiting in the landing zone, one object after another, in key order. */
export async function ingestLandingZone(deps: IngestDependencies, onObject: (outcome: IngestOutcome, done: number, total: number) => void = () => undefined): Promise<IngestOutcome[]> {
  const waiting = await deps.store.list('landing');
  const outcomes: IngestOutcome[] = [];
  for (const object of waiting) {
    const outcome = await ingestLandingObject(object.key, deps);
    outcomes.push(outcome);
    onObject(outcome, outcomes.length, waiting.length);
  }
  return outcomes;
}
