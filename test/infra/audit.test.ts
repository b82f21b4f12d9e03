import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { ZONE_NAMES } from '../../core/lake/zones';
import { environmentConfig, ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config/environments';
import { AuditStack } from '../../lib/stacks/audit-stack';
import { StorageStack } from '../../lib/stacks/storage-stack';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };

/** The storage stack and the audit stack of an environment, without the rest of the platform. */
function auditOf(env: EnvironmentName): { config: ReturnType<typeof environmentConfig>; storage: StorageStack; audit: AuditStack; templates: { storage: Template; audit: Template } } {
  const app = new App({ context: cdkJsonContext(), builtinCloudFormationValidation: false });
  const config = environmentConfig(env, {});
  const stackEnv = { account: config.account, region: config.region };
  const storage = new StorageStack(app, `C2c-${env}-Storage`, { env: stackEnv, config });
  const audit = new AuditStack(app, `C2c-${env}-Audit`, { env: stackEnv, config, storage: storage.storage });
  return { config, storage, audit, templates: { storage: Template.fromStack(storage), audit: Template.fromStack(audit) } };
}

function logicalIdOf(construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct) ? construct : (construct.node.defaultChild as CfnElement);
  return Stack.of(resource).resolve(resource.logicalId) as string;
}

describe.each(ENVIRONMENT_NAMES)('the %s audit trail', (env) => {
  const { config, storage, audit, templates } = auditOf(env);
  const trail = templates.audit.toJSON().Resources[logicalIdOf(audit.trail.trail)] as Resource;
  const bucketId = logicalIdOf(audit.trail.bucket);
  const bucket = templates.audit.toJSON().Resources[bucketId] as Resource;
  const keyId = logicalIdOf(audit.trail.key);
  const outputs = templates.storage.toJSON().Outputs as Record<string, { Value: unknown }>;
  /** The storage stack's resource an output of it refers to, for a `Fn::GetStackOutput` of the audit stack. */
  const producer = (value: unknown): unknown => {
    const output = (value as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string } })['Fn::GetStackOutput'];
    expect(output?.StackName).toBe(`C2c-${env}-Storage`);
    return outputs[output?.OutputName as string]?.Value;
  };

  test('records every management call, in every region, global services included: Athena\'s queries among them', () => {
    expect(trail.Properties).toMatchObject({ IsLogging: true, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true, TrailName: `c2c-${env}-audit` });
    const selectors = trail.Properties.EventSelectors as { IncludeManagementEvents: boolean; ReadWriteType: string; DataResources?: unknown[]; ExcludeManagementEventSources?: unknown }[];
    expect(selectors.filter((selector) => selector.IncludeManagementEvents)).toEqual([{ IncludeManagementEvents: true, ReadWriteType: 'All' }]);
    expect(selectors.some((selector) => selector.ExcludeManagementEventSources !== undefined)).toBe(false);
  });

  test('records every object read and write in every zone bucket (S3 data events)', () => {
    const selectors = trail.Properties.EventSelectors as { IncludeManagementEvents: boolean; ReadWriteType: string; DataResources?: { Type: string; Values: unknown[] }[] }[];
    const data = selectors.filter((selector) => selector.DataResources);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ ReadWriteType: 'All', IncludeManagementEvents: false });
    const [resources] = data[0]?.DataResources ?? [];
    expect(resources?.Type).toBe('AWS::S3::Object');
    const buckets = (resources?.Values ?? []).map((value) => {
      const [arn, slash] = (value as { 'Fn::Join': [string, [unknown, string]] })['Fn::Join'][1];
      expect(slash).toBe('/');
      return producer(arn);
    });
    expect(buckets).toEqual(ZONE_NAMES.map((zone) => ({ 'Fn::GetAtt': [logicalIdOf(storage.storage.bucket(zone)), 'Arn'] })));
  });

  test('encrypts its log files with its own key, which CloudTrail may use for this trail only, validates them, and copies the events to an encrypted log group', () => {
    expect(trail.Properties).toMatchObject({
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      S3BucketName: { Ref: bucketId },
    });
    const key = templates.audit.toJSON().Resources[keyId] as Resource;
    const forCloudTrail = (key.Properties.KeyPolicy as { Statement: { Principal: unknown; Condition?: unknown; Action: unknown }[] }).Statement.filter(
      (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudtrail.amazonaws.com' }),
    );
    expect(forCloudTrail).toEqual([
      expect.objectContaining({
        Action: ['kms:DescribeKey', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:cloudtrail:us-west-2:', { Ref: 'AWS::AccountId' }, `:trail/c2c-${env}-audit`]] } } },
      }),
    ]);
    templates.audit.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      RetentionInDays: config.audit.trailSearchRetention,
    });
    expect(trail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(audit.trail.logGroup), 'Arn'] });
  });

  test('delivers to a dedicated bucket: encrypted with the trail\'s key, private, TLS only, versioned, access-logged, kept for the configured retention', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(audit.accessLogBucket.bucket) }, LogFilePrefix: 'audit-trail/' },
    });
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'expire-audit-logs', ExpirationInDays: config.audit.trailRetention.toDays(), Status: 'Enabled' }));
    templates.audit.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 's3:PutObject', Principal: { Service: 'cloudtrail.amazonaws.com' } }),
        ]),
      },
    });
  });

  test(env === 'prod' ? 'locks every log file for the retention: nobody may delete it earlier' : 'locks nothing, so that cdk destroy can empty and delete the bucket', () => {
    if (config.audit.lockTrailLogs) {
      expect(bucket.Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: config.audit.trailRetention.toDays() } } },
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
    } else {
      expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
    expect(config.audit.lockTrailLogs).toBe(env === 'prod');
  });

  test('sits beside S3 server access logs of every zone bucket, in the storage stack\'s access-log bucket under the zone\'s prefix', () => {
    for (const zone of ZONE_NAMES) {
      const zoneBucket = templates.storage.toJSON().Resources[logicalIdOf(storage.storage.bucket(zone))] as Resource;
      expect([zone, zoneBucket.Properties.LoggingConfiguration]).toEqual([
        zone,
        expect.objectContaining({ DestinationBucketName: { Ref: logicalIdOf(storage.storage.accessLogBucket) }, LogFilePrefix: `${zone}/` }),
      ]);
    }
  });
});
