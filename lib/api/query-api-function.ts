import { join, posix } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaNodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import { objectAtLocation } from '../../core/lake/zones';
import { acknowledgeHipaaAndNist, acknowledgeInlinePolicy } from '../compliance';
import type { QueryWorkgroup } from '../consumption/query-workgroup';
import type { PublishedOutcomesTable } from '../governance/published-outcomes-table';
import type { LogLevel } from '../ingestion/ingest-drop-function';
import { flattenAsCdkNag, ZoneObjectAccess } from '../ingestion/lake-grants';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { MAX_INTEGRATION_TIMEOUT } from './api-gateway-definition';

/** The repository root: where package.json, the lock file and `lambdas/` are. */
const PROJECT_ROOT = join(__dirname, '..', '..');

/** The Query API's handler (DESIGN.md §4, Query API); owned by the lambdas/ folder. */
export const QUERY_API_ENTRY = join(PROJECT_ROOT, 'lambdas', 'query-api', 'handler.ts');

/** The folder of the published zone the API reads: the table's files and the metadata and withheld lists beside them. */
export const PUBLISHED_API_PREFIX = `${posix.dirname(objectAtLocation(PUBLISHED_LOCATIONS.metadata, ['published']).key)}/`;

/**
 * Memory: the function parses JSON and CSV of the published metadata and pages through Athena
 * results; 1024 MB buys the CPU (Lambda allocates CPU with memory) to keep cold starts, which
 * load the OpenAPI validator, short.
 */
export const DEFAULT_MEMORY_SIZE_MB = 1024;
/**
 * Less than API Gateway's 29 s, so that the function ends (and is counted as an error) before
 * API Gateway gives up on it; more than the query timeout plus `QUERY_HEADROOM`.
 */
export const DEFAULT_TIMEOUT = Duration.seconds(25);
/** What a request needs besides its Athena query: a cold start, the publication's metadata, paging and formatting the rows. */
export const QUERY_HEADROOM = Duration.seconds(10);

export interface QueryApiFunctionProps {
  /** The data lake: the function reads the published zone's `outcomes/` folder and nothing else. */
  readonly storage: DataLakeStorage;
  /** The catalog table Athena queries (`ATHENA_DATABASE`, `ATHENA_TABLE`). */
  readonly table: PublishedOutcomesTable;
  /** The API's own Athena workgroup (`ATHENA_WORKGROUP`), where its queries run and leave their results. */
  readonly workgroup: QueryWorkgroup;
  /** Encrypts the function's log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /** `POWERTOOLS_METRICS_NAMESPACE`, e.g. `c2c-dev`. */
  readonly metricsNamespace: string;
  /** The handler stops an Athena query, and answers 503, after this long (`QUERY_TIMEOUT_MS`). */
  readonly queryTimeout: Duration;
  /** Athena answers a repeated query from a result up to this old (`RESULT_REUSE_MAX_AGE_MINUTES`; zero: never). */
  readonly resultReuseMaxAge: Duration;
  /**
   * Browser origins whose pages may read the answers (`CORS_ALLOWED_ORIGINS`): the proxy
   * integration passes the function's responses through, so the function adds the CORS headers.
   */
  readonly corsOrigins: readonly string[];

  /**
   * The handler's source file.
   *
   * @default QUERY_API_ENTRY (`lambdas/query-api/handler.ts`)
   */
  readonly entry?: string;

  /** @default DEFAULT_MEMORY_SIZE_MB (1024) */
  readonly memorySize?: number;

  /** @default DEFAULT_TIMEOUT (25 seconds) */
  readonly timeout?: Duration;

  /**
   * Concurrency reserved for (and capping) the function, which caps the Athena queries the API
   * runs at once. Reserving takes capacity from the account's unreserved pool, of which Lambda
   * keeps 100 back, so a new account (10 in total) cannot reserve any.
   *
   * @default - none reserved: API Gateway's throttling alone caps the load
   */
  readonly reservedConcurrentExecutions?: number;

  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;

  /** @default 'INFO' */
  readonly logLevel?: LogLevel;

