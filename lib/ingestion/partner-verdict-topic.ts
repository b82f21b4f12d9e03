import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { IngestVerdict } from '../../core/ports/ingest-ledger';
import { encryptionKey, type EncryptionKeyOptions } from './encryption-key';

/**
 * The message attribute (String) that names the partner a verdict is for: the first segment of
 * the landing key. Partner subscriptions filter on it.
 */
export const PARTNER_ATTRIBUTE = 'partner';

/**
 * The message attribute (String) that carries the verdict itself (`accepted`, `rejected`,
 * `duplicate`; `IngestVerdict` in core/ports/ingest-ledger.ts), for subscriptions that want,
 * say, rejections only.
 */
export const VERDICT_ATTRIBUTE = 'verdict';

/** Where a partner hears about its verdicts. */
export interface PartnerEndpoint {
  /** `email`: a person confirms the subscription from the message SNS sends; `https`: a webhook that confirms it. */
  readonly protocol: 'email' | 'https';
  /** The address or the `https://` URL. */
  readonly endpoint: string;
  /**
   * Only these verdicts.
   *
   * @default - every verdict
   */
  readonly verdicts?: readonly IngestVerdict[];
}

export type PartnerVerdictTopicProps = EncryptionKeyOptions;

/** Partner ids are the first segment of landing keys: lowercase letters, digits, `-` and `_`. */
const PARTNER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The topic that publishes ingestion verdicts. Every message carries the `partner` message
 * attribute; each partner's subscriptions have a filter policy on it, so a partner receives its
 * own verdicts and nobody else's. Encrypted with a customer-managed key; TLS only.
 */
export class PartnerVerdictTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: PartnerVerdictTopicProps = {}) {
    super(scope, id);
    this.key = encryptionKey(this, 'Key', `Encrypts the ingestion verdicts published on ${this.node.path}.`, props);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'C2C ingestion verdicts',
      masterKey: this.key,
      enforceSSL: true,
    });
  }

  /** Subscribes a partner's endpoint to that partner's verdicts only. */
  public subscribePartner(partner: string, endpoint: PartnerEndpoint): sns.Subscription {
    if (!PARTNER_ID.test(partner)) {
      throw new Error(`Invalid partner id "${partner}": use lowercase letters, digits, "-" and "_", as in landing keys.`);
    }
    const filterPolicy: Record<string, sns.SubscriptionFilter> = {
      [PARTNER_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [partner] }),
    };
    if (endpoint.verdicts) {
      filterPolicy[VERDICT_ATTRIBUTE] = sns.SubscriptionFilter.stringFilter({ allowlist: [...endpoint.verdicts] });
    }
    const subscription =
      endpoint.protocol === 'email'
        ? new subscriptions.EmailSubscription(endpoint.endpoint, { filterPolicy })
        : new subscriptions.UrlSubscription(assertHttps(endpoint.endpoint), { filterPolicy, protocol: sns.SubscriptionProtocol.HTTPS });
    return this.topic.addSubscription(subscription);
  }

  /**
   * Lets the grantee publish verdicts: `sns:Publish` on this topic, and the two key actions SNS
   * needs from a publisher of an encrypted topic, through SNS only.
   */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
    });
    return grant;
  }
}

function assertHttps(url: string): string {
  if (!url.startsWith('https://')) {
    throw new Error(`Partner endpoint "${url}" is not an https:// URL: verdicts are only sent over TLS.`);
  }
  return url;
}
