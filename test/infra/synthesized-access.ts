/**
 * The synthesized templates of the whole app as the IAM evaluator needs them: every role with its
 * identity and trust policies, every zone bucket and key with its resource policy, CloudFormation
 * intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::GetStackOutput, ...) resolved to the values
 * they would have once deployed to ACCOUNT. Physical names CloudFormation would generate are
 * stood in for by names derived from the stack and logical ID, so that every reference to one
 * resource resolves to the same value in every stack.
 */
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { decide, type AccessRequest, type Decision, type PolicyDocument } from './iam-evaluator';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

interface Template {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>>;
}

export interface RoleModel {
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path, `C2c-dev-Ingestion/Partners/cde/Role`. */
  readonly path: string;
  readonly name: string;
  readonly arn: string;
  readonly identityPolicies: readonly PolicyDocument[];
  /** AWS managed policies, which the evaluator cannot read. */
  readonly managedPolicyArns: readonly string[];
  readonly trustPolicy: PolicyDocument;
}

/** A statement of a policy: of an identity (role or policy), a bucket, a key, or another resource (queue, topic, vault). */
export interface StatementAt {
  readonly stack: string;
  readonly logicalId: string;
  readonly kind: 'identity' | 'bucket' | 'key' | 'other';
  readonly statement: Readonly<Record<string, unknown>>;
}

/** A bucket and the key that encrypts it by default. */
export interface BucketModel {
  readonly bucketArn: string;
  readonly bucketPolicy: PolicyDocument | undefined;
  readonly keyArn: string;
  readonly keyPolicy: PolicyDocument;
}

/** Which KMS action S3 takes with the bucket's key, for its caller, when the caller takes an S3 action on an object. */
const KMS_ACTION_OF: Readonly<Record<string, string>> = {
  's3:GetObject': 'kms:Decrypt',
  's3:GetObjectVersion': 'kms:Decrypt',
  's3:PutObject': 'kms:GenerateDataKey',
};

export class SynthesizedAccess {
  public readonly roles: readonly RoleModel[];
  private readonly templates: ReadonlyMap<string, Template>;
  private zoneModels: Readonly<Record<ZoneName, BucketModel>> | undefined;

  constructor(assembly: CloudAssembly) {
    this.templates = new Map(assembly.stacks.map((stack) => [stack.stackName, stack.template as Template]));
    this.roles = [...this.templates.entries()].flatMap(([stack, template]) =>
      Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
        .map(([logicalId]) => this.role(stack, logicalId)),
    );
  }

  /** The zone buckets and keys, found by their `c2c:zone` tags. */
  public get zones(): Readonly<Record<ZoneName, BucketModel>> {
    this.zoneModels ??= Object.fromEntries(ZONE_NAMES.map((zone) => [zone, this.zone(zone)])) as Record<ZoneName, BucketModel>;
    return this.zoneModels;
  }

  /** The one role whose construct path matches. */
  public roleAt(path: RegExp): RoleModel {
    const found = this.roles.filter((role) => path.test(role.path));
    if (found.length !== 1) throw new Error(`${found.length} roles at ${String(path)}: ${found.map((role) => role.path).join(', ')}`);
    return found[0] as RoleModel;
  }

