/**
 * The Query API's AWS side against moto's server on loopback: the Athena adapter (SQL text,
 * execution parameters, workgroup, result reuse, typed rows, failures as 503s), the S3 reader of
 * the published files, and the Lambda's mapping of API Gateway proxy events.
 */
import { CreateWorkGroupCommand, GetQueryExecutionCommand, ListQueryExecutionsCommand, type AthenaClient, type QueryExecution } from '@aws-sdk/client-athena';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AthenaPublishedTable, executionParameter } from '../../adapters/api/athena-published-table';
import { s3PublishedFiles } from '../../adapters/api/s3-published-files';
import { EngineUnavailableError } from '../../core/ports/published-table';
import { apiRequest, corsHeaders } from '../../lambdas/query-api/handler';
import { TEST_REGION, testAthenaClient, testS3Client, useMotoServer } from '../aws-local/moto-server';

const moto = useMotoServer();
const WORKGROUP = 'c2c-test-api';

/** moto answers the next query with these rows (its test API for Athena results). */
async function nextAthenaResult(columns: Array<[name: string, type: string]>, rows: Array<Array<string | null>>): Promise<void> {
  const cell = (value: string | null): Record<string, string> => (value === null ? {} : { VarCharValue: value });
  const response = await fetch(`${moto().endpoint}/moto-api/static/athena/query-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      region: TEST_REGION,
      results: [{
        rows: [{ Data: columns.map(([name]) => cell(name)) }, ...rows.map((row) => ({ Data: row.map(cell) }))],
        column_info: columns.map(([Name, Type]) => ({ Name, Type, CatalogName: 'hive', SchemaName: '', TableName: '', Label: Name, Nullable: 'UNKNOWN', CaseSensitive: false })),
      }],
    }),
  });
  expect(response.status).toBe(201);
}

async function lastExecution(client: AthenaClient): Promise<QueryExecution | undefined> {
  const { QueryExecutionIds: ids = [] } = await client.send(new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }));
  return (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: ids[ids.length - 1] }))).QueryExecution;
}

describe('AthenaPublishedTable', () => {
  let client: AthenaClient;
  beforeAll(async () => {
    client = testAthenaClient(moto().endpoint);
    await client.send(new CreateWorkGroupCommand({ Name: WORKGROUP }));
  });

  it('sends the SQL with every value as an execution parameter, and types the rows by column', async () => {
    await nextAthenaResult([['cohort_year', 'integer'], ['gender', 'varchar'], ['cohort_count', 'bigint'], ['rate', 'double']], [
      ['2020', 'F', '100', '0.61'],
      ['2020', 'X', null, null],
    ]);
    const table = new AthenaPublishedTable(client, { workgroup: WORKGROUP, database: 'c2c_test_published', table: 'outcomes', timeoutMs: 5000, resultReuseMaxAgeMinutes: 60, firstPollMs: 1 });
    const rows = await table.select({
      sql: `SELECT cohort_year, gender, cohort_count, rate FROM ${table.tableName} WHERE metric_id = ? AND gender IN (?, ?) AND cohort_year IN (?)`,
      parameters: ['college_going', "O'Brien", 'F', 2020],
    });
    expect(rows).toEqual([
      { cohort_year: 2020, gender: 'F', cohort_count: 100, rate: 0.61 },
      { cohort_year: 2020, gender: 'X', cohort_count: null, rate: null },
    ]);
    const execution = await lastExecution(client);
    expect(execution?.Query).toBe('SELECT cohort_year, gender, cohort_count, rate FROM "c2c_test_published"."outcomes" WHERE metric_id = ? AND gender IN (?, ?) AND cohort_year IN (?)');
    expect(execution?.ExecutionParameters).toEqual(["'college_going'", "'O''Brien'", "'F'", '2020']);
    expect(execution?.WorkGroup).toBe(WORKGROUP);
    expect(execution?.QueryExecutionContext?.Database).toBe('c2c_test_published');
  });

  it('reports an unreachable Athena as EngineUnavailableError', async () => {
    const unreachable = testAthenaClient('http://127.0.0.1:9');
    const table = new AthenaPublishedTable(unreachable, { workgroup: WORKGROUP, database: 'd', table: 't', timeoutMs: 1000, resultReuseMaxAgeMinutes: 0 });
    await expect(table.select({ sql: 'SELECT 1', parameters: [] })).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('stops a query that outlives the timeout and reports it', async () => {
    const sent: string[] = [];
    let clock = 0;
    const stuck = {
      send: async (command: { constructor: { name: string } }): Promise<unknown> => {
        sent.push(command.constructor.name);
        if (command.constructor.name === 'StartQueryExecutionCommand') return { QueryExecutionId: 'q-1' };
        if (command.constructor.name === 'GetQueryExecutionCommand') return { QueryExecution: { Status: { State: 'RUNNING' } } };
        return {};
      },
    } as unknown as AthenaClient;
    const table = new AthenaPublishedTable(stuck, {
      workgroup: WORKGROUP, database: 'd', table: 't', timeoutMs: 1000, resultReuseMaxAgeMinutes: 0,
      now: () => clock, sleep: async (ms) => void (clock += ms),
    });
    await expect(table.select({ sql: 'SELECT 1', parameters: [] })).rejects.toThrow(/took longer than 1000 ms and was stopped/);
    expect(sent[sent.length - 1]).toBe('StopQueryExecutionCommand');
  });

  it('quotes string parameters as SQL literals and refuses numbers that are not finite', () => {
    expect(executionParameter("a'b")).toBe("'a''b'");
    expect(executionParameter(2021)).toBe('2021');
    expect(() => executionParameter(Number.NaN)).toThrow(/finite/);
  });
});

describe('s3PublishedFiles', () => {
  it('reads published/<key> from the published bucket, and only from the published zone', async () => {
    const s3 = testS3Client(moto().endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'c2c-test-published', CreateBucketConfiguration: { LocationConstraint: TEST_REGION } }));
    await s3.send(new PutObjectCommand({ Bucket: 'c2c-test-published', Key: 'outcomes/metadata.json', Body: '{"runId":"r"}' }));
    const files = s3PublishedFiles(s3, 'c2c-test-published');
    expect(await files.readText('published/outcomes/metadata.json')).toBe('{"runId":"r"}');
    await expect(files.readText('published/outcomes/missing.json')).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(files.readText('identity/person_crosswalk.parquet')).rejects.toThrow(/published zone only/);
  });
});

describe('the Lambda entry', () => {
  it('turns a proxy event into the handler\'s request: decoded values re-encoded, repeated parameters kept, headers in lower case, base64 bodies decoded', () => {
    const event = {
      httpMethod: 'POST',
      path: '/v1/query',
      multiValueQueryStringParameters: { filter: ['region:Central Coast', 'region:San Diego-Imperial'], format: ['csv'] },
      headers: { 'Content-Type': 'application/json', Accept: 'text/csv' },
      body: Buffer.from('{"metric":"x"}').toString('base64'),
      isBase64Encoded: true,
    } as unknown as APIGatewayProxyEvent;
    const request = apiRequest(event);
    expect(request).toEqual({
      method: 'POST', path: '/v1/query', body: '{"metric":"x"}',
      headers: { 'content-type': 'application/json', accept: 'text/csv' },
      query: 'filter=region%3ACentral+Coast&filter=region%3ASan+Diego-Imperial&format=csv',
    });
  });

  it('lets pages of the allowed origins read the answers, and no other page', () => {
    const allowed = new Set(['https://dashboard.c2c.example.gov']);
    expect(corsHeaders('https://dashboard.c2c.example.gov', allowed)).toEqual({
      vary: 'Origin', 'access-control-allow-origin': 'https://dashboard.c2c.example.gov', 'access-control-expose-headers': 'Retry-After, Content-Disposition',
    });
    expect(corsHeaders('https://evil.example', allowed)).toEqual({ vary: 'Origin' });
    expect(corsHeaders(undefined, allowed)).toEqual({ vary: 'Origin' });
  });
});
