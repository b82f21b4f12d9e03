/**
 * Lambda entry of the Query API (API Gateway REST, proxy integration): wires Athena and S3 to the
 * handler in core/api, with Powertools logging. The handler and its publication are made once per
 * container; a new publication is picked up within PUBLICATION_MAX_AGE_MS.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AthenaPublishedTable } from '../../adapters/api/athena-published-table';
import { s3PublishedFiles } from '../../adapters/api/s3-published-files';
import { createQueryApi, type ApiHandler, type ApiRequest } from '../../core/api/handler';

const logger = new Logger();

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function wholeNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`environment variable ${name} must be a whole number`);
  return value;
}

/** Origins whose pages may read the answers (the dashboards'): API Gateway answers preflights, the function the requests. */
const CORS_ORIGINS = new Set((process.env.CORS_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean));

/** CORS headers for a request from an allowed origin; none otherwise (the browser then withholds the answer). */
export function corsHeaders(origin: string | undefined, allowed: ReadonlySet<string>): Record<string, string> {
  const vary = { vary: 'Origin' };
  if (!origin || !allowed.has(origin)) return vary;
  return { ...vary, 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After, Content-Disposition' };
}

/** Published data change at most once per pipeline run: re-reading the publication every 5 minutes is plenty. */
const PUBLICATION_MAX_AGE_MS = 5 * 60 * 1000;

let api: Promise<ApiHandler> | undefined;

function queryApi(): Promise<ApiHandler> {
  api ??= createQueryApi({
    table: new AthenaPublishedTable(new AthenaClient({}), {
      workgroup: required('ATHENA_WORKGROUP'),
      database: required('ATHENA_DATABASE'),
      table: required('ATHENA_TABLE'),
      timeoutMs: wholeNumber('QUERY_TIMEOUT_MS', 10_000),
      resultReuseMaxAgeMinutes: wholeNumber('RESULT_REUSE_MAX_AGE_MINUTES', 60),
    }),
    files: s3PublishedFiles(new S3Client({}), required('PUBLISHED_BUCKET')),
    publicationMaxAgeMs: PUBLICATION_MAX_AGE_MS,
    log: { warn: (message, fields) => logger.warn(message, fields), error: (message, fields) => logger.error(message, fields) },
  }).catch((error: unknown) => {
    api = undefined;
    throw error;
  });
  return api;
}

/** The proxy event as the handler's request: the query string rebuilt from API Gateway's decoded values. */
export function apiRequest(event: APIGatewayProxyEvent): ApiRequest {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) query.append(name, value);
  }
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const body = event.body === null ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return { method: event.httpMethod, path: event.path, query: query.toString(), headers, body };
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  logger.appendKeys({ requestId: event.requestContext?.requestId });
  const request = apiRequest(event);
  const response = await (await queryApi())(request);
  // Query strings hold metric ids, years and group names only: no person-level data to keep out of logs.
  logger.info('answered', { method: event.httpMethod, path: event.path, status: response.status });
  return { statusCode: response.status, headers: { ...response.headers, ...corsHeaders(request.headers.origin, CORS_ORIGINS) }, body: response.body };
}
