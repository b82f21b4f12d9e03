import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket';
import type { ZoneDefinition } from '../../core/lake/zones';
import { zoneKeyPolicy } from './zone-key-policy';

/** How long a zone keeps superseded data, and when it moves data to cheaper storage. */
export interface ZoneLifecycle {
  /** Delete an object version this long after a newer version or a delete replaced it. */
  readonly noncurrentVersionExpiration: Duration;

  /**
   * Move current objects to S3 Intelligent-Tiering this long after they were written.
   *
   * @default - objects stay in S3 Standard
   */
  readonly transitionToIntelligentTieringAfter?: Duration;
}

export interface LakeZoneProps {
  readonly zone: ZoneDefinition;

  /** Lowercase prefix shared by the environment's names, e.g. `c2c-dev`. */
  readonly namePrefix: string;

  /** Where S3 delivers this zone's server access logs, under the prefix `<zone>/`. */
  readonly accessLogBucket: s3.IBucket;

  readonly lifecycle: ZoneLifecycle;

  /** Abort multipart uploads that were never completed after this long. */
  readonly abortIncompleteMultipartUploadAfter: Duration;

  /** Applied to the bucket, the key and the Glue database alike. */
  readonly removalPolicy: RemovalPolicy;

  /** Empty the bucket before CloudFormation deletes it. Requires `RemovalPolicy.DESTROY`. */
  readonly autoDeleteObjects: boolean;

  /** How long KMS waits before deleting the key once the stack lets go of it. */
  readonly keyDeletionWindow: Duration;

  /**
   * Send every event of the bucket to Amazon EventBridge (the account's default bus), where
   * rules in other stacks can route them.
   *
   * @default false
   */
  readonly eventBridgeNotifications?: boolean;
}

/** Tags that say which zone a resource belongs to and how sensitive its data is. */
const ZONE_TAG = 'c2c:zone';
const SENSITIVITY_TAG = 'c2c:sensitivity';
const PII_TAG = 'c2c:may-hold-pii';

/**
 * One zone of the data lake (DESIGN.md §2): its bucket, the customer-managed KMS key that
 * encrypts only that bucket, and its Glue database.
 */
export class LakeZone extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly database: glue.CfnDatabase;

  constructor(scope: Construct, id: string, props: LakeZoneProps) {
    super(scope, id);
    const { zone } = props;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}/${zone.name}`,
      description: `Encrypts the ${zone.name} zone of the ${props.namePrefix} data lake (${zone.sensitivity}).`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      pendingWindow: props.keyDeletionWindow,
      // Not the CDK's default (kms:* for the account, which lets any IAM policy open the data):
      // administration only; each user is admitted by name (admitToZoneKey).
      policy: zoneKeyPolicy(),
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps(this.key, props.accessLogBucket, `${zone.name}/`),
      versioned: true,
      lifecycleRules: lifecycleRules(props.lifecycle, props.abortIncompleteMultipartUploadAfter),
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });
    if (props.eventBridgeNotifications) {
      // CloudFormation's own bucket property rather than the L2's `eventBridgeEnabled`, which
      // configures notifications through a custom resource: a Lambda function in this stack, with
      // the AWSLambdaBasicExecutionRole managed policy, for a setting CloudFormation has.
      // Consumers only add rules that match this bucket's events, so nothing here refers to them.
      const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: glueDatabaseName(props.namePrefix, zone.name),
        description: zone.description,
        locationUri: this.bucket.s3UrlForObject(),
        // No default grant to IAMAllowedPrincipals on the database's new tables, whatever the
        // account's Lake Formation settings say: each table's readers are granted in Lake Formation.
        createTableDefaultPermissions: [],
      },
    });
    this.database.applyRemovalPolicy(props.removalPolicy);

    for (const resource of [this.key, this.bucket]) {
      Tags.of(resource).add(ZONE_TAG, zone.name);
      Tags.of(resource).add(SENSITIVITY_TAG, zone.sensitivity);
      Tags.of(resource).add(PII_TAG, String(zone.mayHoldPii));
    }
  }
}

/** `c2c-dev` + `raw` → `c2c_dev_raw`: Glue (and Athena) database names are lowercase with underscores. */
function glueDatabaseName(namePrefix: string, zoneName: string): string {
  return `${namePrefix}_${zoneName}`.replace(/-/g, '_');
}

function lifecycleRules(lifecycle: ZoneLifecycle, abortIncompleteMultipartUploadAfter: Duration): s3.LifecycleRule[] {
  // Current objects never expire by age: the pipeline deletes what it has finished with
  // (e.g. landing drops after ingest), and versioning keeps the deleted data for a while.
  const rules: s3.LifecycleRule[] = [
    {
      id: 'expire-superseded-versions',
      noncurrentVersionExpiration: lifecycle.noncurrentVersionExpiration,
      expiredObjectDeleteMarker: true,
      abortIncompleteMultipartUploadAfter,
    },
  ];
  if (lifecycle.transitionToIntelligentTieringAfter) {
    rules.push({
      id: 'move-to-intelligent-tiering',
      transitions: [
        {
          storageClass: s3.StorageClass.INTELLIGENT_TIERING,
          transitionAfter: lifecycle.transitionToIntelligentTieringAfter,
        },
      ],
    });
  }
  return rules;
}