  /** Every statement of every policy in every template, as written (intrinsics unresolved), with the kind of policy it is in. */
  public statements(): StatementAt[] {
    const found: StatementAt[] = [];
    for (const [stack, template] of this.templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources)) {
        const documents: { kind: StatementAt['kind']; document: unknown }[] = [];
        const properties = resource.Properties ?? {};
        if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') documents.push({ kind: 'identity', document: properties.PolicyDocument });
        if (resource.Type === 'AWS::IAM::Role') {
          for (const inline of (properties.Policies ?? []) as { PolicyDocument: unknown }[]) documents.push({ kind: 'identity', document: inline.PolicyDocument });
        }
        if (resource.Type === 'AWS::S3::BucketPolicy') documents.push({ kind: 'bucket', document: properties.PolicyDocument });
        if (resource.Type === 'AWS::KMS::Key') documents.push({ kind: 'key', document: properties.KeyPolicy });
        for (const key of ['PolicyDocument', 'AccessPolicy'] as const) {
          if (!resource.Type.startsWith('AWS::IAM::') && resource.Type !== 'AWS::S3::BucketPolicy' && properties[key] !== undefined) documents.push({ kind: 'other', document: properties[key] });
        }
        for (const { kind, document } of documents) {
          for (const statement of (document as { Statement: Record<string, unknown>[] }).Statement) found.push({ stack, logicalId, kind, statement });
        }
      }
    }
    return found;
  }

  /** The one bucket (not a zone's) whose construct path matches, with its key. */
  public bucketAt(path: RegExp): BucketModel {
    const found = [...this.templates.entries()].flatMap(([stack, template]) =>
      Object.entries(template.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::S3::Bucket' && path.test(String(resource.Metadata?.['aws:cdk:path'] ?? '').replace(/\/Resource$/, '')))
        .map(([logicalId]) => [stack, logicalId] as [string, string]),
    );
    if (found.length !== 1) throw new Error(`${found.length} buckets at ${String(path)}`);
    return this.bucket(...(found[0] as [string, string]));
  }

  /**
   * Whether the role may take the S3 action on the object (or, with `key` undefined, the bucket) of
   * a zone's bucket or another, the KMS action S3 takes for it with the bucket's key included.
   */
  public s3(role: RoleModel, action: string, bucket: ZoneName | BucketModel, key?: string, context: AccessRequest['context'] = {}): Decision {
    const target = typeof bucket === 'string' ? this.zones[bucket] : bucket;
    const s3Decision = decide(
      { principal: principalOf(role), action, resource: key === undefined ? target.bucketArn : `${target.bucketArn}/${key}`, context: { ...requestContext(role), ...context } },
      { identity: role.identityPolicies, resource: target.bucketPolicy, resourceKind: 'bucket' },
    );
    const kmsAction = KMS_ACTION_OF[action];
    return s3Decision !== 'allowed' || kmsAction === undefined ? s3Decision : this.kmsThroughS3(role, kmsAction, target);
  }

  /**
   * Whether the role may take the KMS action on the bucket's key as S3 takes it for its callers:
   * through S3, with the bucket's ARN as encryption context (S3 Bucket Keys are on).
   */
  public kmsThroughS3(role: RoleModel, action: string, bucket: ZoneName | BucketModel): Decision {
    const target = typeof bucket === 'string' ? this.zones[bucket] : bucket;
    return this.kms(role, action, target, { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': target.bucketArn });
  }

  /** Whether the role may take the KMS action on the bucket's key, in the given context. */
  public kms(role: RoleModel, action: string, bucket: ZoneName | BucketModel, context: AccessRequest['context']): Decision {
    const { keyArn, keyPolicy } = typeof bucket === 'string' ? this.zones[bucket] : bucket;
    return decide(
      { principal: principalOf(role), action, resource: keyArn, context: { ...requestContext(role), 'kms:CallerAccount': ACCOUNT, ...context } },
      { identity: role.identityPolicies, resource: keyPolicy, resourceKind: 'key' },
    );
  }

  private role(stack: string, logicalId: string): RoleModel {
    const template = this.template(stack);
    const resource = template.Resources[logicalId] as CfnResource;
    const properties = resource.Properties ?? {};
    const attachedHere = (policy: CfnResource): boolean =>
      ((policy.Properties?.Roles ?? []) as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: logicalId }));
    const attached = Object.values(template.Resources)
      .filter((policy) => (policy.Type === 'AWS::IAM::Policy' || policy.Type === 'AWS::IAM::ManagedPolicy') && attachedHere(policy))
      .map((policy) => policy.Properties?.PolicyDocument);
    const inline = ((properties.Policies ?? []) as { PolicyDocument: unknown }[]).map((policy) => policy.PolicyDocument);
    return {
      stack,
      logicalId,
      path: String(resource.Metadata?.['aws:cdk:path'] ?? `${stack}/${logicalId}`).replace(/\/Resource$/, ''),
      name: this.resolve(stack, { Ref: logicalId }) as string,
      arn: this.resolve(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }) as string,
      identityPolicies: [...attached, ...inline].map((document) => this.resolve(stack, document) as PolicyDocument),
      managedPolicyArns: ((properties.ManagedPolicyArns ?? []) as unknown[]).map((arn) => this.resolve(stack, arn) as string),
      trustPolicy: this.resolve(stack, properties.AssumeRolePolicyDocument) as PolicyDocument,
    };
  }

  private zone(zone: ZoneName): BucketModel {
    const tagged = (type: string): [string, string] => {
      const found = [...this.templates.entries()].flatMap(([stack, template]) =>
        Object.entries(template.Resources)
          .filter(([, resource]) => resource.Type === type && ((resource.Properties?.Tags ?? []) as { Key: string; Value: string }[]).some((tag) => tag.Key === 'c2c:zone' && tag.Value === zone))
          .map(([logicalId]) => [stack, logicalId] as [string, string]),
      );
      if (found.length !== 1) throw new Error(`${found.length} resources of type ${type} are tagged c2c:zone=${zone}`);
      return found[0] as [string, string];
    };
    const bucket = this.bucket(...tagged('AWS::S3::Bucket'));
    const [keyStack, key] = tagged('AWS::KMS::Key');
    if (bucket.keyArn !== this.resolve(keyStack, { 'Fn::GetAtt': [key, 'Arn'] })) throw new Error(`the ${zone} bucket is not encrypted with the ${zone} key`);
    return bucket;
  }

  private bucket(stack: string, logicalId: string): BucketModel {
    const resources = this.template(stack).Resources;
    const bucketPolicy = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(resource.Properties?.Bucket) === JSON.stringify({ Ref: logicalId }),
    );
    const encryption = resources[logicalId]?.Properties?.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID?: unknown } }[] };
    const keyArn = this.resolve(stack, encryption.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.KMSMasterKeyID) as string;
    const [keyStack, keyId] = [...this.templates.entries()]
      .flatMap(([name, template]) => Object.keys(template.Resources).filter((id) => template.Resources[id]?.Type === 'AWS::KMS::Key').map((id) => [name, id] as [string, string]))
      .find(([name, id]) => this.resolve(name, { 'Fn::GetAtt': [id, 'Arn'] }) === keyArn) ?? [];
    if (keyStack === undefined || keyId === undefined) throw new Error(`no key of the app encrypts ${stack}/${logicalId}`);
    return {
      bucketArn: this.resolve(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }) as string,
      bucketPolicy: bucketPolicy ? (this.resolve(stack, bucketPolicy.Properties?.PolicyDocument) as PolicyDocument) : undefined,
      keyArn,
      keyPolicy: this.resolve(keyStack, this.template(keyStack).Resources[keyId]?.Properties?.KeyPolicy) as PolicyDocument,
    };
  }

  private template(stack: string): Template {
    const template = this.templates.get(stack);
    if (!template) throw new Error(`no stack ${stack}`);
    return template;
  }

  /** The value as deployed: intrinsics resolved, recursively. */
  public resolve(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stack, item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length !== 1 || first === undefined || !(first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(stack, item)]));
    }
    const [intrinsic, argument] = first;
    switch (intrinsic) {
      case 'Ref':
        return this.ref(stack, argument as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = (typeof argument === 'string' ? argument.split('.') : argument) as [string, string];
        return this.attribute(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, parts] = argument as [string, unknown[]];
        return parts.map((part) => this.resolve(stack, part)).join(delimiter);
      }
      case 'Fn::Sub': {
        const [text, variables] = (typeof argument === 'string' ? [argument, {}] : argument) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          String(name in variables ? this.resolve(stack, variables[name]) : name.includes('.') ? this.resolve(stack, { 'Fn::GetAtt': name }) : this.ref(stack, name)),
        );
      }
      case 'Fn::Select': {
        const [index, items] = argument as [number | string, unknown];
        return (this.resolve(stack, items) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [delimiter, text] = argument as [string, unknown];
        return (this.resolve(stack, text) as string).split(delimiter);
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = argument as { StackName: string; OutputName: string };
        const output = this.template(StackName).Outputs?.[OutputName];
        if (!output) throw new Error(`no output ${OutputName} in ${StackName}`);
        return this.resolve(StackName, output.Value);
      }
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, argument);
        for (const [producer, template] of this.templates) {
          for (const output of Object.values(template.Outputs ?? {})) {
            if (output.Export && this.resolve(producer, output.Export.Name) === name) return this.resolve(producer, output.Value);
          }
        }
        throw new Error(`no export ${String(name)}`);
      }
      default:
        throw new Error(`cannot resolve ${intrinsic} in ${stack}`);
    }
  }

  private ref(stack: string, name: string): unknown {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': stack };
    if (name in pseudo) return pseudo[name];
    const resource = this.template(stack).Resources[name];
    if (!resource) throw new Error(`no resource ${name} in ${stack}`);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return resource.Properties?.RoleName === undefined ? generatedName(stack, name) : this.resolve(stack, resource.Properties.RoleName);
      case 'AWS::S3::Bucket':
        return resource.Properties?.BucketName === undefined ? generatedName(stack, name).toLowerCase() : this.resolve(stack, resource.Properties.BucketName);
      default:
        // Key IDs, queue URLs, topic ARNs, ...: a stand-in unique to the resource.
        return `${stack}-${name}`;
    }
  }

  private attribute(stack: string, logicalId: string, attribute: string): unknown {
    const resource = this.template(stack).Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in ${stack}`);
    if (attribute !== 'Arn') return `${stack}-${logicalId}.${attribute}`;
    const name = this.ref(stack, logicalId) as string;
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`;
      default:
        return `arn:aws:${resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${REGION}:${ACCOUNT}:${name}`;
    }
  }
}

/** What CloudFormation would generate: unique per stack and logical ID. */
function generatedName(stack: string, logicalId: string): string {
  return `${stack}-${logicalId}`;
}

function principalOf(role: RoleModel): { arn: string; account: string } {
  return { arn: role.arn, account: ACCOUNT };
}

/** What every request of the role carries: TLS (the zone buckets deny anything else), its identity. */
function requestContext(role: RoleModel): AccessRequest['context'] {
  return { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3', 'aws:PrincipalArn': role.arn, 'aws:PrincipalAccount': ACCOUNT };
}
