import { join } from 'node:path';
import { Aws, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeHipaaAndNist, acknowledgeInlinePolicy } from '../compliance';
import { duckDbBundling } from './duckdb-bundling';
import { encryptionKey, type EncryptionKeyOptions } from './encryption-key';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The repository root: where package.json, the lock file and `lambdas/` are. */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** The validation handler (DESIGN.md §4, Validation); owned by the lambdas/ folder. */
export const INGEST_DROP_ENTRY = join(PROJECT_ROOT, 'lambdas', 'ingest-drop', 'handler.ts');

/**
 * Memory: 3008 MB gives DuckDB about 1.7 vCPUs and a 2.4 GB memory limit (its default, 80 %),
 * past which it spills to /tmp. The largest drop is bounded by /tmp, not by time (see
 * docs/infrastructure.md), so more memory would cost more without raising the limit.
 */
export const DEFAULT_MEMORY_SIZE_MB = 3008;
/** The Lambda maximum: time to download, hash, validate, convert and upload a multi-gigabyte drop. */
export const DEFAULT_TIMEOUT = Duration.minutes(15);
/** The Lambda maximum: /tmp holds the downloaded drop, the Parquet output and DuckDB's spill files. */
export const DEFAULT_EPHEMERAL_STORAGE = Size.gibibytes(10);

export interface IngestDropFunctionProps extends EncryptionKeyOptions {
  /**
   * Prefix for metrics: `POWERTOOLS_METRICS_NAMESPACE`, e.g. `c2c-dev`.
   */
  readonly metricsNamespace: string;

  /**
   * The handler's source file.
   *
   * @default INGEST_DROP_ENTRY (`lambdas/ingest-drop/handler.ts`)
   */
  readonly entry?: string;

  /**
   * The project that holds the entry, package.json and package-lock.json.
   *
   * @default - the repository root
   */
  readonly projectRoot?: string;

  /**
   * The Node.js runtime. The default is the newest Lambda offers (nodejs20.x, which the project
   * builds on, is deprecated in Lambda since 2026-04-30); DuckDB's binding uses Node-API, which
   * is stable across Node.js versions.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /** @default DEFAULT_MEMORY_SIZE_MB (3008) */
  readonly memorySize?: number;

  /** @default DEFAULT_TIMEOUT (15 minutes) */
  readonly timeout?: Duration;

  /** @default DEFAULT_EPHEMERAL_STORAGE (10 GiB) */
  readonly ephemeralStorageSize?: Size;

  /**
   * Concurrency reserved for (and capping) the function: at least the event source's maximum
   * concurrency (`consume`), or the function is throttled. Reserving takes capacity from the
   * account's unreserved pool, of which Lambda keeps 100 back, so a new account (10 in total)
   * cannot reserve any.
   *
   * @default - none reserved: the event source alone caps concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /** @default 'INFO' */
  readonly logLevel?: LogLevel;

  /** `POWERTOOLS_SERVICE_NAME`. @default 'ingest-drop' */
  readonly serviceName?: string;

  /** Further environment variables: bucket names, table name, topic ARN. */
  readonly environment?: Record<string, string>;

  /**
   * The role's name. The zone keys of another stack admit the role by name (`ZoneObjectAccess`).
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * The Lambda function that validates partner drops with DuckDB (DESIGN.md §4, Validation):
 * Node.js on ARM64 (Graviton), sized for multi-gigabyte files downloaded to /tmp, with its own
 * role (no managed policies), a KMS-encrypted log group with retention, JSON logs and active
 * tracing. `encryptionKey` and the key options are about the log group's key.
 */
export class IngestDropFunction extends Construct {
  public readonly function: lambdaNodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly logKey: kms.IKey;
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: IngestDropFunctionProps) {
    super(scope, id);
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const architecture = lambda.Architecture.ARM_64;
    const logLevel = props.logLevel ?? 'INFO';
    this.timeout = props.timeout ?? DEFAULT_TIMEOUT;

    this.logKey = encryptionKey(this, 'LogKey', `Encrypts the logs of ${this.node.path}.`, props);
    // CloudWatch Logs encrypts as a service, for log groups of this account and region only.
    this.logKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.logKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An own role rather than the default one, which comes with the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${this.node.path}: validates partner drops.`,
    });
    this.logGroup.grantWrite(this.role);

    const bundling = duckDbBundling({ projectRoot, architecture });
    this.function = new lambdaNodejs.NodejsFunction(this, 'Function', {
      description: 'Validates a partner drop against its contract; writes Parquet to raw or the original to quarantine, with a report.',
      entry: props.entry ?? INGEST_DROP_ENTRY,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: props.runtime ?? lambda.Runtime.NODEJS_24_X,
      architecture,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_SIZE_MB,
      timeout: this.timeout,
      ephemeralStorageSize: props.ephemeralStorageSize ?? DEFAULT_EPHEMERAL_STORAGE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'ingest-drop',
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        ...bundling,
        // The AWS SDK is bundled too (not taken from the runtime), so the function runs the SDK
        // version the project locks and tests.
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
      },
    });

    // Active tracing makes the function add xray:PutTraceSegments and xray:PutTelemetryRecords
    // on "*" to the role's policy: X-Ray has no resource-level permissions. The ingestion tests
    // check that no other statement of this policy names "*".
    const defaultPolicy = this.role.node.findChild('DefaultPolicy');
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) support no resource-level permissions, ' +
        'so active tracing needs them on "*"; they write trace data only, never read or touch lake data.',
    });
    acknowledgeInlinePolicy(defaultPolicy);

    acknowledgeHipaaAndNist(
      this.function,
      'LambdaDLQ',
      'The function is invoked synchronously by its SQS event source only; a function dead-letter queue receives failed ' +
        'asynchronous invocations, of which there are none. A drop event that fails every delivery moves to the ' +
        'queue\'s own dead-letter queue (DropEventQueue) after 5 receives, and an alarm tells the operators.',
    );
    acknowledgeHipaaAndNist(
      this.function,
      'LambdaInsideVPC',
      'The function reaches only AWS service endpoints (S3, DynamoDB, SNS, SQS), each through IAM with TLS-only resource ' +
        'policies and customer-managed keys, and no resource inside a VPC; a VPC would add NAT or endpoints to run and ' +
        'no control that the role and the bucket, key and topic policies do not already enforce.',
    );
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledgeHipaaAndNist(
        this.function,
        'LambdaConcurrency',
        'Concurrency is capped by the SQS event source\'s maximum concurrency (consume), and the event source is the ' +
          'function\'s only invoker. Nothing is reserved in this environment (config ingestion.reserveConcurrency): ' +
          'Lambda keeps 100 of the account\'s concurrency unreserved, so a new account, with 10 in all, can reserve none.',
      );
    }
  }

  /**
   * Invokes the function for each message of the queue, one message per invocation (drops are
   * big), reporting failed messages individually, at most `maxConcurrency` at once. The queue's
   * visibility timeout must be at least six times the function timeout (`DropEventQueue`).
   */
  public consume(queue: sqs.IQueue, maxConcurrency: number): void {
    this.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
  }
}
