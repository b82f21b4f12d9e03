import { CfnOutput, Size, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { MAX_BODY_BYTES } from '../../core/api/handler';
import { ApiFirewall } from '../api/api-firewall';
import { QueryApi } from '../api/query-api';
import { QueryApiAlarms } from '../api/query-api-alarms';
import { QueryApiFunction } from '../api/query-api-function';
import type { EnvironmentConfig } from '../config/environments';
import { QueryWorkgroup } from '../consumption/query-workgroup';
import { PublishedOutcomesTable } from '../governance/published-outcomes-table';
import { allowCloudWatchLogs, encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';
import type { OperatorAlerts } from '../ingestion/operator-alerts';
import { AccessLogBucket } from '../storage/access-log-bucket';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { backUpOrExplain } from '../storage/lake-backup';

/** The handler's limit of a request body (the OpenAPI document's `TooLarge`); WAF refuses larger ones first. */
export const MAX_REQUEST_BODY = Size.bytes(MAX_BODY_BYTES);

export interface ApiStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The data lake, from the storage stack: the API reads its published zone. */
  readonly storage: DataLakeStorage;
  /** The operators' topic (the ingestion stack's): the API's alarms notify it. */
  readonly alerts: OperatorAlerts;
}

/**
 * The Query API (DESIGN.md §4): API Gateway (REST, built from api/openapi.json) behind AWS WAF,
 * in front of a Lambda function that answers from the published zone, through the catalog's
 * `outcomes` table and an Athena workgroup of its own. Refers to the storage stack's published
 * bucket, key and database and to the ingestion stack's operator topic; neither refers to this one.
 */
export class ApiStack extends Stack {
  public readonly table: PublishedOutcomesTable;
  public readonly accessLogBucket: AccessLogBucket;
  public readonly queries: QueryWorkgroup;
  public readonly logKey: kms.IKey;
  public readonly handler: QueryApiFunction;
  public readonly api: QueryApi;
  public readonly firewall: ApiFirewall;
  public readonly alarms: QueryApiAlarms;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    const api = config.api;
    const name = `${config.namePrefix}-query-api`;
    const keyOptions = (keyName: string): EncryptionKeyOptions => ({
      keyAlias: `alias/${config.namePrefix}/${keyName}`,
      keyRemovalPolicy: config.removalPolicy,
      keyDeletionWindow: config.keyDeletionWindow,
    });
    if (api.resultReuseMaxAge.toMinutes() > api.queryResultRetention.toMinutes()) {
      throw new Error('api.resultReuseMaxAge must not exceed api.queryResultRetention: Athena reuses results it can still read');
    }

    this.table = new PublishedOutcomesTable(this, 'PublishedOutcomes', { storage });

    // Server access logs of the API workgroup's results bucket (the other stacks' log buckets
    // would need a policy naming it: a reference back).
    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      retention: config.storage.accessLogRetention,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    // Audit records: who read the API's query results.
    backUpOrExplain(storage.backup, this, 'AccessLogBackup', { buckets: [this.accessLogBucket.bucket] });
    this.queries = new QueryWorkgroup(this, 'Queries', {
      ...keyOptions('query-api-results'),
      workgroupName: name,
      description: `The Query API's queries over the ${config.namePrefix} published outcomes: results encrypted, scans limited.`,
      bytesScannedCutoffPerQuery: api.bytesScannedCutoffPerQuery,
      resultRetention: api.queryResultRetention,
      accessLogBucket: this.accessLogBucket.bucket,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });

    // One key for the API's logs: the function's, API Gateway's access and execution logs, WAF's.
    this.logKey = encryptionKey(this, 'LogKey', `Encrypts the logs of the ${name}: function, API Gateway, WAF.`, keyOptions('query-api-logs'));
    allowCloudWatchLogs(this.logKey);

    this.handler = new QueryApiFunction(this, 'Handler', {
      roleName: `${config.namePrefix}-query-api`,
      storage,
      table: this.table,
      workgroup: this.queries,
      logKey: this.logKey,
      metricsNamespace: config.namePrefix,
      queryTimeout: api.queryTimeout,
      resultReuseMaxAge: api.resultReuseMaxAge,
      corsOrigins: api.corsOrigins,
      reservedConcurrentExecutions: api.reservedConcurrency,
      logLevel: api.logLevel,
      logRetention: api.logRetention,
      logRemovalPolicy: config.removalPolicy,
    });

    this.api = new QueryApi(this, 'QueryApi', {
      restApiName: name,
      function: this.handler.function,
      logKey: this.logKey,
      logRetention: api.logRetention,
      logRemovalPolicy: config.removalPolicy,
      publicRead: api.publicRead,
      corsOrigins: api.corsOrigins,
      throttle: api.throttle,
      operationThrottles: api.operationThrottles,
      partners: api.partners,
    });

    this.firewall = new ApiFirewall(this, 'Firewall', {
      name,
      resourceArn: this.api.stage.stageArn,
      rateLimitPer5Minutes: api.wafRateLimitPer5Minutes,
      maxBodySize: MAX_REQUEST_BODY,
      logKey: this.logKey,
      logRetention: api.logRetention,
      logRemovalPolicy: config.removalPolicy,
    });

    this.alarms = new QueryApiAlarms(this, 'Alarms', {
      stage: this.api.stage,
      function: this.handler.function,
      alerts: props.alerts,
      serverErrorsPer5Minutes: 5,
      p99Latency: api.queryTimeout,
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'The Query API\'s base URL; operations are under /v1/ (e.g. <this>v1/metrics).',
      value: this.api.stage.urlForPath('/'),
    });
    new CfnOutput(this, 'FunctionName', {
      description: 'The Query API\'s Lambda function (logs: its log group; traces: X-Ray).',
      value: this.handler.function.functionName,
    });
  }
}
