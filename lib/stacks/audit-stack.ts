import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ZONE_NAMES } from '../../core/lake/zones';
import type { EnvironmentConfig } from '../config/environments';
import { AuditTrail } from '../governance/audit-trail';
import { AccessLogBucket } from '../storage/access-log-bucket';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { backUpOrExplain } from '../storage/lake-backup';

export interface AuditStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The data lake, from the storage stack: every zone bucket's object reads and writes are recorded. */
  readonly storage: DataLakeStorage;
}

/**
 * The audit trail (docs/security.md, Audit trail): the CloudTrail trail of every management call
 * (Athena's queries among them) and of every object read and write in the zones, its log bucket,
 * and the bucket that receives the log bucket's own server access logs. Refers to the storage
 * stack's buckets; nothing refers to it.
 */
export class AuditStack extends Stack {
  public readonly accessLogBucket: AccessLogBucket;
  public readonly trail: AuditTrail;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    const { config, storage } = props;

    // Who read the audit logs. The storage stack's log bucket cannot take them: its policy would have to name this stack's bucket.
    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs', {
      retention: config.storage.accessLogRetention,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    this.trail = new AuditTrail(this, 'Trail', {
      trailName: `${config.namePrefix}-audit`,
      dataBuckets: ZONE_NAMES.map((zone) => storage.bucket(zone)),
      retention: config.audit.trailRetention,
      lockLogs: config.audit.lockTrailLogs,
      searchRetention: config.audit.trailSearchRetention,
      accessLogBucket: this.accessLogBucket.bucket,
      keyAlias: `alias/${config.namePrefix}/audit-trail`,
      keyRemovalPolicy: config.removalPolicy,
      keyDeletionWindow: config.keyDeletionWindow,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: config.autoDeleteObjects,
    });
    // The record of who did what: backed up like the other access logs where the environment has backups.
    backUpOrExplain(storage.backup, this, 'Backup', { buckets: [this.trail.bucket, this.accessLogBucket.bucket] });

    new CfnOutput(this, 'TrailLogBucket', {
      description: 'The audit trail\'s log files (AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/), with their digests.',
      value: this.trail.bucket.bucketName,
    });
  }
}
