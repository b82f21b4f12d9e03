/**
 * Who may do what with the lake's data, proven on the synthesized templates of the whole app
 * (DESIGN.md §4, Governance; docs/security.md, Threat model): every request below is decided by
 * evaluating the roles' identity policies together with the zone buckets' policies and the zone
 * keys' policies, as AWS would (iam-evaluator.ts), S3's own use of the zone key included.
 */
import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { allContracts } from '../../core/contracts/catalog';
import type { Contract } from '../../core/contracts/types';
import { destinations } from '../../core/ingest/ingest';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config/environments';
import { buildPlatform } from '../../lib/platform';
import { BACKED_UP_ZONES } from '../../lib/storage/data-lake-storage';
import { KEY_ADMINISTRATION_ACTIONS } from '../../lib/storage/zone-key-policy';
import { cdkJsonContext } from './cdk-context';
import { decide, wildcardMatch, type Decision, type PolicyDocument } from './iam-evaluator';
import { ACCOUNT, REGION, SynthesizedAccess, type RoleModel } from './synthesized-access';

function synthesized(env: EnvironmentName): SynthesizedAccess {
  // Path metadata (as `cdk synth` writes it): the tests name roles and buckets by their construct paths.
  const app = new App({ context: { ...cdkJsonContext(), env, 'aws:cdk:enable-path-metadata': true }, builtinCloudFormationValidation: false });
  buildPlatform(app);
  return new SynthesizedAccess(app.synth());
}

/** The two partners the isolation tests play: A, with several datasets, and B. */
const [A, B] = (['cde', 'uc'] as const).map((partner) => {
  const contracts = allContracts().filter((contract) => contract.partner === partner);
  return { partner, contract: contracts[0] as Contract, datasets: contracts.map((contract) => contract.dataset) };
}) as [{ partner: string; contract: Contract; datasets: string[] }, { partner: string; contract: Contract; datasets: string[] }];

/** Where ingestion puts a drop of the contract and its reports, accepted and rejected (core/ingest/ingest.ts). */
function written(contract: Contract): { parquet: string; acceptedReports: string[]; quarantined: string; rejectedReports: string[] } {
  const to = destinations(contract, `${contract.dataset}_2024-25.txt`, 'ab'.repeat(32), '2025-06-01');
  return {
    parquet: to.parquet.key,
    acceptedReports: [to.reportJson(true).key, to.reportText(true).key],
    quarantined: to.quarantined.key,
    rejectedReports: [to.reportJson(false).key, to.reportText(false).key],
  };
}

const KMS_DATA_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKeyWithoutPlaintext'];

