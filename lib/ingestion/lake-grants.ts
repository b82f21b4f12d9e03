import { CfnElement, CfnOutput, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy } from '../compliance';
import { admitToZoneKey, type ZoneKeyAction } from '../storage/zone-key-policy';

/**
 * What a role may do with the objects of one zone bucket:
 * - `read-and-delete`: read objects (any version: S3 events name the version they are about),
 *   tell a missing object (404) from a forbidden one (`s3:ListBucket`), and delete objects. In a
 *   versioned bucket a delete leaves a delete marker, so the data stays recoverable until the
 *   lifecycle expires the superseded version; deleting a version for good
 *   (`s3:DeleteObjectVersion`) is not granted. The key may decrypt.
 * - `write-and-verify`: put objects, with single or multipart uploads (an abandoned multipart
 *   upload may be aborted), read them back to verify what was written (and tell a missing object
 *   from a forbidden one), and delete them: ingestion withdraws what it wrote when another
 *   delivery of identical bytes won the ledger. Versions are never deleted for good. The key may
 *   generate data keys and decrypt: S3 needs `kms:Decrypt` to complete a multipart upload
 *   encrypted with a customer-managed key, and to read back.
 * - `read`: read and list objects (a plan's inputs). The key may decrypt.
 * - `read-write`: read, list, put and delete objects, and abort multipart uploads (a plan's
 *   outputs, which Spark replaces: it lists and deletes what was there, writes through temporary
 *   objects and copies them into place). Versions are never deleted for good. The key may generate
 *   data keys and decrypt.
 * - `query`: as `read`, plus `s3:GetBucketLocation`, which Athena's published examples grant on
 *   the buckets of the tables a query reads (it tells only the bucket's region).
 */
export type ZoneObjectAccessLevel = 'read-and-delete' | 'write-and-verify' | 'read' | 'read-write' | 'query';

export interface ZoneObjectAccessProps {
  readonly bucket: s3.IBucket;
  /** The key that encrypts the bucket. */
  readonly key: kms.IKey;
  readonly role: iam.IRole;
  readonly access: ZoneObjectAccessLevel;
  /**
   * Only the objects under this key prefix (ending in `/`, e.g. `outcomes/`): the object actions
   * name `<bucket ARN>/<prefix>*`, and listing is allowed for that prefix only (`s3:prefix`).
   *
   * @default - every object of the bucket
   */
  readonly prefix?: string;
  /**
   * Why the role needs every object of the bucket (or of the prefix) rather than named ones: the
   * reason of the acknowledged cdk-nag finding (AwsSolutions-IAM5) on the object wildcard.
   */
  readonly whyAllObjects: string;
}

const ACTIONS: Record<ZoneObjectAccessLevel, { objects: string[]; bucket: string[]; key: ZoneKeyAction[] }> = {
  'read-and-delete': {
    objects: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject'],
    bucket: ['s3:ListBucket'],
    key: ['kms:Decrypt'],
  },
  'write-and-verify': {
    objects: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject', 's3:DeleteObject'],
    bucket: ['s3:ListBucket'],
    key: ['kms:GenerateDataKey', 'kms:Decrypt'],
  },
  read: {
    objects: ['s3:GetObject'],
    bucket: ['s3:ListBucket'],
    key: ['kms:Decrypt'],
  },
  'read-write': {
    objects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    bucket: ['s3:ListBucket'],
    key: ['kms:GenerateDataKey', 'kms:Decrypt'],
  },
  query: {
    objects: ['s3:GetObject'],
    bucket: ['s3:ListBucket', 's3:GetBucketLocation'],
    key: ['kms:Decrypt'],
  },
};

/**
 * An IAM policy, attached to a role, that grants access to the objects of a zone bucket and to
 * its key, action by action (no `s3:GetObject*` style wildcards), and the role's admission to the
 * key's policy for the same key actions (`admitToZoneKey`: a zone key lets no one use it on data
 * unless its policy names them). The policy lives in the role's stack and refers to the bucket's
 * stack; the key policy names the role by its ARN, built from the role's fixed name when the role
 * is in another stack, never by a reference, so no cross-stack cycle can arise. The key may only
 * be used through S3 (`kms:ViaService`).
 *
 * Object keys are not known in advance, so the policy names `<bucket ARN>/*` (or
 * `<bucket ARN>/<prefix>*`): cdk-nag reports that wildcard (AwsSolutions-IAM5), and this construct
 * acknowledges exactly that finding, with `whyAllObjects` as the reason.
 */
