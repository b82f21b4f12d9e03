import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { expiringBucket } from '../storage/expiring-bucket';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';

/** The repository's glue-jobs/ folder: the runner's Python package and its entry point. */
export const GLUE_JOBS_DIR = join(__dirname, '..', '..', 'glue-jobs');

/**
 * The state machines' log groups start with this (Step Functions' vended-logs prefix, which keeps
 * CloudWatch Logs' resource policy small); the log key serves them too.
 */
export const PIPELINE_LOG_GROUP_PREFIX = '/aws/vendedlogs/states/';

export interface PlanRunnerRuntimeProps {
  /** Lowercase prefix of the environment's names, e.g. `c2c-dev`: the security configuration and log group are named after it. */
  readonly namePrefix: string;

  /** Where the scratch bucket's server access logs go (under `plan-scratch/`). */
  readonly accessLogBucket: s3.IBucket;

  /**
   * Encrypts the jobs' logs, the state machine's logs and job bookmarks.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly logKey?: EncryptionKeyOptions;

  /**
   * Encrypts the scratch bucket, which holds the steps' rows during a run (personal data, for
   * the identity stages).
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly scratchKey?: EncryptionKeyOptions;

  /**
   * Scratch objects (the rows of a failed run's steps, left for inspection) expire after this long.
   *
   * @default Duration.days(7)
   */
  readonly scratchRetention?: Duration;

  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Applies to the scratch bucket and the log group.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /** @default false */
  readonly autoDeleteObjects?: boolean;
}

/**
 * A script or package the jobs load from S3: a CDK asset. Unlike `glue.Code.fromAsset`, binding
 * it grants nothing (that grant names `s3:GetObject*` and `s3:List*` on the whole asset bucket):
 * each job's role is granted `s3:GetObject` on exactly the objects it loads (`grantLoad`).
 */
export class PlanRunnerCode extends glue.Code {
  constructor(public readonly asset: s3assets.Asset) {
    super();
  }

  /** `s3://<asset bucket>/<key>` */
  public get s3Url(): string {
    return this.asset.s3ObjectUrl;
  }

  /** The ARN of the one object. */
  public get objectArn(): string {
    return `arn:${Aws.PARTITION}:s3:::${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`;
  }

  public bind(): glue.CodeConfig {
    return { s3Location: { bucketName: this.asset.s3BucketName, objectKey: this.asset.s3ObjectKey } };
  }
}

/**
 * What every plan-runner job shares (docs/spark-runner.md, The Glue job): the entry point
 * `c2c_glue/glue_job.py` and the `c2c_glue` package zipped for `--extra-py-files` (assets); the
 * Glue security configuration; the KMS-encrypted continuous-log group; and the scratch bucket
 * where each job keeps its steps' rows during a run (`--TempDir`).
 *
 * The security configuration encrypts CloudWatch logs (SSE-KMS) and job bookmarks (CSE-KMS) with
 * the log key. Its S3 encryption is deliberately left off: with it, Glue would encrypt every
 * object a job writes with that one key, overriding the zone buckets' default encryption, so the
 * identity zone's tables would no longer be under the identity key. Every bucket the jobs write
 * to encrypts by default with SSE-KMS and its own key (zone buckets, scratch bucket).
 */
export class PlanRunnerRuntime extends Construct {
  public readonly script: PlanRunnerCode;
  public readonly pythonPackage: PlanRunnerCode;
  public readonly securityConfiguration: glue.SecurityConfiguration;
  public readonly logKey: kms.IKey;
  public readonly logGroup: logs.LogGroup;
  public readonly scratchKey: kms.IKey;
  public readonly scratchBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PlanRunnerRuntimeProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const region = Stack.of(this).region;

    this.script = new PlanRunnerCode(
      new s3assets.Asset(this, 'Script', { path: join(GLUE_JOBS_DIR, 'c2c_glue', 'glue_job.py') }),
    );
    // The zip must hold the folder c2c_glue/ itself (Glue puts the zip on sys.path), so the
    // asset is glue-jobs/ with everything but the package's modules left out.
    this.pythonPackage = new PlanRunnerCode(
      new s3assets.Asset(this, 'Package', {
        path: GLUE_JOBS_DIR,
        exclude: ['*', '.*', '!c2c_glue', '!c2c_glue/*.py', '!c2c_glue/py.typed'],
      }),
    );

    this.logKey = encryptionKey(this, 'LogKey', `Encrypts the logs and job bookmarks of the plan-runner jobs and the pipeline (${this.node.path}).`, props.logKey ?? {});
    // CloudWatch Logs encrypts the jobs' log groups (Glue associates the key with those it
    // creates under /aws-glue/jobs/) and the state machine's vended log group.
    this.logKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': [
              `arn:${Aws.PARTITION}:logs:${region}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/jobs/*`,
              `arn:${Aws.PARTITION}:logs:${region}:${Aws.ACCOUNT_ID}:log-group:${PIPELINE_LOG_GROUP_PREFIX}*`,
            ],
          },
        },
      }),
    );

    this.securityConfiguration = new glue.SecurityConfiguration(this, 'SecurityConfiguration', {
      securityConfigurationName: `${props.namePrefix}-plan-runner`,
      cloudWatchEncryption: glue.CloudWatchEncryption.kms(this.logKey),
      jobBookmarksEncryption: glue.JobBookmarksEncryption.clientSideKms(this.logKey),
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Under /aws-glue/jobs/, where the jobs' roles may write.
      logGroupName: `/aws-glue/jobs/${props.namePrefix}-plan-runner`,
      encryptionKey: this.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });

    this.scratchKey = encryptionKey(this, 'ScratchKey', `Encrypts the plan runner's scratch (${this.node.path}).`, props.scratchKey ?? {});
    // Unversioned: a successful run deletes its scratch, and nothing there is worth keeping.
    this.scratchBucket = expiringBucket(this, 'Scratch', {
      encryptionKey: this.scratchKey,
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'plan-scratch/',
      lifecycleRuleId: 'expire-scratch',
      retention: props.scratchRetention,
      removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });
  }
}
