import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ZONES, ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { AccessLogBucket } from './access-log-bucket';
import { LakeZone, type ZoneLifecycle } from './lake-zone';

export interface DataLakeStorageProps {
  /**
   * Lowercase prefix shared by the environment's names, e.g. `c2c-dev`: KMS aliases become
   * `alias/c2c-dev/<zone>` and Glue databases `c2c_dev_<zone>`.
   */
  readonly namePrefix: string;

  /**
   * Lifecycle per zone. Zones left out use `DEFAULT_ZONE_LIFECYCLE`.
   *
   * @default - DEFAULT_ZONE_LIFECYCLE for every zone
   */
  readonly zoneLifecycle?: Partial<Record<ZoneName, ZoneLifecycle>>;

  /**
   * Abort multipart uploads that were never completed after this long.
   *
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;

  /**
   * How long server access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;

  /**
   * What happens to buckets, keys and Glue databases when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Empty the buckets before CloudFormation deletes them. Requires `RemovalPolicy.DESTROY`.
   *
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * How long KMS waits before deleting a key the stack let go of (7 to 30 days).
   *
   * @default Duration.days(30)
   */
  readonly keyDeletionWindow?: Duration;

  /**
   * Zones whose bucket sends its events (object created, deleted, ...) to Amazon EventBridge,
   * e.g. `['landing']` so that ingestion can react to partner drops. Consumers in other stacks
   * add rules on the default event bus; the buckets do not refer to them, so no cycle arises.
   *
   * @default - none
   */
  readonly eventBridgeZones?: readonly ZoneName[];
}

/** Keeps a superseded version for 30 days, in S3 Standard. */
export const DEFAULT_ZONE_LIFECYCLE: ZoneLifecycle = { noncurrentVersionExpiration: Duration.days(30) };

/**
 * The data lake's storage (DESIGN.md §2): for each zone a versioned, TLS-only, private bucket
 * encrypted with the zone's own rotating KMS key, and a Glue database; plus one bucket that
 * receives every zone bucket's server access logs.
 */
export class DataLakeStorage extends Construct {
  public readonly accessLogBucket: s3.IBucket;
  private readonly zones: Record<ZoneName, LakeZone>;

  constructor(scope: Construct, id: string, props: DataLakeStorageProps) {
    super(scope, id);
    assertValidNamePrefix(props.namePrefix);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const autoDeleteObjects = props.autoDeleteObjects ?? false;

    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      retention: props.accessLogRetention,
      removalPolicy,
      autoDeleteObjects,
    }).bucket;

    const zoneFor = (name: ZoneName): LakeZone =>
      new LakeZone(this, pascalCase(name), {
        zone: ZONES[name],
        namePrefix: props.namePrefix,
        accessLogBucket: this.accessLogBucket,
        lifecycle: props.zoneLifecycle?.[name] ?? DEFAULT_ZONE_LIFECYCLE,
        abortIncompleteMultipartUploadAfter: props.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
        removalPolicy,
        autoDeleteObjects,
        keyDeletionWindow: props.keyDeletionWindow ?? Duration.days(30),
        eventBridgeNotifications: props.eventBridgeZones?.includes(name) ?? false,
      });
    this.zones = Object.fromEntries(ZONE_NAMES.map((name) => [name, zoneFor(name)])) as Record<ZoneName, LakeZone>;
  }

  public bucket(zone: ZoneName): s3.IBucket {
    return this.zones[zone].bucket;
  }

  public key(zone: ZoneName): kms.IKey {
    return this.zones[zone].key;
  }

  public database(zone: ZoneName): glue.CfnDatabase {
    return this.zones[zone].database;
  }

  /** Lets the grantee list and read the zone's objects, and decrypt them with the zone's key. */
  public grantRead(zone: ZoneName, grantee: iam.IGrantable): iam.Grant {
    // The L2 bucket grants the matching key permissions because the key encrypts the bucket.
    return this.zones[zone].bucket.grantRead(grantee);
  }

  /** Lets the grantee read, write and delete the zone's objects, encrypting and decrypting with the zone's key. */
  public grantReadWrite(zone: ZoneName, grantee: iam.IGrantable): iam.Grant {
    return this.zones[zone].bucket.grantReadWrite(grantee);
  }
}

function assertValidNamePrefix(namePrefix: string): void {
  // Used in KMS aliases and, with '-' turned into '_', in Glue database names.
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(namePrefix)) {
    throw new Error(
      `Invalid namePrefix "${namePrefix}": use 1 to 41 lowercase letters, digits and hyphens, starting with a letter.`,
    );
  }
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
