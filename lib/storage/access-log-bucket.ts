import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledgeHipaaAndNist } from '../compliance';

export interface AccessLogBucketProps {
  /**
   * How long delivered access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly retention?: Duration;

  /**
   * How long a deleted or overwritten log object stays recoverable.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;

  /**
   * What happens to the bucket when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Empty the bucket before CloudFormation deletes it. Requires `RemovalPolicy.DESTROY`.
   *
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * Also the destination of a CloudFront distribution's standard logs. CloudFront delivers them
   * with an ACL grant to its log delivery account, so the bucket keeps ACLs enabled (objects the
   * writer hands over with `bucket-owner-full-control` become the bucket owner's); otherwise ACLs
   * are disabled and only the bucket policy grants anything.
   *
   * @default false
   */
  readonly cloudFrontLogs?: boolean;
}

/**
 * The destination of S3 server access logs for the data lake's buckets (and of a site's CloudFront logs).
 *
 * Encrypted with SSE-S3 rather than a customer-managed key: the S3 user guide supports only
 * SSE-S3 default encryption on server-access-log destination buckets. The logs hold request
 * metadata (keys, requesters), not record contents.
 */
export class AccessLogBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    // S3 delivers server access logs through the bucket policy, never an ACL: ACLs are disabled
    // (BUCKET_OWNER_ENFORCED) unless CloudFront logs here too, and without this flag the L2 would
    // try to grant delivery with an ACL and fail.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: props.cloudFrontLogs ? s3.ObjectOwnership.BUCKET_OWNER_PREFERRED : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.autoDeleteObjects ?? false,
      // No storage-class transitions: log objects are mostly under the 128 KB minimum billable size
      // of the infrequent-access classes, so moving them would cost more than it saves.
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: props.retention ?? Duration.days(365),
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    acknowledgeHipaaAndNist(
      this.bucket,
      'S3DefaultEncryptionKMS',
      'S3 server access logs can be delivered only to a bucket whose default encryption is SSE-S3, not SSE-KMS (S3 ' +
        'user guide, server access logging). The logs hold request metadata (keys, requesters), no record contents; ' +
        'the bucket is private, TLS only, and only S3\'s logging service may write to it.',
    );
  }
}
