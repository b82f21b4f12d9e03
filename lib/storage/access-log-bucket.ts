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
}

/**
 * The destination of S3 server access logs for the data lake's buckets.
 *
 * Encrypted with SSE-S3 rather than a customer-managed key: the S3 user guide supports only
 * SSE-S3 default encryption on server-access-log destination buckets. The logs hold request
 * metadata (keys, requesters), not record contents.
 */
export class AccessLogBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    // ACLs are disabled (BUCKET_OWNER_ENFORCED), so S3 may deliver logs only through the bucket
    // policy; without this flag the L2 would try to grant delivery with an ACL and fail.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
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
