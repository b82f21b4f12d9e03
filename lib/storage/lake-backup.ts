import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeHipaaAndNist } from '../compliance';
import { encryptionKey, type EncryptionKeyOptions } from '../ingestion/encryption-key';

/** How an environment backs up the data that cannot be rebuilt (docs/infrastructure.md, Backups). */
export interface BackupSettings {
  /**
   * How long a recovery point is kept: a restore can go back this far. 1 to 35 days, the
   * limit of continuous (point-in-time) backups.
   */
  readonly retention: Duration;
}

export interface LakeBackupProps extends EncryptionKeyOptions {
  /** Lowercase prefix of the environment's names: the vault is `<prefix>-lake`, the plan `<prefix>-lake`. */
  readonly namePrefix: string;
  readonly retention: Duration;
  /**
   * What happens to the vault when it leaves the stack. CloudFormation cannot delete a vault that
   * holds recovery points.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The AWS managed policies a backup selection's role needs: AWS keeps them current with what each service's backup calls. */
const BACKUP_POLICIES = {
  common: 'service-role/AWSBackupServiceRolePolicyForBackup',
  s3: 'AWSBackupServiceRolePolicyForS3Backup',
} as const;

/** What `LakeBackup.backUp` protects: resources of the calling stack. */
export interface BackedUpResources {
  readonly buckets?: readonly s3.IBucket[];
  readonly tables?: readonly dynamodb.ITable[];
}

/**
 * AWS Backup for the data lake's data that cannot be rebuilt (HIPAA §164.308(a)(7), NIST
 * CP-9): a vault encrypted with its own key, in which nobody may delete a recovery point or
 * shorten its life (they expire by the plan only), and a plan that backs up daily with
 * continuous backups, so that S3 buckets can be restored to any second of the retention.
 *
 * Resources join the plan through `backUp`, which creates the selection in the caller's stack
 * (a selection must be in the same stack as a DynamoDB table for cdk-nag to see it, and other
 * stacks may refer to this one, never the other way round).
 */
export class LakeBackup extends Construct {
  public readonly key: kms.IKey;
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: LakeBackupProps) {
    super(scope, id);
    const days = props.retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 35) {
      throw new Error(`backup retention must be 1 to 35 whole days (continuous backups allow no more), not ${props.retention.toHumanString()}`);
    }

    this.key = encryptionKey(this, 'Key', `Encrypts the recovery points of the ${props.namePrefix} data lake's backup vault.`, props);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `${props.namePrefix}-lake`,
      encryptionKey: this.key,
      // Denies backup:DeleteRecoveryPoint and lifecycle changes to every principal: a compromised
      // operator role cannot destroy the backups; they expire by the plan's retention only.
      blockRecoveryPointDeletion: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${props.namePrefix}-lake`,
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily-with-point-in-time',
          // 11:00 UTC, 3 or 4 am in California, when partners rarely drop. With continuous
          // backups the daily point matters little: any second of the retention can be restored.
          scheduleExpression: events.Schedule.cron({ hour: '11', minute: '0' }),
          // S3 gets continuous backups (restore to any second); DynamoDB, which has its own
          // point-in-time recovery, gets a daily snapshot.
          enableContinuousBackup: true,
          deleteAfter: props.retention,
        }),
      ],
    });
  }

  /**
   * Adds the resources to the backup plan, with a selection and its role in `scope`'s stack, and
   * returns the role. The role trusts AWS Backup only and holds the AWS managed backup policies
   * (restores are run with a role chosen by the operator at restore time).
   */
  public backUp(scope: Construct, id: string, resources: BackedUpResources): iam.IRole {
    const buckets = resources.buckets ?? [];
    const tables = resources.tables ?? [];
    const selection = new Construct(scope, id);
    const policies = [BACKUP_POLICIES.common, ...(buckets.length > 0 ? [BACKUP_POLICIES.s3] : [])];
    const role = new iam.Role(selection, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `Backs up ${selection.node.path} into the ${this.vault.node.path} vault.`,
      managedPolicies: policies.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    for (const name of policies) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
        reason:
          `AWS Backup's own managed policy (${name.replace('service-role/', '')}): AWS keeps it in step with the calls ` +
          'each service\'s backups make (S3 backups alone need bucket, object, inventory, EventBridge and KMS actions); ' +
          'the role trusts backup.amazonaws.com only and is used by this selection only.',
      });
    }
    new backup.BackupSelection(selection, 'Selection', {
      backupPlan: this.plan,
      backupSelectionName: `${Stack.of(scope).stackName}-${id}`,
      role,
      disableDefaultBackupPolicy: true,
      resources: [
        ...buckets.map((bucket) => backup.BackupResource.fromArn(bucket.bucketArn)),
        ...tables.map((table) => backup.BackupResource.fromDynamoDbTable(table)),
      ],
    });
    return role;
  }
}

/**
 * Puts the buckets and tables in the environment's backup plan (a selection `id` in `scope`'s
 * stack), or, in an environment without backups, says why that is acceptable; and says why the
 * buckets are not also replicated. For the data that cannot be rebuilt. Returns the selection's
 * role, if any.
 */
export function backUpOrExplain(backup: LakeBackup | undefined, scope: Construct, id: string, resources: BackedUpResources): iam.IRole | undefined {
  const role = backup?.backUp(scope, id, resources);
  for (const bucket of resources.buckets ?? []) {
    acknowledgeHipaaAndNist(bucket, 'S3BucketReplicationEnabled', backup ? BACKED_UP_NOT_REPLICATED : NO_BACKUPS);
  }
  if (!backup) {
    for (const table of resources.tables ?? []) {
      acknowledgeHipaaAndNist(table, 'DynamoDBInBackupPlan', NO_BACKUPS);
    }
  }
  return role;
}

const BACKED_UP_NOT_REPLICATED =
  'Backed up instead of replicated: AWS Backup keeps continuous recovery points of the bucket (restore to any second ' +
  'of the retention) in a vault under its own key, where nobody can delete them early. A replica would be a second ' +
  'live copy of personal data, reached by every delete and overwrite, under another key and region to govern.';

const NO_BACKUPS =
  'This environment has no backups (config storage.backup unset): it holds synthetic data only and is torn down with ' +
  'cdk destroy, which a vault holding recovery points would block. Bucket versioning and the ledger\'s ' +
  'point-in-time recovery still undo mistakes.';
