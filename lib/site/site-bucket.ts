import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeHipaaAndNist } from '../compliance';

export interface SiteBucketProps {
  /** Receives the bucket's S3 server access logs, under `site-bucket/`. */
  readonly accessLogBucket: s3.IBucket;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Empty the bucket before CloudFormation deletes it. Requires `RemovalPolicy.DESTROY`. @default false */
  readonly autoDeleteObjects?: boolean;
  /**
   * How long a replaced or deleted file of an earlier deployment stays recoverable.
   *
   * @default Duration.days(30)
   */
  readonly noncurrentVersionRetention?: Duration;
}

/**
 * The private bucket the web app's files are deployed to: nobody reads it but the site's
 * CloudFront distribution (through origin access control, granted by the distribution's origin),
 * and only over TLS.
 *
 * Encrypted with SSE-S3, not a customer-managed key: the files are the public web app (the same
 * bytes every visitor downloads), so a key would protect nothing, and CloudFront's origin access
 * control reads SSE-KMS objects only if the key policy names the distribution, which names the
 * bucket, which names the key: a cycle that only a key policy open to every distribution of the
 * account breaks.
 */
export class SiteBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SiteBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A deployment replaces the files in place: the previous ones stay restorable for a while.
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: props.autoDeleteObjects ?? false,
      lifecycleRules: [
        {
          id: 'expire-previous-deployments',
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    acknowledgeHipaaAndNist(
      this.bucket,
      'S3DefaultEncryptionKMS',
      'The bucket holds the public web app (HTML, script, style, the API address), the bytes every visitor downloads: ' +
        'a customer-managed key would protect nothing, and CloudFront origin access control reads SSE-KMS objects only ' +
        'through a key policy naming the distribution, which would need a policy open to every distribution of the account.',
    );
    acknowledgeHipaaAndNist(
      this.bucket,
      'S3BucketReplicationEnabled',
      'Every deployment writes the whole web app again from this repository (built at synthesis), so the bucket holds ' +
        'nothing that cannot be rebuilt; versioning keeps the previous deployment\'s files for 30 days.',
    );
  }
}
