import { Aws } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { encryptionKey, type EncryptionKeyOptions } from './encryption-key';

export type OperatorAlertsProps = EncryptionKeyOptions;

/**
 * The topic operators subscribe to (email, chat, paging) to hear about alarms: encrypted with a
 * customer-managed key, TLS only, and open to CloudWatch alarms of this account only.
 */
export class OperatorAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: OperatorAlertsProps = {}) {
    super(scope, id);
    this.key = encryptionKey(this, 'Key', `Encrypts the operator alerts published on ${this.node.path}.`, props);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'C2C operator alerts',
      masterKey: this.key,
      enforceSSL: true,
    });

    // CloudWatch publishes alarm notifications as a service: it needs the topic policy and, because
    // the topic is encrypted, the key policy to let it in. Both are limited to this account's alarms.
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
        principals: [cloudwatch],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
  }

  /** Notifies the topic when the alarm fires and when it recovers. */
  public notifyOn(alarm: cloudwatch.Alarm): void {
    const action = new actions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
