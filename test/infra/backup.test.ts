import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { buildPlatform } from '../../lib/platform';
import { BACKED_UP_ZONES } from '../../lib/storage/data-lake-storage';
import { LakeBackup } from '../../lib/storage/lake-backup';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Tag = { Key: string; Value: string };

function testApp(env: string): App {
  return new App({ context: { ...cdkJsonContext(), env }, builtinCloudFormationValidation: false });
}

function only(template: Template, type: string): [string, Resource] {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Logical IDs of the storage stack's buckets: the zones' by their zone tag, and the access-log bucket. */
function storageBuckets(storage: Template): { zones: Record<ZoneName, string>; accessLogs: string } {
  const zones: Partial<Record<ZoneName, string>> = {};
  let accessLogs = '';
  for (const [logicalId, bucket] of Object.entries(storage.findResources('AWS::S3::Bucket') as Record<string, Resource>)) {
    const zone = ((bucket.Properties.Tags ?? []) as Tag[]).find((tag) => tag.Key === 'c2c:zone')?.Value as ZoneName | undefined;
    if (zone) zones[zone] = logicalId;
    else accessLogs = logicalId;
  }
  return { zones: zones as Record<ZoneName, string>, accessLogs };
}

/** The ARNs a backup selection names, and its role. */
function selection(template: Template): { resources: unknown[]; role: Resource } {
  const [, found] = only(template, 'AWS::Backup::BackupSelection');
  const spec = found.Properties.BackupSelection as { Resources: unknown[]; IamRoleArn: { 'Fn::GetAtt': [string, string] } };
  const role = template.toJSON().Resources[spec.IamRoleArn['Fn::GetAtt'][0]] as Resource;
  return { resources: spec.Resources, role };
}

function managedPolicyNames(role: Resource): string[] {
  return (role.Properties.ManagedPolicyArns as { 'Fn::Join': [string, unknown[]] }[]).map((arn) => String(arn['Fn::Join'][1].at(-1)).replace(/^:iam::aws:policy\//, ''));
}

describe('backups in prod', () => {
  const built = buildPlatform(testApp('prod'));
  const storage = Template.fromStack(built.storage);
  const ingestion = Template.fromStack(built.ingestion);
  const processing = Template.fromStack(built.processing);

  test('a retained vault under its own rotating key, in which nobody may delete a recovery point or shorten its life', () => {
    const [, vault] = only(storage, 'AWS::Backup::BackupVault');
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(vault.Properties).toMatchObject({
      BackupVaultName: 'c2c-prod-lake',
      AccessPolicy: {
        Statement: [
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'], Resource: '*' },
        ],
      },
    });
    const keyId = (vault.Properties.EncryptionKeyArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = storage.toJSON().Resources[keyId] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    storage.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/c2c-prod/backup', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  test('a plan that backs up daily with continuous backups, kept 35 days', () => {
    const [vaultId] = only(storage, 'AWS::Backup::BackupVault');
    const [, plan] = only(storage, 'AWS::Backup::BackupPlan');
    expect(plan.Properties.BackupPlan).toEqual({
      BackupPlanName: 'c2c-prod-lake',
      BackupPlanRule: [
        {
          RuleName: 'daily-with-point-in-time',
          ScheduleExpression: 'cron(0 11 * * ? *)',
          EnableContinuousBackup: true,
          Lifecycle: { DeleteAfterDays: 35 },
          TargetBackupVault: { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] },
        },
      ],
    });
  });

  test('backs up the raw, quarantine and identity zones and the access logs, and no other zone', () => {
    const { zones, accessLogs } = storageBuckets(storage);
    const { resources, role } = selection(storage);
    expect(resources).toEqual([...BACKED_UP_ZONES.map((zone) => zones[zone]), accessLogs].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })));
    expect(BACKED_UP_ZONES).toEqual(['raw', 'quarantine', 'identity']);
    expect(ZONE_NAMES.filter((zone) => !(BACKED_UP_ZONES as readonly string[]).includes(zone))).toEqual(['landing', 'linked', 'outcomes', 'published']);
    expect(managedPolicyNames(role)).toEqual(['service-role/AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForS3Backup']);
  });

  test('backs up the ingestion ledger and the processing access logs from their own stacks, under the storage stack\'s plan', () => {
    const [tableId] = only(ingestion, 'AWS::DynamoDB::Table');
    const ledger = selection(ingestion);
    expect(ledger.resources).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    expect(managedPolicyNames(ledger.role)).toEqual(['service-role/AWSBackupServiceRolePolicyForBackup']);

    const logs = selection(processing);
    const [accessLogId] = Object.entries(processing.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('AccessLogs')) ?? [''];
    expect(logs.resources).toEqual([{ 'Fn::GetAtt': [accessLogId, 'Arn'] }]);

    const [planId] = only(storage, 'AWS::Backup::BackupPlan');
    const storageOutputs = storage.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const template of [ingestion, processing]) {
      const [, found] = only(template, 'AWS::Backup::BackupSelection');
      const output = (found.Properties.BackupPlanId as { 'Fn::GetStackOutput': { StackName: string; OutputName: string } })['Fn::GetStackOutput'];
      expect(output.StackName).toBe('C2c-prod-Storage');
      expect(storageOutputs[output.OutputName]?.Value).toEqual({ 'Fn::GetAtt': [planId, 'BackupPlanId'] });
    }
  });

  test('the selections\' roles trust AWS Backup only and have no policy of their own', () => {
    for (const template of [storage, ingestion, processing]) {
      const { role } = selection(template);
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } }],
      });
      expect(role.Properties.Policies).toBeUndefined();
    }
  });
});

describe('backups in dev', () => {
  test('there are none: dev holds synthetic data and must be torn down by cdk destroy', () => {
    const built = buildPlatform(testApp('dev'));
    for (const stack of [built.storage, built.ingestion, built.processing]) {
      const types = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>).map((resource) => resource.Type);
      expect(types.filter((type) => type.startsWith('AWS::Backup::'))).toEqual([]);
    }
  });
});

describe('LakeBackup', () => {
  test.each([
    ['36 days', Duration.days(36)],
    ['12 hours', Duration.hours(12)],
    ['36 hours', Duration.hours(36)],
  ])('refuses a retention of %s: continuous backups keep 1 to 35 whole days', (_label, retention) => {
    const stack = new Stack(new App(), 'Backup');
    expect(() => new LakeBackup(stack, 'Backup', { namePrefix: 'c2c-test', retention })).toThrow(/1 to 35 whole days/);
  });
});
