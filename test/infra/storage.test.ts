import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ZONES, ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import {
  ConfigurationError,
  environmentConfig,
  resolveEnvironmentName,
  type EnvironmentName,
} from '../../lib/config/environments';
import { buildPlatform } from '../../lib/platform';
import { StorageStack } from '../../lib/stacks/storage-stack';
import { DataLakeStorage } from '../../lib/storage/data-lake-storage';
import { admitToZoneKey, KEY_ADMINISTRATION_ACTIONS } from '../../lib/storage/zone-key-policy';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Tag = { Key: string; Value: string };

function testApp(context: Record<string, unknown> = {}): App {
  // nag.test.ts runs CloudFormation's built-in template validation; here it would only cost seconds.
  return new App({ context: { ...cdkJsonContext(), ...context }, builtinCloudFormationValidation: false });
}

function storageTemplate(envName: EnvironmentName): Template {
  const stack = new StorageStack(testApp(), 'Storage', { config: environmentConfig(envName, {}) });
  return Template.fromStack(stack);
}

function tagValue(resource: Resource, key: string): string | undefined {
  const tags = (resource.Properties.Tags ?? []) as Tag[];
  return tags.find((tag) => tag.Key === key)?.Value;
}

/** Logical IDs of the zone buckets, found by their zone tag, and of the one bucket without one. */
function buckets(template: Template): { zones: Record<ZoneName, string>; accessLogs: string } {
  const all = template.findResources('AWS::S3::Bucket') as Record<string, Resource>;
  const zones: Partial<Record<ZoneName, string>> = {};
  const untagged: string[] = [];
  for (const [logicalId, bucket] of Object.entries(all)) {
    const zone = tagValue(bucket, 'c2c:zone') as ZoneName | undefined;
    if (zone) {
      zones[zone] = logicalId;
    } else {
      untagged.push(logicalId);
    }
  }
  expect(Object.keys(zones).sort()).toEqual([...ZONE_NAMES].sort());
  expect(untagged).toHaveLength(1);
  return { zones: zones as Record<ZoneName, string>, accessLogs: untagged[0] };
}

function resource(template: Template, logicalId: string): Resource {
  return template.toJSON().Resources[logicalId] as Resource;
}