describe.each(ENVIRONMENT_NAMES)('who may do what in the %s app', (env) => {
  const lake = synthesized(env);
  const partnerRole = (partner: string): RoleModel => lake.roleAt(new RegExp(`^C2c-${env}-Ingestion/Partners/${partner}/Role$`));
  const [a, b] = [partnerRole(A.partner), partnerRole(B.partner)];
  const ingest = lake.roleAt(new RegExp(`^C2c-${env}-Ingestion/IngestDrop/Role$`));
  const api = lake.roleAt(new RegExp(`^C2c-${env}-Api/Handler/Role$`));
  const drop = (partner: string, dataset: string): string => `${partner}/${dataset}/${dataset}_2024-25.txt`;

  test('every partner of the contracts has a role, named for it, and no other partner role exists', () => {
    const partners = [...new Set(allContracts().map((contract) => contract.partner))].sort();
    const roles = lake.roles.filter((role) => role.path.includes('/Partners/'));
    expect(roles.map((role) => role.name).sort()).toEqual(partners.map((partner) => `c2c-${env}-partner-${partner}`));
  });

  test('a partner drops files into its own landing folders only, and may not read, list or delete them', () => {
    const [ownDataset, otherOwnDataset] = A.datasets as [string, string];
    expect({
      put: lake.s3(a, 's3:PutObject', 'landing', drop(A.partner, ownDataset)),
      putAnotherOwnDataset: lake.s3(a, 's3:PutObject', 'landing', drop(A.partner, otherOwnDataset)),
      completeMultipart: lake.kmsThroughS3(a, 'kms:Decrypt', 'landing'),
      abortMultipart: lake.s3(a, 's3:AbortMultipartUpload', 'landing', drop(A.partner, ownDataset)),
      putIntoB: lake.s3(a, 's3:PutObject', 'landing', drop(B.partner, B.contract.dataset)),
      putIntoBWithOwnDataset: lake.s3(a, 's3:PutObject', 'landing', drop(B.partner, ownDataset)),
      putUnderADatasetWithoutContract: lake.s3(a, 's3:PutObject', 'landing', drop(A.partner, 'no_such_dataset')),
      putBesideTheFolders: lake.s3(a, 's3:PutObject', 'landing', `${A.partner}/${ownDataset}`),
      putIntoALookalikeFolder: lake.s3(a, 's3:PutObject', 'landing', drop(`${A.partner}x`, ownDataset)),
      putAtTheTop: lake.s3(a, 's3:PutObject', 'landing', 'file.txt'),
      readOwnDrop: lake.s3(a, 's3:GetObject', 'landing', drop(A.partner, ownDataset)),
      readBsDrop: lake.s3(a, 's3:GetObject', 'landing', drop(B.partner, B.contract.dataset)),
      deleteOwnDrop: lake.s3(a, 's3:DeleteObject', 'landing', drop(A.partner, ownDataset)),
      deleteOwnDropVersion: lake.s3(a, 's3:DeleteObjectVersion', 'landing', drop(A.partner, ownDataset)),
      listOwnFolder: lake.s3(a, 's3:ListBucket', 'landing', undefined, { 's3:prefix': `${A.partner}/` }),
      setAnAcl: lake.s3(a, 's3:PutObjectAcl', 'landing', drop(A.partner, ownDataset)),
    }).toEqual({
      put: 'allowed',
      putAnotherOwnDataset: 'allowed',
      completeMultipart: 'allowed',
      abortMultipart: 'allowed',
      putIntoB: 'implicitly denied',
      putIntoBWithOwnDataset: 'implicitly denied',
      putUnderADatasetWithoutContract: 'implicitly denied',
      putBesideTheFolders: 'implicitly denied',
      putIntoALookalikeFolder: 'implicitly denied',
      putAtTheTop: 'implicitly denied',
      readOwnDrop: 'implicitly denied',
      readBsDrop: 'implicitly denied',
      deleteOwnDrop: 'implicitly denied',
      deleteOwnDropVersion: 'implicitly denied',
      listOwnFolder: 'implicitly denied',
      setAnAcl: 'implicitly denied',
    });
  });

  test('a partner reads and lists its own reports, accepted and rejected, and not B\'s, nor any Parquet or quarantined file', () => {
    const [own, others] = [written(A.contract), written(B.contract)];
    const read = (zone: ZoneName, keys: readonly string[]): Decision[] => keys.map((key) => lake.s3(a, 's3:GetObject', zone, key));
    expect({
      ownAcceptedReports: read('raw', own.acceptedReports),
      ownRejectedReports: read('quarantine', own.rejectedReports),
      listOwnRawFolder: lake.s3(a, 's3:ListBucket', 'raw', undefined, { 's3:prefix': `${A.contract.dataset}/partner=${A.partner}/ingest_date=2025-06-01/` }),
      listOwnQuarantineFolder: lake.s3(a, 's3:ListBucket', 'quarantine', undefined, { 's3:prefix': `${A.partner}/` }),
      ownParquet: read('raw', [own.parquet]),
      ownQuarantinedFile: read('quarantine', [own.quarantined]),
      bsAcceptedReports: read('raw', others.acceptedReports),
      bsRejectedReports: read('quarantine', others.rejectedReports),
      listBsRawFolder: lake.s3(a, 's3:ListBucket', 'raw', undefined, { 's3:prefix': `${B.contract.dataset}/partner=${B.partner}/` }),
      listBsQuarantineFolder: lake.s3(a, 's3:ListBucket', 'quarantine', undefined, { 's3:prefix': `${B.partner}/` }),
      listAllOfRaw: lake.s3(a, 's3:ListBucket', 'raw'),
      overwriteOwnReport: lake.s3(a, 's3:PutObject', 'raw', own.acceptedReports[0]),
      deleteOwnReport: lake.s3(a, 's3:DeleteObject', 'quarantine', own.rejectedReports[0]),
    }).toEqual({
      ownAcceptedReports: ['allowed', 'allowed'],
      ownRejectedReports: ['allowed', 'allowed'],
      listOwnRawFolder: 'allowed',
      listOwnQuarantineFolder: 'allowed',
      ownParquet: ['implicitly denied'],
      ownQuarantinedFile: ['implicitly denied'],
      bsAcceptedReports: ['implicitly denied', 'implicitly denied'],
      bsRejectedReports: ['implicitly denied', 'implicitly denied'],
      listBsRawFolder: 'implicitly denied',
      listBsQuarantineFolder: 'implicitly denied',
      listAllOfRaw: 'implicitly denied',
      overwriteOwnReport: 'implicitly denied',
      deleteOwnReport: 'implicitly denied',
    });
    // And the other way round.
    expect([...own.acceptedReports.map((key) => lake.s3(b, 's3:GetObject', 'raw', key)), ...own.rejectedReports.map((key) => lake.s3(b, 's3:GetObject', 'quarantine', key))]).toEqual(
      own.acceptedReports.concat(own.rejectedReports).map(() => 'implicitly denied'),
    );
  });

  test('a partner reads nothing of identity, linked, outcomes or published, and uses no zone key but through S3', () => {
    for (const zone of ['identity', 'linked', 'outcomes', 'published'] as const) {
      expect([zone, lake.s3(a, 's3:GetObject', zone, 'person_xwalk.parquet/part-0.parquet'), lake.s3(a, 's3:ListBucket', zone)]).toEqual([zone, 'implicitly denied', 'implicitly denied']);
      expect([zone, lake.kmsThroughS3(a, 'kms:Decrypt', zone)]).toEqual([zone, 'implicitly denied']);
    }
    for (const zone of ['landing', 'raw', 'quarantine'] as const) {
      // Straight to KMS (no kms:ViaService), e.g. to decrypt a data key taken from an object: refused.
      expect([zone, lake.kms(a, 'kms:Decrypt', zone, {})]).toEqual([zone, 'implicitly denied']);
    }
  });

  test('a partner role is assumed only with its external ID, from the account its config names (here, placeholders: the environment\'s own)', () => {
    const assume = (role: RoleModel, principal: string, externalId?: string): Decision =>
      decide(
        { principal: { arn: principal, account: principal.split(':')[4] as string }, action: 'sts:AssumeRole', resource: role.arn, context: externalId === undefined ? {} : { 'sts:ExternalId': externalId } },
        { identity: [], resource: role.trustPolicy, resourceKind: 'trust' },
      );
    const steward = `arn:aws:iam::${ACCOUNT}:role/steward`;
    expect({
      withItsExternalId: assume(a, steward, `c2c-${env}-${A.partner}`),
      withBsExternalId: assume(a, steward, `c2c-${env}-${B.partner}`),
      withoutExternalId: assume(a, steward),
      fromAnotherAccount: assume(a, 'arn:aws:iam::444455556666:role/steward', `c2c-${env}-${A.partner}`),
    }).toEqual({ withItsExternalId: 'allowed', withBsExternalId: 'implicitly denied', withoutExternalId: 'implicitly denied', fromAnotherAccount: 'implicitly denied' });
  });

  test('the Query API reads the published outcomes and its own query results, nothing else', () => {
    const results = lake.bucketAt(new RegExp(`^C2c-${env}-Api/Queries/Results$`));
    const analystsResults = lake.bucketAt(new RegExp(`^C2c-${env}-Processing/Queries/Results$`));
    expect({
      ownResults: lake.s3(api, 's3:GetObject', results, 'results/0f1e2d3c.csv'),
      writeOwnResults: lake.s3(api, 's3:PutObject', results, 'results/0f1e2d3c.csv'),
      analystsResults: lake.s3(api, 's3:GetObject', analystsResults, 'results/0f1e2d3c.csv'),
      metadata: lake.s3(api, 's3:GetObject', 'published', 'outcomes/metadata.json'),
      table: lake.s3(api, 's3:GetObject', 'published', 'outcomes/table/outcomes.parquet'),
      listOutcomes: lake.s3(api, 's3:ListBucket', 'published', undefined, { 's3:prefix': 'outcomes/table/' }),
      publishedOutsideOutcomes: lake.s3(api, 's3:GetObject', 'published', 'staging/outcomes.parquet'),
      listAllOfPublished: lake.s3(api, 's3:ListBucket', 'published'),
      writePublished: lake.s3(api, 's3:PutObject', 'published', 'outcomes/metadata.json'),
    }).toEqual({
      ownResults: 'allowed',
      writeOwnResults: 'allowed',
      analystsResults: 'implicitly denied',
      metadata: 'allowed',
      table: 'allowed',
      listOutcomes: 'allowed',
      publishedOutsideOutcomes: 'implicitly denied',
      listAllOfPublished: 'implicitly denied',
      writePublished: 'implicitly denied',
    });
    for (const zone of ZONE_NAMES.filter((z) => z !== 'published')) {
      expect([zone, lake.s3(api, 's3:GetObject', zone, 'outcomes/metadata.json'), lake.s3(api, 's3:ListBucket', zone), lake.kmsThroughS3(api, 'kms:Decrypt', zone)]).toEqual([
        zone,
        'implicitly denied',
        'implicitly denied',
        'implicitly denied',
      ]);
    }
  });

  test('the ingest function reads landing and writes raw and quarantine, and reads nothing of identity, linked, outcomes or published', () => {
    const own = written(A.contract);
    expect({
      readDrop: lake.s3(ingest, 's3:GetObject', 'landing', drop(A.partner, A.contract.dataset)),
      deleteDrop: lake.s3(ingest, 's3:DeleteObject', 'landing', drop(A.partner, A.contract.dataset)),
      deleteDropVersion: lake.s3(ingest, 's3:DeleteObjectVersion', 'landing', drop(A.partner, A.contract.dataset)),
      writeParquet: lake.s3(ingest, 's3:PutObject', 'raw', own.parquet),
      writeQuarantine: lake.s3(ingest, 's3:PutObject', 'quarantine', own.quarantined),
      writeLanding: lake.s3(ingest, 's3:PutObject', 'landing', drop(A.partner, A.contract.dataset)),
    }).toEqual({
      readDrop: 'allowed',
      deleteDrop: 'allowed',
      deleteDropVersion: 'implicitly denied',
      writeParquet: 'allowed',
      writeQuarantine: 'allowed',
      writeLanding: 'implicitly denied',
    });
    for (const zone of ['identity', 'linked', 'outcomes', 'published'] as const) {
      expect([zone, lake.s3(ingest, 's3:GetObject', zone, 'person_xwalk.parquet'), lake.s3(ingest, 's3:ListBucket', zone), lake.kmsThroughS3(ingest, 'kms:Decrypt', zone)]).toEqual([
        zone,
        'implicitly denied',
        'implicitly denied',
        'implicitly denied',
      ]);
    }
  });

  test('each zone key lets a role use it exactly when the role\'s own policies ask for it, and through S3 only', () => {
    // A role is admitted by the key policy when an identity policy allowing everything would then let it use the key.
    const anything: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const admitted = (role: RoleModel, action: string, zone: ZoneName): boolean =>
      lake.kmsThroughS3({ ...role, identityPolicies: [anything] }, action, zone) === 'allowed';
    const backupRole = env === 'prod' ? lake.roleAt(new RegExp(`^C2c-${env}-Storage/DataLake/Backups/Role$`)) : undefined;
    for (const zone of ZONE_NAMES) {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        const byKeyPolicy = lake.roles.filter((role) => admitted(role, action, zone)).map((role) => role.path).sort();
        // Roles without AWS managed policies: their own policies say what they need. The backup role's
        // managed policy (AWSBackupServiceRolePolicyForS3Backup) decrypts through S3 whatever it backs up.
        const byOwnPolicies = lake.roles
          .filter((role) => role.managedPolicyArns.length === 0)
          .filter((role) => decide(
            { principal: { arn: role.arn, account: ACCOUNT }, action, resource: lake.zones[zone].keyArn, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': lake.zones[zone].bucketArn } },
            { identity: role.identityPolicies, resourceKind: 'bucket' },
          ) === 'allowed')
          .map((role) => role.path);
        const expected = [...byOwnPolicies, ...(backupRole && action === 'kms:Decrypt' && (BACKED_UP_ZONES as readonly string[]).includes(zone) ? [backupRole.path] : [])].sort();
        expect([zone, action, byKeyPolicy]).toEqual([zone, action, expected]);
      }
      for (const role of lake.roles) {
        // Never straight to KMS, nor through another service.
        expect([zone, role.path, lake.kms({ ...role, identityPolicies: [anything] }, 'kms:Decrypt', zone, { 'kms:ViaService': `glue.${REGION}.amazonaws.com` })]).toEqual([zone, role.path, 'implicitly denied']);
      }
    }
  });

  test('an administrator of the account may administer every zone key but use none on data, nor grant its use', () => {
    const administrator: RoleModel = {
      ...a,
      path: 'Administrator',
      arn: `arn:aws:iam::${ACCOUNT}:role/Administrator`,
      identityPolicies: [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    };
    for (const zone of ZONE_NAMES) {
      expect([zone, KEY_ADMINISTRATION_ACTIONS.filter((action) => lake.kms(administrator, action, zone, {}) !== 'allowed')]).toEqual([zone, []]);
      expect([zone, [...KMS_DATA_ACTIONS, 'kms:CreateGrant'].map((action) => lake.kmsThroughS3(administrator, action, zone))]).toEqual([
        zone,
        [...KMS_DATA_ACTIONS, 'kms:CreateGrant'].map(() => 'implicitly denied'),
      ]);
      expect([zone, lake.s3(administrator, 's3:GetObject', zone, 'any/object.parquet')]).toEqual([zone, 'implicitly denied']);
    }
  });

  test('no policy of the app grants a wildcard action on data', () => {
    expect(lake.statements().length).toBeGreaterThan(100);
    const dataBuckets = [
      ...ZONE_NAMES.map((zone) => lake.zones[zone]),
      // Personal data while the identity stages run; query results, which hold rows.
      lake.bucketAt(new RegExp(`^C2c-${env}-Processing/PlanRunner/Scratch$`)),
      lake.bucketAt(new RegExp(`^C2c-${env}-Processing/Queries/Results$`)),
      lake.bucketAt(new RegExp(`^C2c-${env}-Api/Queries/Results$`)),
    ].map((bucket) => bucket.bucketArn);
    expect(wildcardGrants(lake, env, { dataBuckets, zoneKeys: ZONE_NAMES.map((zone) => lake.zones[zone].keyArn) })).toEqual([]);
  });
});

/** The resources that hold data: buckets (and their objects) and the zone keys, by ARN. */
interface DataResources {
  readonly dataBuckets: readonly string[];
  readonly zoneKeys: readonly string[];
}

/**
 * Allow statements of any policy (identity, bucket, key, queue, topic, vault) on data whose
 * actions are `*`, a wildcard S3 or KMS action (`s3:*`, `s3:Get*`, `kms:GenerateDataKey*`) or a
 * NotAction; a statement is on data when a resource it names covers a data bucket, one of its
 * objects or a zone key (`*` covers everything), or when it is in a zone key's policy. Except:
 * - on keys other than the zone keys, the CDK's statements: the account's delegation to IAM
 *   (whose policies, checked here, name their actions) and AWS services encrypting their own messages;
 * - in dev only, the bucket policies' statement for the CDK's handler that empties the buckets
 *   when `cdk destroy` deletes them (autoDeleteObjects).
 */
function wildcardGrants(lake: SynthesizedAccess, env: string, data: DataResources): string[] {
  const dataArns = [...data.dataBuckets.flatMap((arn) => [arn, `${arn}/any/object`]), ...data.zoneKeys];
  return lake
    .statements()
    .filter(({ statement }) => statement.Effect === 'Allow')
    .flatMap(({ stack, logicalId, kind, statement }) => {
      const actions = ([] as string[]).concat((statement.Action ?? []) as string | string[]);
      const wildcards = actions.filter((action) => action === '*' || (/^(s3|kms):/i.test(action) && /[*?]/.test(action)));
      if (statement.NotAction !== undefined) wildcards.push(`NotAction ${JSON.stringify(statement.NotAction)}`);
      if (wildcards.length === 0) return [];
      const principal = JSON.stringify(lake.resolve(stack, statement.Principal ?? null));
      if (kind === 'key') {
        const keyArn = lake.resolve(stack, { 'Fn::GetAtt': [logicalId, 'Arn'] }) as string;
        if (!data.zoneKeys.includes(keyArn) && (principal === JSON.stringify({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) || principal.startsWith('{"Service":'))) return [];
      } else {
        const resources = ([] as unknown[]).concat(lake.resolve(stack, statement.Resource ?? '*')) as string[];
        if (!resources.some((pattern) => dataArns.some((arn) => wildcardMatch(pattern, arn)))) return [];
        if (env === 'dev' && kind === 'bucket' && /CustomS3AutoDeleteObjectsCustomResourceProviderRole/.test(principal)) return [];
      }
      return [`${stack}/${logicalId} (${kind}): ${wildcards.join(', ')}`];
    });
}

describe('the wildcard check', () => {
  test('reports wildcard data actions in identity, bucket and zone key policies, and the exceptions only where they are due', () => {
    const app = new App();
    const stack = new Stack(app, 'Canary', { env: { region: REGION } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:Get*', 'sqs:SendMessage'], resources: ['*'] }));
    const bucket = new s3.Bucket(stack, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['s3:*'], resources: [bucket.arnForObjects('*')] }));
    const zoneKey = new kms.Key(stack, 'ZoneKey');
    // A key that holds no lake data: the CDK's delegation to IAM (kms:*) is let through.
    new kms.Key(stack, 'OtherKey');
    // A bucket that holds no data: wildcards on it are let through.
    const site = new s3.Bucket(stack, 'Site');
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject*'], resources: [site.arnForObjects('*')] }));
    const canary = new SynthesizedAccess(app.synth());
    const arnOf = (resource: Construct): string => canary.resolve('Canary', { 'Fn::GetAtt': [stack.getLogicalId(resource.node.defaultChild as CfnElement), 'Arn'] }) as string;
    const found = (env: string): string[] =>
      wildcardGrants(canary, env, { dataBuckets: [arnOf(bucket)], zoneKeys: [arnOf(zoneKey)] }).map((finding) => finding.replace(/[0-9A-F]{8} /, ' '));
    expect(found('dev')).toEqual(['Canary/RoleDefaultPolicy (identity): s3:Get*', 'Canary/BucketPolicy (bucket): s3:*', 'Canary/ZoneKey (key): kms:*']);
    expect(found('prod')).toEqual([
      'Canary/RoleDefaultPolicy (identity): s3:Get*',
      'Canary/BucketPolicy (bucket): s3:GetBucket*, s3:List*, s3:DeleteObject*',
      'Canary/BucketPolicy (bucket): s3:*',
      'Canary/ZoneKey (key): kms:*',
    ]);
  });
});
