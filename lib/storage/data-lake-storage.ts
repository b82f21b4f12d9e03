import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ZONES, ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { acknowledgeHipaaAndNist } from '../compliance';
import { AccessLogBucket } from './access-log-bucket';
import { backUpOrExplain, LakeBackup, type BackupSettings } from './lake-backup';
import { LakeZone, type ZoneLifecycle } from './lake-zone';
import { admitToZoneKey } from './zone-key-policy';

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

  /**
   * Back up the zones whose data cannot be rebuilt (`BACKED_UP_ZONES`) and the access logs with
   * AWS Backup (`LakeBackup`).
   *
   * @default - no backups
   */
  readonly backup?: BackupSettings;
}

/**
 * The zones whose data exists nowhere else: partners' accepted and rejected drops, and the person
 * crosswalk whose `c2c_id`s must stay stable from run to run. Every other zone is transient or
 * rebuilt from these (`NOT_BACKED_UP`).
 */
export const BACKED_UP_ZONES = ['raw', 'quarantine', 'identity'] as const satisfies readonly ZoneName[];

/** Why the other zones are neither backed up nor replicated. */
const NOT_BACKED_UP: Record<Exclude<ZoneName, (typeof BACKED_UP_ZONES)[number]>, string> = {
  landing:
    'Transit zone: a drop stays only until ingestion has validated it, minutes later; its content then lives in raw ' +
    'or quarantine, which are backed up. The partner keeps the original and can drop it again.',
  linked: rebuiltByThePipeline('linked'),
  outcomes: rebuiltByThePipeline('outcomes'),
  published: rebuiltByThePipeline('published'),
};

function rebuiltByThePipeline(zone: ZoneName): string {
  return (
    `Every pipeline run rebuilds the ${zone} zone from raw and identity, which are backed up; versioning keeps the ` +
    'previous run\'s objects for the noncurrent-version days. Another copy would keep the rows of people who opted out for longer.'
  );
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
  /** The environment's backups, which other stacks add their own unrebuildable data to (`backUpOrExplain`). */
  public readonly backup: LakeBackup | undefined;
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

    this.backup = props.backup
      ? new LakeBackup(this, 'Backup', {
          namePrefix: props.namePrefix,
          retention: props.backup.retention,
          keyAlias: `alias/${props.namePrefix}/backup`,
          keyRemovalPolicy: removalPolicy,
          keyDeletionWindow: props.keyDeletionWindow,
          removalPolicy,
        })
      : undefined;
    const backupRole = backUpOrExplain(this.backup, this, 'Backups', {
      buckets: [...BACKED_UP_ZONES.map((zone) => this.zones[zone].bucket), this.accessLogBucket],
    });
    if (backupRole) {
      // AWS Backup reads the objects with the selection's role, decrypting through S3.
      for (const zone of BACKED_UP_ZONES) admitToZoneKey(this.zones[zone].key, backupRole, ['kms:Decrypt']);
    }
    for (const [zone, reason] of Object.entries(NOT_BACKED_UP) as [ZoneName, string][]) {
      acknowledgeHipaaAndNist(this.zones[zone].bucket, 'S3BucketReplicationEnabled', reason);
    }
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
