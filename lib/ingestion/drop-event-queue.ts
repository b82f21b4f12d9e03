import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { encryptionKey, type EncryptionKeyOptions } from './encryption-key';

/** AWS's guidance for a queue that feeds a Lambda function: visibility timeout at least six times the function timeout. */
export const VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT = 6;

export interface DropEventQueueProps extends EncryptionKeyOptions {
  /**
   * Timeout of the function that consumes the queue. The visibility timeout is six times this,
   * so that a message is not handed to a second invocation while the first one, with its
   * retries and the event source's batching, may still be working on it.
   */
  readonly consumerTimeout: Duration;

  /**
   * Deliveries of a message before it moves to the dead-letter queue.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long an unprocessed event stays in the queue, e.g. while the consumer is failing.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long a message stays in the dead-letter queue. SQS counts it from the message's first
   * enqueue, not from its move to the dead-letter queue, so it must exceed `retentionPeriod`.
   *
   * @default Duration.days(14), the SQS maximum
   */
  readonly deadLetterRetentionPeriod?: Duration;
}

/**
 * A queue of events for one consumer, with a dead-letter queue: both encrypted with a
 * customer-managed key, both refusing requests without TLS.
 */
export class DropEventQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly key: kms.IKey;
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: DropEventQueueProps) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    const deadLetterRetentionPeriod = props.deadLetterRetentionPeriod ?? Duration.days(14);
    if (deadLetterRetentionPeriod.toSeconds() <= retentionPeriod.toSeconds()) {
      throw new Error(
        `deadLetterRetentionPeriod (${deadLetterRetentionPeriod.toHumanString()}) must exceed retentionPeriod ` +
          `(${retentionPeriod.toHumanString()}): SQS expires a dead-lettered message by its first enqueue time.`,
      );
    }
    this.maxReceiveCount = props.maxReceiveCount ?? 5;

    this.key = encryptionKey(this, 'Key', `Encrypts the messages of ${this.node.path} and its dead-letter queue.`, props);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: deadLetterRetentionPeriod,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      // Reuse the data key for 5 minutes (the default) rather than calling KMS per message.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });
  }
}
