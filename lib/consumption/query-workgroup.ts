import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { expiringBucket } from '../storage/expiring-bucket';
import { Construct } from 'constructs';
import { encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';
import { allObjectsArn } from '../ingestion/lake-grants';

/** The Athena engine the workgroup runs, pinned rather than left to Athena's automatic upgrades. */
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

/** Where Athena writes each query's results in the results bucket, named by query execution id. */
const RESULTS_PREFIX = 'results/';

/** Athena's smallest per-query scan limit. */
const MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

/**
 * What a grantee may do in the workgroup:
 * - `analyst`: run queries and read their results, their runtime statistics, the workgroup's
 *   query history and its settings (what SQL clients and the console ask for);
 * - `application`: run its own queries, stop them and read their results, nothing else.
 */
export type QueryAccess = 'analyst' | 'application';

const RUN_QUERIES = ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'];
const QUERY_ACTIONS: Readonly<Record<QueryAccess, readonly string[]>> = {
  analyst: [...RUN_QUERIES, 'athena:GetQueryRuntimeStatistics', 'athena:ListQueryExecutions', 'athena:GetWorkGroup'],
  application: RUN_QUERIES,
};

export interface QueryWorkgroupProps extends EncryptionKeyOptions {
  /** The workgroup's name, e.g. `c2c-dev-analysts`. */
  readonly workgroupName: string;

  readonly description?: string;

  /** Athena cancels a query once it has scanned this many bytes (at least 10 MB). */
  readonly bytesScannedCutoffPerQuery: number;

  /**
   * Query results expire after this long.
   *
   * @default Duration.days(7)
   */
  readonly resultRetention?: Duration;

  /** Where the results bucket's server access logs go (under `query-results/`). */
  readonly accessLogBucket: s3.IBucket;

  /**
   * Applies to the results bucket and the workgroup (with its saved queries).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /** @default false */
  readonly autoDeleteObjects?: boolean;
}

/**
 * An Athena workgroup for querying the lake, with its settings enforced on every query (clients
 * cannot override them): results go to a dedicated results bucket, encrypted with SSE-KMS under
 * the workgroup's own key; each query stops at a bytes-scanned limit; the engine version is
 * pinned; CloudWatch metrics are published. The results bucket is private, TLS-only,
 * access-logged, and expires results after `resultRetention`.
 *
 * What a query may read is another matter: Lake Formation decides (lib/governance/).
 * `grantQuery` gives the workgroup side only.
 */
export class QueryWorkgroup extends Construct {
  public readonly workgroup: athena.CfnWorkGroup;
  public readonly resultsBucket: s3.Bucket;
  public readonly resultsKey: kms.IKey;
  public readonly workgroupName: string;
  public readonly workgroupArn: string;

  constructor(scope: Construct, id: string, props: QueryWorkgroupProps) {
    super(scope, id);
    if (!Number.isInteger(props.bytesScannedCutoffPerQuery) || props.bytesScannedCutoffPerQuery < MIN_BYTES_SCANNED_CUTOFF) {
      throw new Error(`bytesScannedCutoffPerQuery must be a whole number of bytes, at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB)`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.resultsKey = encryptionKey(this, 'ResultsKey', `Encrypts the Athena query results of workgroup ${props.workgroupName}.`, props);
    // Unversioned: results are re-creatable by running the query again, and expire anyway.
    this.resultsBucket = expiringBucket(this, 'Results', {
      encryptionKey: this.resultsKey,
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'query-results/',
      lifecycleRuleId: 'expire-query-results',
      retention: props.resultRetention,
      removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });

    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workgroupName,
      description: props.description,
      state: 'ENABLED',
      // Deleting the workgroup deletes its saved queries too, so `cdk destroy` works.
      recursiveDeleteOption: removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject(RESULTS_PREFIX),
          expectedBucketOwner: Aws.ACCOUNT_ID,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.resultsKey.keyArn },
        },
      },
    });
    this.workgroup.applyRemovalPolicy(removalPolicy);
    this.workgroupName = this.workgroup.ref;
    this.workgroupArn = Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workgroupName });
  }

  /**
   * Lets the grantee run queries in the workgroup and read their results: the Athena query
   * actions of `access` on this workgroup, the results bucket's `results/` prefix, and the results
   * key through S3. Reading the tables a query names needs Lake Formation grants on them besides.
   */
  public grantQuery(grantee: iam.IRole, access: QueryAccess = 'analyst'): iam.Grant {
    const region = Stack.of(this).region;
    const results = allObjectsArn(this.resultsBucket, Stack.of(grantee), RESULTS_PREFIX);
    const grants = [
      iam.Grant.addToPrincipal({
        grantee,
        actions: [...QUERY_ACTIONS[access]],
        resourceArns: [this.workgroupArn],
      }),
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resourceArns: [results.arn],
      }),
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resourceArns: [results.bucketArn],
      }),
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resourceArns: [this.resultsKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    ];
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /**
   * The cdk-nag finding (AwsSolutions-IAM5) that `grantQuery` raises in a policy of `consumer`'s
   * stack by naming every object under the results prefix; the grantee's policy acknowledges it.
   */
  public resultsFinding(consumer: Stack): string {
    return allObjectsArn(this.resultsBucket, consumer, RESULTS_PREFIX).nagFinding;
  }
}
