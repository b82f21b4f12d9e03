/**
 * Lambda entry for partner drops: wires the AWS adapters (S3, DynamoDB, SNS), DuckDB and /tmp to
 * the ingestion use case, with Powertools for logs and metrics. Everything else is in
 * ./process.ts and core/.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { DynamoDbIngestLedger } from '../../adapters/ledger/dynamodb';
import { S3ObjectStore } from '../../adapters/object-store/s3';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { TempWorkspace } from '../../adapters/workspace/temp-workspace';
import { processDropEvents, type DropEventDependencies } from './process';

const logger = new Logger();
const metrics = new Metrics();

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const buckets = Object.fromEntries(ZONE_NAMES.map((zone) => [zone, required(`${zone.toUpperCase()}_BUCKET`)])) as Record<ZoneName, string>;
const store = new S3ObjectStore(new S3Client({}), buckets);
const ledger = new DynamoDbIngestLedger(new DynamoDBClient({}), required('LEDGER_TABLE'));
const sns = new SNSClient({});
const topicArn = required('VERDICT_TOPIC_ARN');

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  // A fresh workspace and engine per invocation: /tmp is emptied of one drop before the next.
  const workspace = await TempWorkspace.create('/tmp');
  const engine = await DuckDbEngine.open({ tempDirectory: workspace.newFile('duckdb-spill').path, memoryLimit: '1GB', homeDirectory: '/tmp' });
  const deps: DropEventDependencies = {
    store, ledger, engine, workspace,
    publish: async (verdict) => {
      await sns.send(new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(verdict.message),
        MessageAttributes: {
          partner: { DataType: 'String', StringValue: verdict.partner },
          verdict: { DataType: 'String', StringValue: verdict.verdict },
        },
      }));
    },
    log: (level, message, details) => logger[level](message, { ...details }),
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
  };
  try {
    return await processDropEvents(event, deps);
  } finally {
    engine.close();
    await workspace.clear();
    metrics.publishStoredMetrics();
  }
}
