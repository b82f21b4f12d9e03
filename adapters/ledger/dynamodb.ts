/**
 * The ingest ledger in AWS: a DynamoDB table with the partition key `sha256` (string), one item per
 * file content ever ingested. Items are written once and never changed.
 *
 * Item layout (DynamoDB JSON through the DocumentClient):
 *   sha256      S   64 lowercase hex digits (the key)
 *   contractId  S
 *   landing     M   { key: S, version: S }
 *   verdict     S   accepted | rejected | duplicate
 *   outputs     L   of M { zone: S, key: S }
 *   recordedAt  S   ISO timestamp
 *
 * Atomicity comes from DynamoDB: `recordIfAbsent` is one conditional PutItem
 * (`attribute_not_exists(sha256)`), so of any number of concurrent callers exactly one writes, and
 * the others read the winner back with a strongly consistent GetItem.
 */
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import type { IngestLedger, IngestVerdict, LedgerEntry } from '../../core/ports/ingest-ledger';

const VERDICTS: readonly IngestVerdict[] = ['accepted', 'rejected', 'duplicate'];

/** Lowercase, as `createHash('sha256').digest('hex')` writes it: `ABC…` and `abc…` must not be two entries. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Attempts of put-then-read before giving up; only an item deleted between the two needs a second. */
const MAX_ATTEMPTS = 3;

export class MalformedLedgerItemError extends Error {}

export class DynamoDbIngestLedger implements IngestLedger {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    if (tableName.length === 0) throw new Error('DynamoDbIngestLedger needs a table name');
    this.documents = DynamoDBDocumentClient.from(client, {
      // Entries are built field by field (toItem), so nothing undefined or empty-set-like reaches the marshaller.
      marshallOptions: { removeUndefinedValues: false, convertEmptyValues: false, convertClassInstanceToMap: false },
      unmarshallOptions: { wrapNumbers: false },
    });
  }

  async find(sha256: string): Promise<LedgerEntry | null> {
    checkSha256(sha256);
    const output = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { sha256 }, ConsistentRead: true }));
    return output.Item ? this.fromItem(output.Item, sha256) : null;
  }

  async recordIfAbsent(entry: LedgerEntry): Promise<LedgerEntry> {
    const item = toItem(entry);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#sha256)',
            ExpressionAttributeNames: { '#sha256': 'sha256' },
          }),
        );
        return fromItemUnchecked(item);
      } catch (error) {
        if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
      }
      // Lost to an earlier entry: the stored one is the answer. Entries are never updated, so the
      // consistent read returns exactly the item that made the condition fail.
      const winner = await this.find(entry.sha256);
      if (winner) return winner;
      // Deleted in between (by hand: the ledger itself never deletes): try to record again.
      if (attempt === MAX_ATTEMPTS) {
        throw new Error(`ledger table ${this.tableName}: the entry for ${entry.sha256} kept disappearing between a failed conditional put and the read after it`);
      }
    }
  }

  private fromItem(item: Record<string, unknown>, sha256: string): LedgerEntry {
    const problem = itemProblem(item);
    if (problem) throw new MalformedLedgerItemError(`ledger table ${this.tableName} has a malformed item for ${sha256}: ${problem}`);
    return fromItemUnchecked(item as unknown as LedgerItem);
  }
}

/** The stored form of an entry: the same fields, as plain data. */
interface LedgerItem {
  sha256: string;
  contractId: string;
  landing: { key: string; version: string };
  verdict: IngestVerdict;
  outputs: Array<{ zone: ZoneName; key: string }>;
  recordedAt: string;
}

function checkSha256(sha256: string): void {
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    throw new TypeError(`not a SHA-256 in lowercase hex: ${JSON.stringify(sha256)}`);
  }
}

/** Exactly an entry's fields, as plain data: nothing else the caller's objects carry is stored or returned. */
function plainFields(entry: LedgerEntry | LedgerItem): LedgerItem {
  return {
    sha256: entry.sha256,
    contractId: entry.contractId,
    landing: { key: entry.landing.key, version: entry.landing.version },
    verdict: entry.verdict,
    outputs: entry.outputs.map((output) => ({ zone: output.zone, key: output.key })),
    recordedAt: entry.recordedAt,
  };
}

/** Checks an entry before it is stored. */
function toItem(entry: LedgerEntry): LedgerItem {
  const problem = itemProblem(entry as unknown as Record<string, unknown>);
  if (problem) throw new TypeError(`invalid ledger entry: ${problem}`);
  return plainFields(entry);
}

function fromItemUnchecked(item: LedgerItem): LedgerEntry {
  return plainFields(item);
}

/** What is wrong with an item (or an entry about to become one), or null. */
function itemProblem(item: Record<string, unknown>): string | null {
  const isString = (value: unknown): value is string => typeof value === 'string';
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isString(item.sha256) || !SHA256_HEX.test(item.sha256)) return 'sha256 is not 64 lowercase hex digits';
  if (!isString(item.contractId)) return 'contractId is not a string';
  const landing = item.landing;
  if (!isRecord(landing) || !isString(landing.key) || !isString(landing.version)) return 'landing is not { key, version } of strings';
  if (!isString(item.verdict) || !(VERDICTS as readonly string[]).includes(item.verdict)) return `verdict is not one of ${VERDICTS.join(', ')}`;
  if (!Array.isArray(item.outputs)) return 'outputs is not a list';
  for (const [i, output] of item.outputs.entries()) {
    if (!isRecord(output) || !isString(output.key) || !isString(output.zone) || !(ZONE_NAMES as readonly string[]).includes(output.zone)) {
      return `outputs[${i}] is not { zone, key } with a known zone`;
    }
  }
  if (!isString(item.recordedAt)) return 'recordedAt is not a string';
  return null;
}
