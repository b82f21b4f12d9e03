/**
 * DynamoDbIngestLedger against moto's DynamoDB on loopback: the port's shared behaviour, then the
 * table layout, input checks and what happens with items the ledger did not write.
 */
import { CreateTableCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbIngestLedger, MalformedLedgerItemError } from '../../adapters/ledger/dynamodb';
import type { LedgerEntry } from '../../core/ports/ingest-ledger';
import { testDynamoDbClient, useMotoServer } from '../aws-local/moto-server';
import { describeIngestLedger, entryFor, sha } from './ingest-ledger-suite';

const moto = useMotoServer();

let client: DynamoDBClient;
beforeAll(() => {
  client = testDynamoDbClient(moto().endpoint);
});
afterAll(() => client?.destroy());

let tables = 0;
/** A new, empty ledger table: partition key `sha256` (string), on demand. */
async function newTable(): Promise<string> {
  const TableName = `c2c-test-ledger-${++tables}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'sha256', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'sha256', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return TableName;
}

describeIngestLedger('DynamoDbIngestLedger on moto', {
  create: async () => new DynamoDbIngestLedger(client, await newTable()),
});

describe('DynamoDbIngestLedger on moto', () => {
  let table: string;
  let ledger: DynamoDbIngestLedger;

  beforeEach(async () => {
    table = await newTable();
    ledger = new DynamoDbIngestLedger(client, table);
  });

  it('stores one item per entry, in the documented layout', async () => {
    const entry = entryFor('layout');
    await ledger.recordIfAbsent(entry);
    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { sha256: { S: entry.sha256 } }, ConsistentRead: true }));
    expect(Item).toEqual({
      sha256: { S: entry.sha256 },
      contractId: { S: entry.contractId },
      landing: { M: { key: { S: entry.landing.key }, version: { S: entry.landing.version } } },
      verdict: { S: 'accepted' },
      outputs: { L: entry.outputs.map((output) => ({ M: { zone: { S: output.zone }, key: { S: output.key } } })) },
      recordedAt: { S: entry.recordedAt },
    });
  });

  it('round-trips an entry with its fields in the same order', async () => {
    const entry = entryFor('field order');
    await ledger.recordIfAbsent(entry);
    expect(JSON.stringify(await ledger.find(entry.sha256))).toBe(JSON.stringify(entry));
  });

  it('round-trips empty strings in non-key attributes', async () => {
    const entry = entryFor('empty strings', { contractId: '', landing: { key: 'x.csv', version: '' } });
    expect(await ledger.recordIfAbsent(entry)).toStrictEqual(entry);
    expect(await ledger.find(entry.sha256)).toStrictEqual(entry);
  });

  it('stores only the entry\'s own fields', async () => {
    const entry = entryFor('with extras');
    const withExtras = { ...entry, extra: 'not part of an entry', landing: { ...entry.landing, etag: '"abc"' } } as LedgerEntry;
    expect(await ledger.recordIfAbsent(withExtras)).toStrictEqual(entry);
    expect(await ledger.find(entry.sha256)).toStrictEqual(entry);
  });

  it('returns copies: changing the caller\'s object afterwards changes nothing stored', async () => {
    const entry = entryFor('mutable', { outputs: [{ zone: 'raw', key: 'a' }] });
    const recorded = await ledger.recordIfAbsent(entry);
    (entry.outputs as Array<{ zone: string; key: string }>).push({ zone: 'raw', key: 'b' });
    expect(recorded.outputs).toEqual([{ zone: 'raw', key: 'a' }]);
    expect((await ledger.find(entry.sha256))?.outputs).toEqual([{ zone: 'raw', key: 'a' }]);
  });

  describe('input checks', () => {
    it.each(['', 'abc', sha('x').toUpperCase(), `${sha('x')}0`, sha('x').replace(/.$/, 'g')])('find rejects %j: not a lowercase hex SHA-256', async (bad) => {
      await expect(ledger.find(bad)).rejects.toThrow('not a SHA-256 in lowercase hex');
    });

    it.each<[string, Partial<Record<keyof LedgerEntry, unknown>>]>([
      ['an uppercase sha256', { sha256: sha('x').toUpperCase() }],
      ['an unknown verdict', { verdict: 'maybe' }],
      ['an output in an unknown zone', { outputs: [{ zone: 'nowhere', key: 'x' }] }],
      ['outputs that are not a list', { outputs: 'raw/x' }],
      ['a landing without a version', { landing: { key: 'x' } }],
      ['a timestamp that is not a string', { recordedAt: new Date() }],
    ])('recordIfAbsent rejects an entry with %s and writes nothing', async (_why, changes) => {
      const entry = { ...entryFor('invalid'), ...changes } as LedgerEntry;
      await expect(ledger.recordIfAbsent(entry)).rejects.toThrow(TypeError);
      expect(await ledger.find(sha('invalid'))).toBeNull();
    });
  });

  it('reports an item it cannot read as malformed, naming the table and the key', async () => {
    const key = sha('foreign');
    await client.send(new PutItemCommand({ TableName: table, Item: { sha256: { S: key }, verdict: { S: 'accepted' } } }));
    await expect(ledger.find(key)).rejects.toThrow(MalformedLedgerItemError);
    await expect(ledger.find(key)).rejects.toThrow(`ledger table ${table} has a malformed item for ${key}: contractId is not a string`);
    // The malformed item still wins the race: recordIfAbsent does not overwrite it.
    await expect(ledger.recordIfAbsent(entryFor('foreign'))).rejects.toThrow(MalformedLedgerItemError);
  });

  it('a missing table is an error, not a miss', async () => {
    const nowhere = new DynamoDbIngestLedger(client, 'c2c-test-no-such-table');
    await expect(nowhere.find(sha('x'))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(nowhere.recordIfAbsent(entryFor('x'))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('needs a table name', () => {
    expect(() => new DynamoDbIngestLedger(client, '')).toThrow('table name');
  });
});