export class ZoneObjectAccess extends Construct {
  public readonly policy: iam.Policy;
  /** The acknowledged finding, e.g. `AwsSolutions-IAM5[Resource::<RawBucketA2BA7F91.Arn>/*]`. */
  public readonly acknowledgedFinding: string;

  constructor(scope: Construct, id: string, props: ZoneObjectAccessProps) {
    super(scope, id);
    const actions = ACTIONS[props.access];
    const prefix = props.prefix ?? '';
    if (prefix !== '' && !/^[^/*?]+(\/[^/*?]+)*\/$/.test(prefix)) {
      throw new Error(`prefix must be a folder of object keys ending in "/", without wildcards, not ${JSON.stringify(prefix)}`);
    }
    const objects = allObjectsArn(props.bucket, Stack.of(this), prefix);

    const statements = [new iam.PolicyStatement({ actions: actions.objects, resources: [objects.arn] })];
    if (prefix === '') {
      statements.push(new iam.PolicyStatement({ actions: actions.bucket, resources: [objects.bucketArn] }));
    } else {
      // Listing reveals keys: under a prefix, only that prefix's.
      const [listing, others] = [actions.bucket.filter((a) => a === 's3:ListBucket'), actions.bucket.filter((a) => a !== 's3:ListBucket')];
      statements.push(new iam.PolicyStatement({ actions: listing, resources: [objects.bucketArn], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } }));
      if (others.length > 0) statements.push(new iam.PolicyStatement({ actions: others, resources: [objects.bucketArn] }));
    }
    statements.push(
      new iam.PolicyStatement({
        actions: actions.key,
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(props.bucket).region}.amazonaws.com` } },
      }),
    );
    this.policy = new iam.Policy(this, 'Policy', { roles: [props.role], statements });
    admitToZoneKey(props.key, props.role, actions.key);

    this.acknowledgedFinding = objects.nagFinding;
    Validations.of(this.policy).acknowledge({ id: objects.nagFinding, reason: props.whyAllObjects });
    acknowledgeInlinePolicy(this.policy);
  }
}

/**
 * The bucket's ARN and `<bucket ARN>/<prefix>*` as `consumer` may use them, and the text of the cdk-nag finding (AwsSolutions-IAM5)
 * that this wildcard raises in a policy of `consumer`.
 *
 * A bucket of another stack is read with `Fn::GetStackOutput` from an output of its stack named
 * after the bucket's logical ID, rather than through the CDK's automatic cross-stack reference,
 * whose output name is generated during synthesis: this way the policy, and so the finding to
 * acknowledge, are known when the policy is built, and read the same at every synthesis.
 */
export function allObjectsArn(bucket: s3.IBucket, consumer: Stack, prefix = ''): { bucketArn: string; arn: string; nagFinding: string } {
  const producer = Stack.of(bucket);
  let bucketArn = bucket.bucketArn;
  if (producer !== consumer) {
    const cfnBucket = bucket.node.defaultChild;
    if (!CfnElement.isCfnElement(cfnBucket)) {
      throw new Error(`${bucket.node.path} is not a bucket defined in a stack: import it into ${consumer.node.path} instead.`);
    }
    const outputId = `${producer.getLogicalId(cfnBucket)}Arn`;
    const output =
      (producer.node.tryFindChild(outputId) as CfnOutput | undefined) ??
      new CfnOutput(producer, outputId, {
        value: bucket.bucketArn,
        description: `ARN of ${bucket.node.path}, for the policies of other stacks that name its objects.`,
      });
    const region = Token.isUnresolved(producer.region) ? undefined : producer.region;
    bucketArn = Fn.getStackOutput(producer.stackName, producer.getLogicalId(output), region);
    consumer.addStackDependency(producer, `policies name the objects of ${bucket.node.path}`);
  }
  const arn = `${bucketArn}/${prefix}*`;
  return { bucketArn, arn, nagFinding: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(consumer.resolve(arn))}]` };
}

/**
 * A resolved CloudFormation value as cdk-nag 3 writes it into a finding ID
 * (`flattenCfnReference` in cdk-nag's utils): joins joined, `${x}` as `<x>`, references as
 * `<LogicalId>` and `<LogicalId.Attribute>`, anything else as JSON. The nag test proves the two
 * agree: an acknowledgement with any other text would leave the finding in the report.
 */
export function flattenAsCdkNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenAsCdkNag).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenAsCdkNag(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenAsCdkNag(resource)}.${flattenAsCdkNag(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenAsCdkNag(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenAsCdkNag(node.Ref)}>`;
  return JSON.stringify(value);
}