  /**
   * The role's name. The published zone's key, in the storage stack, admits the role by name
   * (`ZoneObjectAccess`).
   *
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
}

/**
 * The Query API's Lambda function (DESIGN.md §4, Query API): Node.js on ARM64, bundled with
 * esbuild (no DuckDB: Athena is its engine), its own role and KMS-encrypted log group, JSON logs,
 * active tracing. Its role may read the published zone's `outcomes/` folder (objects, listing,
 * the zone key through S3), the definitions of the catalog, the published database and its
 * `outcomes` table, and run queries in the API's workgroup (writing their results there), and
 * nothing else: no other zone, no other table, no other workgroup.
 */
export class QueryApiFunction extends Construct {
  public readonly function: lambdaNodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly publishedAccess: ZoneObjectAccess;
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: QueryApiFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? DEFAULT_TIMEOUT;
    if (this.timeout.toMilliseconds() >= MAX_INTEGRATION_TIMEOUT.toMilliseconds()) {
      throw new Error(`timeout must be under API Gateway's ${MAX_INTEGRATION_TIMEOUT.toHumanString()}`);
    }
    if (props.queryTimeout.plus(QUERY_HEADROOM).toMilliseconds() > this.timeout.toMilliseconds()) {
      throw new Error(`queryTimeout must leave the function ${QUERY_HEADROOM.toHumanString()} of its ${this.timeout.toHumanString()} besides the query`);
    }
    const logLevel = props.logLevel ?? 'INFO';
    const architecture = lambda.Architecture.ARM_64;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logKey,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    // An own role rather than the default one, which comes with the AWSLambdaBasicExecutionRole
    // managed policy (logs:* on every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${this.node.path}: answers Query API requests from the published zone.`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambdaNodejs.NodejsFunction(this, 'Function', {
      description: 'The Query API: metric catalog and queries over the published outcomes (Athena), JSON or CSV.',
      entry: props.entry ?? QUERY_API_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_SIZE_MB,
      timeout: this.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        PUBLISHED_BUCKET: props.storage.bucket('published').bucketName,
        ATHENA_WORKGROUP: props.workgroup.workgroupName,
        ATHENA_DATABASE: props.table.databaseName,
        ATHENA_TABLE: props.table.tableName,
        QUERY_TIMEOUT_MS: String(props.queryTimeout.toMilliseconds()),
        RESULT_REUSE_MAX_AGE_MINUTES: String(props.resultReuseMaxAge.toMinutes()),
        CORS_ALLOWED_ORIGINS: props.corsOrigins.join(','),
        POWERTOOLS_SERVICE_NAME: 'query-api',
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // The AWS SDK is bundled too (not taken from the runtime), so the function runs the SDK
        // version the project locks and tests.
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // esbuild's default resolution (main before module): with the ES module builds first,
        // openapi-backend's JSON-schema dependencies fail at load time in the bundle.
      },
    });

    this.publishedAccess = new ZoneObjectAccess(this, 'PublishedAccess', {
      bucket: props.storage.bucket('published'),
      key: props.storage.key('published'),
      role: this.role,
      access: 'query',
      prefix: PUBLISHED_API_PREFIX,
      whyAllObjects:
        `The API reads the published outcomes: metadata.json and withheld.csv, and (through Athena) the table's Parquet ` +
        `files, whose names the publishing run chooses; it may only read and list objects under ${PUBLISHED_API_PREFIX} ` +
        'of the published bucket, whose contents all passed disclosure control.',
    });
    // API Gateway may invoke the function as soon as it exists: let it find its permissions.
    this.function.node.addDependency(this.publishedAccess.policy);
    props.table.grantReadDefinition(this.role);
    props.workgroup.grantQuery(this.role, 'application');

    const defaultPolicy = this.role.node.findChild('DefaultPolicy');
    acknowledgeInlinePolicy(defaultPolicy);
    Validations.of(defaultPolicy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray actions (xray:PutTraceSegments, xray:PutTelemetryRecords) support no resource-level permissions, ' +
          'so active tracing needs them on "*"; they write trace data only, never read or touch lake data.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(Stack.of(this).resolve(props.workgroup.resultsBucket.arnForObjects('results/*')))}]`,
        reason:
          'Athena writes each query\'s results under results/ of the workgroup\'s own results bucket, named by the query ' +
          'execution id it assigns; the function may read and write only that prefix, and the results expire.',
      },
    );
    acknowledgeHipaaAndNist(
      this.function,
      'LambdaDLQ',
      'API Gateway invokes the function synchronously and returns its error to the caller; a function dead-letter queue ' +
        'receives failed asynchronous invocations only, of which there are none.',
    );
    acknowledgeHipaaAndNist(
      this.function,
      'LambdaInsideVPC',
      'The function reaches only AWS service endpoints (S3, Athena), through IAM with TLS, and no resource inside a VPC; ' +
        'it reads public, disclosure-controlled aggregates only. A VPC would add NAT or endpoints to run and no control ' +
        'that the role, the bucket policy and the zone key do not already enforce.',
    );
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledgeHipaaAndNist(
        this.function,
        'LambdaConcurrency',
        'API Gateway\'s stage and method throttling caps the requests that reach the function. Nothing is reserved in ' +
          'this environment (config api.reservedConcurrency): Lambda keeps 100 of the account\'s concurrency unreserved, ' +
          'so a new account, with 10 in all, can reserve none.',
      );
    }
  }
}
