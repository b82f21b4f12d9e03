import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
