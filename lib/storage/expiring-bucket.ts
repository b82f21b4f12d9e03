import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeHipaaAndNist } from '../compliance';
import { privateBucketProps } from './private-bucket';

export interface ExpiringBucketProps {
  readonly encryptionKey: kms.IKey;
  readonly accessLogBucket: s3.IBucket;
  /** Prefix of this bucket's access logs in the access-log bucket, e.g. `query-results/`. */
  readonly accessLogPrefix: string;
  /** Names the lifecycle rule, e.g. `expire-query-results`. */
  readonly lifecycleRuleId: string;
  /** @default 7 days */
  readonly retention?: Duration;
  readonly removalPolicy: RemovalPolicy;
  /** @default false */
  readonly autoDeleteObjects?: boolean;
}

/**
 * A private bucket for working files nothing needs to keep (query results, a job's scratch):
 * SSE-KMS with its own key, TLS only, access-logged, unversioned, every object expiring.
 */
export function expiringBucket(scope: Construct, id: string, props: ExpiringBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...privateBucketProps(props.encryptionKey, props.accessLogBucket, props.accessLogPrefix),
    lifecycleRules: [{ id: props.lifecycleRuleId, expiration: props.retention ?? Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: props.autoDeleteObjects ?? false,
  });
  acknowledgeHipaaAndNist(
    bucket,
    'S3BucketVersioningEnabled',
    'Working files that expire within days and are re-created by running the job or the query again. Unversioned on ' +
      'purpose: a deleted object (scratch holds personal data while the identity stages run) is gone, not kept as a ' +
      'noncurrent version.',
  );
  acknowledgeHipaaAndNist(
    bucket,
    'S3BucketReplicationEnabled',
    'Working files that expire within days and are re-created by running the job or the query again: there is ' +
      'nothing to recover, and a replica would spread personal data from the identity stages\' scratch.',
  );
  return bucket;
}
