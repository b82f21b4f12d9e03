import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket of the app that holds data shares: SSE-KMS under its own key (with an S3 bucket
 * key: one data key per period instead of a KMS call per object), TLS 1.2 or later only, no public
 * access, no ACLs, and server access logs under a prefix, date-partitioned so Athena can prune
 * them by day. The caller adds versioning, lifecycle and removal.
 */
export function privateBucketProps(encryptionKey: kms.IKey, accessLogBucket: s3.IBucket, accessLogPrefix: string): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: accessLogPrefix,
    targetObjectKeyFormat: s3.TargetObjectKeyFormat.partitionedPrefix(s3.PartitionDateSource.EVENT_TIME),
  };
}
