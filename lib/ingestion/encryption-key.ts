import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** How a construct creates its own customer-managed key when it is not given one. */
export interface EncryptionKeyOptions {
  /**
   * The key to encrypt with. Give one to share a key between constructs.
   *
   * @default - a new customer-managed key with yearly rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Alias of the key the construct creates, e.g. `alias/c2c-dev/ingestion-ledger`.
   *
   * @default - no alias
   */
  readonly keyAlias?: string;

  /**
   * What happens to a created key when it leaves the stack. Keep the key as long as anything it
   * encrypted is kept.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;

  /**
   * How long KMS waits before deleting a created key the stack let go of (7 to 30 days).
   *
   * @default Duration.days(30)
   */
  readonly keyDeletionWindow?: Duration;
}

/** The given key, or a new rotating customer-managed key with the given description. */
export function encryptionKey(scope: Construct, id: string, description: string, options: EncryptionKeyOptions): kms.IKey {
  if (options.encryptionKey) {
    return options.encryptionKey;
  }
  return new kms.Key(scope, id, {
    description,
    alias: options.keyAlias,
    enableKeyRotation: true,
    removalPolicy: options.keyRemovalPolicy ?? RemovalPolicy.RETAIN,
    pendingWindow: options.keyDeletionWindow ?? Duration.days(30),
  });
}

/**
 * Lets CloudWatch Logs use `key` to encrypt and decrypt the log groups of this account and region
 * that are associated with it (CloudWatch Logs encrypts as a service, under its own principal).
 */
export function allowCloudWatchLogs(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Stack.of(key).region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }),
  );
}
