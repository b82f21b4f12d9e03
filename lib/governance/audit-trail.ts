import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucketProps } from '../storage/private-bucket';
import { acknowledgeInlinePolicy } from '../compliance';
import { allowCloudWatchLogs, encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';

export interface AuditTrailProps extends EncryptionKeyOptions {
  /** The trail's name, e.g. `c2c-dev-audit`. */
  readonly trailName: string;
  /** The buckets whose object reads and writes are recorded (S3 data events). */
  readonly dataBuckets: readonly s3.IBucket[];
  /** How long a log file is kept. */
  readonly retention: Duration;
  /**
   * Lock every log file for `retention` (S3 Object Lock, compliance mode): nobody, the account's
   * root user included, can delete or overwrite it before then. A locked bucket cannot be
   * emptied, so `cdk destroy` cannot delete it.
   */
  readonly lockLogs: boolean;
  /**
   * How long CloudWatch Logs keeps its copy of the events, for searching and alarms; the log
   * files in S3 are the record.
   */
  readonly searchRetention: logs.RetentionDays;
  /** Where the log bucket's own server access logs go (under `audit-trail/`). */
  readonly accessLogBucket: s3.IBucket;
  readonly removalPolicy: RemovalPolicy;
  /** Empty the log bucket on stack deletion. Not with `lockLogs`. */
  readonly autoDeleteObjects: boolean;
}

/**
 * The audit trail (HIPAA §164.312(b), NIST AU-2/AU-9/AU-11): a CloudTrail trail of every
 * management call in every region (IAM, Lake Formation grants, Glue, and Athena: who started
 * which query, with its SQL, in which workgroup, and who fetched the results) and of every object
 * read and write in the data buckets (S3 data events). Log files are encrypted with a key of
 * their own, carry digest files that prove them unaltered (log file validation), and land in a
 * dedicated bucket: private, TLS only, versioned, access-logged, expiring after `retention`, and
 * in environments that keep them, locked against deletion until then. CloudWatch Logs gets a
 * copy of the events, under the same key, to search them and alarm on them.
 */
export class AuditTrail extends Construct {
  public readonly key: kms.IKey;
  public readonly bucket: s3.Bucket;
  public readonly trail: cloudtrail.Trail;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    if (props.lockLogs && props.autoDeleteObjects) {
      throw new Error('autoDeleteObjects cannot empty a bucket whose log files are locked (lockLogs)');
    }
    const stack = Stack.of(this);
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: props.trailName });

    this.key = encryptionKey(this, 'Key', `Encrypts the log files of the ${props.trailName} CloudTrail trail.`, props);
    // CloudTrail encrypts each log file (and S3, for CloudTrail, each digest file) with the key, for this trail only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisTrailToEncryptItsLogFiles',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(this.key, props.accessLogBucket, 'audit-trail/'),
      versioned: true,
      objectLockEnabled: props.lockLogs ? true : undefined,
      objectLockDefaultRetention: props.lockLogs ? s3.ObjectLockRetention.compliance(props.retention) : undefined,
      lifecycleRules: [
        {
          id: 'expire-audit-logs',
          expiration: props.retention,
          // A log file is never overwritten; a version left behind by the expiration goes the next day.
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });

    allowCloudWatchLogs(this.key);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: this.key,
      retention: props.searchRetention,
      removalPolicy: props.removalPolicy,
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: props.trailName,
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup,
    });
    acknowledgeInlinePolicy(this.trail.node.findChild('LogsRole').node.findChild('DefaultPolicy'));
    this.trail.addS3EventSelector(
      props.dataBuckets.map((bucket) => ({ bucket })),
      { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false },
    );
  }
}