describe('DataLakeStorage', () => {
  const template = storageTemplate('dev');
  const { zones, accessLogs } = buckets(template);

  test('has one bucket per zone plus the access-log bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', ZONE_NAMES.length + 1);
  });

  test('encrypts each zone bucket with SSE-KMS under its own rotating key', () => {
    const keyIds = ZONE_NAMES.map((zone) => {
      const encryption = resource(template, zones[zone]).Properties.BucketEncryption as {
        ServerSideEncryptionConfiguration: {
          BucketKeyEnabled: boolean;
          ServerSideEncryptionByDefault: { SSEAlgorithm: string; KMSMasterKeyID: { 'Fn::GetAtt': [string, string] } };
        }[];
      };
      const [rule] = encryption.ServerSideEncryptionConfiguration;
      expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
      expect(rule.BucketKeyEnabled).toBe(true);
      const keyId = rule.ServerSideEncryptionByDefault.KMSMasterKeyID['Fn::GetAtt'][0];
      const key = resource(template, keyId);
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(tagValue(key, 'c2c:zone')).toBe(zone);
      return keyId;
    });
    expect(new Set(keyIds).size).toBe(ZONE_NAMES.length);
    template.resourceCountIs('AWS::KMS::Key', ZONE_NAMES.length);
  });

  test('gives each key an alias named after the environment and zone', () => {
    for (const zone of ZONE_NAMES) {
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/c2c-dev/${zone}` });
    }
  });

  test('encrypts the access-log bucket with SSE-S3, the only default encryption S3 log delivery supports', () => {
    expect(resource(template, accessLogs).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('versions, blocks public access and disables ACLs on every bucket', () => {
    for (const logicalId of [...Object.values(zones), accessLogs]) {
      expect(resource(template, logicalId).Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    }
  });

  test('denies every request to every bucket that does not use TLS', () => {
    for (const logicalId of [...Object.values(zones), accessLogs]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('sends each zone bucket access logs to the access-log bucket under the zone prefix', () => {
    for (const zone of ZONE_NAMES) {
      expect(resource(template, zones[zone]).Properties.LoggingConfiguration).toMatchObject({
        DestinationBucketName: { Ref: accessLogs },
        LogFilePrefix: `${zone}/`,
      });
    }
    // Delivery is allowed by bucket policy, for the zone buckets only.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: accessLogs },
      PolicyDocument: {
        Statement: Match.arrayWith(
          ZONE_NAMES.map((zone) =>
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [zones[zone], 'Arn'] } } }),
            }),
          ),
        ),
      },
    });
    expect(resource(template, accessLogs).Properties.LoggingConfiguration).toBeUndefined();
  });

  test('expires superseded versions in zone buckets but never current objects', () => {
    for (const zone of ZONE_NAMES) {
      const { Rules: rules } = resource(template, zones[zone]).Properties.LifecycleConfiguration as {
        Rules: Record<string, unknown>[];
      };
      expect(rules).toContainEqual(
        expect.objectContaining({
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          ExpiredObjectDeleteMarker: true,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          Status: 'Enabled',
        }),
      );
      for (const rule of rules) {
        expect(rule.ExpirationInDays).toBeUndefined();
      }
    }
  });

  test('expires access logs after the retention period', () => {
    expect(resource(template, accessLogs).Properties.LifecycleConfiguration).toEqual({
      Rules: [
        expect.objectContaining({
          ExpirationInDays: 30,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          Status: 'Enabled',
        }),
      ],
    });
  });

  test('tags each zone bucket with its zone, sensitivity and PII flag', () => {
    for (const zone of ZONE_NAMES) {
      const bucket = resource(template, zones[zone]);
      expect(tagValue(bucket, 'c2c:sensitivity')).toBe(ZONES[zone].sensitivity);
      expect(tagValue(bucket, 'c2c:may-hold-pii')).toBe(String(ZONES[zone].mayHoldPii));
    }
  });

  test('creates a Glue database per zone, located in the zone bucket', () => {
    template.resourceCountIs('AWS::Glue::Database', ZONE_NAMES.length);
    for (const zone of ZONE_NAMES) {
      template.hasResourceProperties('AWS::Glue::Database', {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: {
          Name: `c2c_dev_${zone}`,
          LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: zones[zone] }]] },
        },
      });
    }
  });
});

describe('DataLakeStorage zone keys', () => {
  type KeyStatement = { Sid?: string; Principal: unknown; Action: string | string[]; Condition?: Record<string, Record<string, unknown>> };

  function keyPolicy(template: Template, zone: ZoneName): KeyStatement[] {
    const keys = template.findResources('AWS::KMS::Key') as Record<string, Resource>;
    const found = Object.values(keys).find((key) => tagValue(key, 'c2c:zone') === zone);
    if (!found) throw new Error(`no key for ${zone}`);
    return (found.Properties.KeyPolicy as { Statement: KeyStatement[] }).Statement;
  }

  // The region (us-west-2) fixes the partition.
  const accountRoot = { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } };

  test('let the account administer them, and use them on data no one until admitted', () => {
    const stack = new Stack(testApp(), 'Keys', { env: { region: 'us-west-2' } });
    new DataLakeStorage(stack, 'DataLake', { namePrefix: 'c2c-test' });
    const template = Template.fromStack(stack);
    for (const zone of ZONE_NAMES) {
      expect(keyPolicy(template, zone)).toEqual([
        { Sid: 'AdministerThroughIamNeverUseOnData', Effect: 'Allow', Principal: accountRoot, Action: [...KEY_ADMINISTRATION_ACTIONS].sort(), Resource: '*' },
      ]);
    }
    expect(KEY_ADMINISTRATION_ACTIONS.filter((action) => /[*?]|Decrypt|Encrypt|GenerateDataKey|CreateGrant/.test(action))).toEqual([]);
  });

  test('admit a role of another stack by its name, through S3 only; a role left unnamed gets a fixed name', () => {
    const app = testApp();
    const env = { region: 'us-west-2' };
    const storage = new DataLakeStorage(new Stack(app, 'Storage', { env }), 'DataLake', { namePrefix: 'c2c-test' });
    const consumer = new Stack(app, 'Consumer', { env });
    const named = new iam.Role(consumer, 'Named', { roleName: 'c2c-test-reader', assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const unnamed = new iam.Role(consumer, 'Unnamed', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    admitToZoneKey(storage.key('linked'), named, ['kms:Decrypt']);
    admitToZoneKey(storage.key('outcomes'), unnamed, ['kms:Decrypt', 'kms:GenerateDataKey']);
    const admission = (roleName: string, actions: string | string[]): KeyStatement => ({
      Effect: 'Allow',
      Principal: accountRoot,
      Action: actions,
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${roleName}`]] } },
        StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
      },
    } as KeyStatement);
    const storageTemplate = Template.fromStack(storage.node.scope as Stack);
    const unnamedName = Template.fromStack(consumer).toJSON().Resources[consumer.getLogicalId(unnamed.node.defaultChild as iam.CfnRole)].Properties.RoleName as string;
    expect(unnamedName).toMatch(/^Consumer-Unnamed-[0-9a-f]{8}$/);
    expect(keyPolicy(storageTemplate, 'linked').slice(1)).toEqual([admission('c2c-test-reader', 'kms:Decrypt')]);
    expect(keyPolicy(storageTemplate, 'outcomes').slice(1)).toEqual([admission(unnamedName, ['kms:Decrypt', 'kms:GenerateDataKey'])]);
    // The storage stack names the roles but refers to nothing of the consumer's stack.
    expect((storage.node.scope as Stack).dependencies).toEqual([]);
    expect(() => admitToZoneKey(storage.key('raw'), iam.Role.fromRoleName(consumer, 'Imported', 'elsewhere'), ['kms:Decrypt'])).toThrow(/not a role this app defines/);
  });

  test('sends bucket events to EventBridge for the zones asked only, with the bucket property (no custom resource)', () => {
    const notifications = (eventBridgeZones?: ZoneName[]): Record<string, unknown> => {
      const stack = new Stack(testApp(), 'Events');
      new DataLakeStorage(stack, 'DataLake', { namePrefix: 'c2c-test', eventBridgeZones });
      const template = Template.fromStack(stack);
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
      const { zones } = buckets(template);
      return Object.fromEntries(ZONE_NAMES.map((zone) => [zone, resource(template, zones[zone]).Properties.NotificationConfiguration]));
    };
    expect(Object.values(notifications()).filter(Boolean)).toEqual([]);
    expect(notifications(['landing'])).toEqual({
      ...Object.fromEntries(ZONE_NAMES.map((zone) => [zone, undefined])),
      landing: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  test('rejects a name prefix that cannot name KMS aliases and Glue databases', () => {
    const stack = new Stack(testApp(), 'BadPrefix');
    expect(() => new DataLakeStorage(stack, 'DataLake', { namePrefix: 'C2C_Dev' })).toThrow(/Invalid namePrefix "C2C_Dev"/);
  });
});

describe('environments', () => {
  test('dev can be torn down: buckets, keys and databases are deleted with the stack', () => {
    const template = storageTemplate('dev');
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database']) {
      for (const found of Object.values(template.findResources(type)) as Resource[]) {
        expect(found.DeletionPolicy).toBe('Delete');
      }
    }
    // Emptied first, so that the delete succeeds.
    template.resourceCountIs('Custom::S3AutoDeleteObjects', ZONE_NAMES.length + 1);
    template.allResourcesProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  test('prod retains buckets, keys and databases when the stack goes away', () => {
    const template = storageTemplate('prod');
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database']) {
      const found = Object.values(template.findResources(type)) as Resource[];
      expect(found.length).toBeGreaterThan(0);
      for (const each of found) {
        expect(each.DeletionPolicy).toBe('Retain');
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    template.allResourcesProperties('AWS::KMS::Key', { PendingWindowInDays: 30 });
  });

  test('prod keeps landing versions a month, and tiers raw and quarantine', () => {
    const template = storageTemplate('prod');
    const { zones, accessLogs } = buckets(template);
    const rulesOf = (logicalId: string): Record<string, unknown>[] =>
      (resource(template, logicalId).Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    const tiering = expect.objectContaining({
      Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }],
    });

    expect(rulesOf(zones.landing)).toEqual([expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]);
    expect(rulesOf(zones.raw)).toContainEqual(tiering);
    expect(rulesOf(zones.quarantine)).toContainEqual(tiering);
    expect(rulesOf(zones.identity)).not.toContainEqual(tiering);
    expect(rulesOf(accessLogs)).toEqual([expect.objectContaining({ ExpirationInDays: 730 })]);
  });

  test('prod names its databases and aliases after the environment', () => {
    const template = storageTemplate('prod');
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'c2c_prod_identity' }) });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/c2c-prod/identity' });
  });

  test('the account can be pinned per environment, and is otherwise the CLI default', () => {
    expect(environmentConfig('prod', { C2C_PROD_ACCOUNT: '111111111111', CDK_DEFAULT_ACCOUNT: '222222222222' }).account).toBe(
      '111111111111',
    );
    expect(environmentConfig('prod', { CDK_DEFAULT_ACCOUNT: '222222222222' }).account).toBe('222222222222');
    expect(environmentConfig('dev', {}).account).toBeUndefined();
  });

  test('an unknown environment name is an error that lists the valid ones', () => {
    expect(() => resolveEnvironmentName('staging')).toThrow(
      new ConfigurationError('Unknown environment "staging" (from -c env=...). Valid environments: dev, prod.'),
    );
    expect(() => resolveEnvironmentName('staging')).toThrow(ConfigurationError);
    expect(() => buildPlatform(testApp({ env: 'Prod' }))).toThrow(/Unknown environment "Prod".*Valid environments: dev, prod/);
  });

  test('the app builds C2c-<env>-Storage for the env context, dev by default', () => {
    const withoutEnv = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(buildPlatform(withoutEnv).storage.stackName).toBe('C2c-dev-Storage');

    const prod = buildPlatform(testApp({ env: 'prod' }));
    expect(prod.storage.stackName).toBe('C2c-prod-Storage');
    expect(prod.storage.terminationProtection).toBe(true);
    expect(prod.storage.region).toBe('us-west-2');
  });
});
