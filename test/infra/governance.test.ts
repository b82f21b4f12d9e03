import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { allContracts } from '../../core/contracts/catalog';
import { DOMAINS } from '../../core/contracts/types';
import { ZONES, ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import { LINKED_TABLES } from '../../core/linked/tables';
import { ConfigurationError, environmentConfig, type EnvironmentConfig } from '../../lib/config/environments';
import { CROSS_DOMAIN } from '../../lib/governance/lake-tags';
import type { ResearchProject } from '../../lib/governance/research-access';
import { buildPlatform, type Platform } from '../../lib/platform';
import { cdkJsonContext } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
type LfTag = { TagKey: string; TagValues: string[] };

const ADMIN = 'arn:aws:iam::111122223333:role/platform-admin';
const RESEARCHER = 'arn:aws:iam::111122223333:role/research-transfer-study';

/** An approved project: K-12 completers and persons, some rows and columns of each. */
const PROJECT: ResearchProject = {
  name: 'transfer-study',
  principalArn: RESEARCHER,
  domains: ['k12', 'postsecondary', CROSS_DOMAIN],
  endDate: '2999-12-31',
  tables: {
    k12_graduates: { rows: 'cohort_year BETWEEN 2016 AND 2020', columns: ['c2c_id', 'cohort_year', 'completion_type'] },
    persons: { rows: 'all', columns: ['c2c_id', 'birth_year', 'race_ethnicity'] },
  },
};

/** Dev, with an administrator and a research project, as an environment would configure them. */
function devWith(governance: Partial<EnvironmentConfig['governance']>): EnvironmentConfig {
  const dev = environmentConfig('dev', {});
  return { ...dev, governance: { ...dev.governance, ...governance } };
}

function platformApp(): App {
  // Findings are nag.test.ts's business; here only the templates count.
  return new App({ context: { ...cdkJsonContext(), '@aws-cdk/core:failSynthOnValidationErrors': false }, builtinCloudFormationValidation: false });
}

/** The platform built for `config`, every template of the synthesized app by stack name, and each stack's dependencies. */
function synthesize(config: EnvironmentConfig): { platform: Platform; templates: Record<string, Template>; dependencies: Record<string, string[]> } {
  const app = platformApp();
  const platform = buildPlatform(app, config);
  const assembly = app.synth();
  return {
    platform,
    templates: Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.template as Template])),
    dependencies: Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.dependencies.map((dependency) => dependency.id)])),
  };
}

/** `<stack name>/<logical ID>` of a construct's CloudFormation resource. */
function idOf(construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct) ? construct : (construct.node.defaultChild as CfnElement);
  const stack = Stack.of(resource);
  return `${stack.stackName}/${stack.resolve(resource.logicalId) as string}`;
}

/** The logical ID alone. */
function logicalIdOf(construct: IConstruct): string {
  return idOf(construct).split('/')[1] as string;
}

function ofType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

describe('Lake Formation', () => {
  const { platform, templates, dependencies } = synthesize(devWith({ lakeAdmins: [ADMIN], researchProjects: [PROJECT] }));
  const storage = templates['C2c-dev-Storage'] as Template;
  const governance = templates['C2c-dev-Governance'] as Template;
  const lake = platform.storage.storage;

  /** Resolves a value to a name: literals, `Ref`/`GetAtt` of the same template, `Fn::GetStackOutput` of another stack's output. */
  function resolve(template: Template, value: unknown): unknown {
    const node = value as Record<string, unknown> | string;
    if (typeof node !== 'object' || node === null) return node;
    const output = node['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
    if (output) {
      const producer = templates[output.StackName] as Template;
      return resolve(producer, producer.Outputs?.[output.OutputName]?.Value);
    }
    if (typeof node.Ref === 'string') return `${stackOf(template)}/${node.Ref}`;
    const getAtt = node['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return `${stackOf(template)}/${getAtt[0]}.${getAtt[1]}`;
    return node;
  }
  function stackOf(template: Template): string {
    return Object.entries(templates).find(([, candidate]) => candidate === template)?.[0] ?? '?';
  }
  describe('settings (storage stack)', () => {
    const [settingsId, settings] = ofType(storage, 'AWS::LakeFormation::DataLakeSettings')[0] as [string, Resource];

    test('append the CDK execution role, named with the bootstrap qualifier, and the configured administrators, without replacing the account\'s', () => {
      expect(ofType(storage, 'AWS::LakeFormation::DataLakeSettings')).toHaveLength(1);
      expect(settings.Properties.MutationType).toBe('APPEND');
      expect(settings.Properties.Admins).toEqual([
        { DataLakePrincipalIdentifier: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-us-west-2' } },
        { DataLakePrincipalIdentifier: ADMIN },
      ]);
    });

    test('name the execution role after the synthesizer\'s qualifier', () => {
      const app = new App({ context: { ...cdkJsonContext(), '@aws-cdk/core:bootstrapQualifier': 'c2cstate1', '@aws-cdk/core:failSynthOnValidationErrors': false } });
      const { storage: stack } = buildPlatform(app, environmentConfig('dev', {}));
      expect(stack.resolve(stack.lakeFormation.executionRoleArn)).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-c2cstate1-cfn-exec-role-${AWS::AccountId}-us-west-2' });
      expect(stack.resolve(stack.lakeFormation.settings.admins)).toEqual([{ dataLakePrincipalIdentifier: stack.resolve(stack.lakeFormation.executionRoleArn) }]);
    });

    test('give new databases and tables no default permissions (no IAMAllowedPrincipals), account-wide and in each zone database', () => {
      expect(settings.Properties.CreateDatabaseDefaultPermissions).toEqual([]);
      expect(settings.Properties.CreateTableDefaultPermissions).toEqual([]);
      const databases = ofType(storage, 'AWS::Glue::Database');
      expect(databases).toHaveLength(ZONE_NAMES.length);
      for (const [, database] of databases) {
        expect((database.Properties.DatabaseInput as { CreateTableDefaultPermissions: unknown }).CreateTableDefaultPermissions).toEqual([]);
      }
    });

    test('are in force before any database or location exists', () => {
      for (const [id, resource] of [...ofType(storage, 'AWS::Glue::Database'), ...ofType(storage, 'AWS::LakeFormation::Resource')]) {
        expect([id, resource.DependsOn]).toEqual([id, expect.arrayContaining([settingsId])]);
      }
    });

    test('refuse an administrator that is not an IAM role or user ARN', () => {
      expect(() => buildPlatform(platformApp(), devWith({ lakeAdmins: ['platform-admin'] }))).toThrow(ConfigurationError);
      expect(() => buildPlatform(platformApp(), devWith({ lakeAdmins: ['platform-admin'] }))).toThrow(/governance.lakeAdmins .*"platform-admin"/);
    });
  });

  describe('S3 locations', () => {
    const locations = ofType(storage, 'AWS::LakeFormation::Resource');

    test('register every zone bucket, with a dedicated role, not the service-linked one, and without hybrid access', () => {
      const registered = locations.map(([, location]) => resolve(storage, location.Properties.ResourceArn)).sort();
      expect(registered).toEqual(ZONE_NAMES.map((zone) => `${idOf(lake.bucket(zone))}.Arn`).sort());
      const roles = new Set(locations.map(([, location]) => resolve(storage, location.Properties.RoleArn)));
      expect([...roles]).toEqual([`${idOf(platform.storage.lakeLocations.role)}.Arn`]);
      for (const [, location] of locations) expect(location.Properties).toMatchObject({ UseServiceLinkedRole: false, HybridAccessEnabled: false });
    });

    test('the role is trusted by Lake Formation (and Glue) only, and may read, write and delete the zones\' objects with their keys, through S3, and nothing else', () => {
      const roleId = logicalIdOf(platform.storage.lakeLocations.role);
      const role = storage.Resources[roleId] as Resource;
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['glue.amazonaws.com', 'lakeformation.amazonaws.com'] } }],
      });
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const statements = ofType(storage, 'AWS::IAM::Policy')
        .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId))
        .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
      const expected = ZONE_NAMES.flatMap((zone) => {
        const bucket = logicalIdOf(lake.bucket(zone));
        const key = logicalIdOf(lake.key(zone));
        return [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] } },
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [key, 'Arn'] }, Condition: { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } } },
        ];
      });
      expect(statements.map(normalize).sort(byJson)).toEqual(expected.map(normalize).sort(byJson));
    });
  });

  describe('LF-tags', () => {
    const tags = ofType(governance, 'AWS::LakeFormation::Tag');
    const tagIds = tags.map(([id]) => id).sort();
    const associations = ofType(governance, 'AWS::LakeFormation::TagAssociation');

    /** The tags attached to a database (`<db>`) or a table (`<db>.<table>`), by key. */
    const attached = new Map(
      associations.map(([, association]) => {
        const target = association.Properties.Resource as { Database?: { Name: string }; Table?: { DatabaseName: string; Name: string } };
        const name = target.Database ? target.Database.Name : `${target.Table?.DatabaseName}.${target.Table?.Name}`;
        return [name, Object.fromEntries((association.Properties.LFTags as LfTag[]).map((tag) => [tag.TagKey, tag.TagValues]))];
      }),
    );

    test('are sensitivity, with the zones\' sensitivities, and domain, with the contracts\' domains and cross_domain', () => {
      expect(tags.map(([, tag]) => [tag.Properties.TagKey, tag.Properties.TagValues])).toEqual([
        ['sensitivity', ['restricted', 'deidentified', 'public']],
        ['domain', ['k12', 'postsecondary', 'finaid', 'credentials', 'workforce', 'social_services', 'cross_domain']],
      ]);
      expect(new Set(ZONE_NAMES.map((zone) => ZONES[zone].sensitivity))).toEqual(new Set(['restricted', 'deidentified', 'public']));
      // The contract schema allows exactly the domains the tag takes.
      const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'contracts', 'contract.schema.json'), 'utf8')) as { properties: { domain: { enum: string[] } } };
      expect(schema.properties.domain.enum).toEqual([...DOMAINS]);
    });

    test('are attached, both, to every Glue database and table of the app, once', () => {
      const databases = Object.values(templates).flatMap((template) => ofType(template, 'AWS::Glue::Database'));
      const tables = Object.values(templates).flatMap((template) => ofType(template, 'AWS::Glue::Table').map(([, table]) => [template, table] as const));
      expect(tables.length).toBeGreaterThan(20);
      const names = [
        ...databases.map(([, database]) => (database.Properties.DatabaseInput as { Name: string }).Name),
        ...tables.map(([template, table]) => `${databaseName(template, table.Properties.DatabaseName)}.${(table.Properties.TableInput as { Name: string }).Name}`),
      ];
      expect(names.length).toBe(associations.length);
      expect([...attached.keys()].sort()).toEqual(names.sort());
      for (const [name, lfTags] of attached) expect([name, Object.keys(lfTags)]).toEqual([name, ['sensitivity', 'domain']]);
    });

    test('give a zone database its zone\'s sensitivity and cross_domain (it holds every domain)', () => {
      for (const zone of ZONE_NAMES) {
        expect([zone, attached.get(`c2c_dev_${zone}`)]).toEqual([zone, { sensitivity: [ZONES[zone].sensitivity], domain: [CROSS_DOMAIN] }]);
      }
    });

    test('give a raw table its contracts\' domain, a linked table its sources\' domain when they share one, every other table cross_domain', () => {
      const contracts = new Map(allContracts().map((contract) => [contract.id, contract]));
      for (const [name, lfTags] of attached) {
        const [database, table] = name.split('.');
        if (table === undefined) continue;
        const zone = (database as string).replace('c2c_dev_', '') as ZoneName;
        const linked = LINKED_TABLES.find((candidate) => candidate.name === table);
        const domains =
          zone === 'raw'
            ? new Set(allContracts().filter((contract) => contract.dataset === table).map((contract) => contract.domain))
            : zone === 'linked' && linked
              ? new Set(linked.sources.map((source) => contracts.get(source.contract)?.domain))
              : new Set();
        expect([name, lfTags]).toEqual([name, { sensitivity: [ZONES[zone].sensitivity], domain: [domains.size === 1 ? [...domains][0] : CROSS_DOMAIN] }]);
      }
      // As designed, by name.
      expect(attached.get('c2c_dev_raw.k12_enrollment')?.domain).toEqual(['k12']);
      expect(attached.get('c2c_dev_raw.ui_wages')?.domain).toEqual(['workforce']);
      expect(attached.get('c2c_dev_linked.k12_graduates')).toEqual({ sensitivity: ['deidentified'], domain: ['k12'] });
      expect(attached.get('c2c_dev_linked.quarterly_wages')).toEqual({ sensitivity: ['deidentified'], domain: ['workforce'] });
      expect(attached.get('c2c_dev_linked.persons')).toEqual({ sensitivity: ['deidentified'], domain: [CROSS_DOMAIN] });
      expect(attached.get('c2c_dev_identity.person_crosswalk')).toEqual({ sensitivity: ['restricted'], domain: [CROSS_DOMAIN] });
      expect(attached.get('c2c_dev_outcomes.outcome_cube')).toEqual({ sensitivity: ['restricted'], domain: [CROSS_DOMAIN] });
      expect(attached.get('c2c_dev_published.outcomes')).toEqual({ sensitivity: ['public'], domain: [CROSS_DOMAIN] });
    });

    test('are attached after both tags exist, and only the published zone is public', () => {
      for (const [id, association] of associations) expect([id, association.DependsOn]).toEqual([id, expect.arrayContaining(tagIds)]);
      expect([...attached].filter(([, lfTags]) => lfTags.sensitivity?.[0] === 'public').map(([name]) => name.split('.')[0])).toEqual(
        expect.arrayContaining(['c2c_dev_published']),
      );
      expect(new Set([...attached].filter(([, lfTags]) => lfTags.sensitivity?.[0] === 'public').map(([name]) => name.split('.')[0]))).toEqual(new Set(['c2c_dev_published']));
    });
  });

  describe('grants', () => {
    const permissions = Object.values(templates).flatMap((template) => ofType(template, 'AWS::LakeFormation::PrincipalPermissions').map(([id, resource]) => [template, id, resource] as const));
    const apiRole = `${idOf(platform.api.handler.role)}.Arn`;
    const analyst = `${idOf(platform.governance.users.analyst)}.Arn`;
    const operator = `${idOf(platform.governance.users.operator)}.Arn`;

    /** Every grant, by principal: `<type> <expression>: <permissions>` or `filter <name>: <permissions>`. */
    const byPrincipal = new Map<string, string[]>();
    for (const [template, , resource] of permissions) {
      const principal = String(resolve(template, (resource.Properties.Principal as { DataLakePrincipalIdentifier: unknown }).DataLakePrincipalIdentifier));
      const target = resource.Properties.Resource as { LFTagPolicy?: { ResourceType: string; Expression: LfTag[] }; DataCellsFilter?: { Name: string } };
      const what = target.LFTagPolicy
        ? `${target.LFTagPolicy.ResourceType} ${target.LFTagPolicy.Expression.map((tag) => `${tag.TagKey}=${tag.TagValues.join('|')}`).join(' & ')}`
        : `filter ${target.DataCellsFilter?.Name}`;
      byPrincipal.set(principal, [...(byPrincipal.get(principal) ?? []), `${what}: ${(resource.Properties.Permissions as string[]).join(',')}`]);
    }

    test('are exactly: the Query API and analysts the public tables, operators every definition and no data, the research project its filters; nobody else anything', () => {
      expect(Object.fromEntries([...byPrincipal].map(([principal, grants]) => [principal, grants.sort()]))).toEqual({
        [apiRole]: ['DATABASE sensitivity=public: DESCRIBE', 'TABLE sensitivity=public: DESCRIBE,SELECT'],
        [analyst]: ['DATABASE sensitivity=public: DESCRIBE', 'TABLE sensitivity=public: DESCRIBE,SELECT'],
        [operator]: ['DATABASE sensitivity=restricted|deidentified|public: DESCRIBE', 'TABLE sensitivity=restricted|deidentified|public: DESCRIBE'],
        [RESEARCHER]: [
          'DATABASE sensitivity=deidentified: DESCRIBE',
          'TABLE sensitivity=deidentified & domain=k12|postsecondary|cross_domain: DESCRIBE',
          'filter transfer-study-k12_graduates: SELECT',
          'filter transfer-study-persons: SELECT',
        ].sort(),
      });
      // Partners, the ingest function, the plan-runner jobs and the publish task hold nothing in Lake Formation.
      for (const [, , resource] of permissions) expect(resource.Properties.PermissionsWithGrantOption).toEqual([]);
    });

    test('let only the Query API and analysts ask Lake Formation for data, and operators use no Athena workgroup', () => {
      const withDataAccess = Object.values(templates).flatMap((template) =>
        ofType(template, 'AWS::IAM::Policy')
          .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('lakeformation:'))
          .flatMap(([, policy]) => (policy.Properties.Roles as unknown[]).map((role) => String(resolve(template, role)))),
      );
      expect(withDataAccess.sort()).toEqual([apiRole.replace(/\.Arn$/, ''), analyst.replace(/\.Arn$/, '')].sort());
      const operatorId = operator.replace(/^C2c-dev-Governance\//, '').replace(/\.Arn$/, '');
      const operatorActions = ofType(governance, 'AWS::IAM::Policy')
        .filter(([, policy]) => (policy.Properties.Roles as { Ref?: string }[]).some((role) => role.Ref === operatorId))
        .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((statement) => statement.Action));
      expect(operatorActions.every((action) => action.startsWith('glue:Get'))).toBe(true);
    });

    test('come after the LF-tags and the tagged databases, which they name by the tag resources\' keys', () => {
      const tagIds = ofType(governance, 'AWS::LakeFormation::Tag').map(([id]) => id);
      const databaseAssociations = ofType(governance, 'AWS::LakeFormation::TagAssociation')
        .filter(([, association]) => (association.Properties.Resource as { Database?: unknown }).Database !== undefined)
        .map(([id]) => id);
      expect(databaseAssociations).toHaveLength(ZONE_NAMES.length);
      for (const [, id, grant] of permissions) expect([id, grant.DependsOn]).toEqual([id, expect.arrayContaining([...tagIds, ...databaseAssociations])]);
      // The databases are the storage stack's, the tables the processing and API stacks': deployed first.
      expect(dependencies['C2c-dev-Governance']).toEqual(expect.arrayContaining(['C2c-dev-Storage', 'C2c-dev-Processing', 'C2c-dev-Api']));
    });
  });

  describe('research projects', () => {
    const filters = ofType(governance, 'AWS::LakeFormation::DataCellsFilter');

    test('see rows and columns of their tables through data cells filters, and SELECT through nothing else', () => {
      expect(filters.map(([, filter]) => filter.Properties).sort(byName)).toEqual(
        [
          {
            TableCatalogId: { Ref: 'AWS::AccountId' },
            DatabaseName: 'c2c_dev_linked',
            TableName: 'k12_graduates',
            Name: 'transfer-study-k12_graduates',
            RowFilter: { FilterExpression: 'cohort_year BETWEEN 2016 AND 2020' },
            ColumnNames: ['c2c_id', 'cohort_year', 'completion_type'],
          },
          {
            TableCatalogId: { Ref: 'AWS::AccountId' },
            DatabaseName: 'c2c_dev_linked',
            TableName: 'persons',
            Name: 'transfer-study-persons',
            RowFilter: { AllRowsWildcard: {} },
            ColumnNames: ['c2c_id', 'birth_year', 'race_ethnicity'],
          },
        ].sort(byName),
      );
      const filterGrants = ofType(governance, 'AWS::LakeFormation::PrincipalPermissions').filter(([, grant]) => (grant.Properties.Resource as { DataCellsFilter?: unknown }).DataCellsFilter);
      for (const [id, grant] of filterGrants) {
        const filter = (grant.Properties.Resource as { DataCellsFilter: { Name: string } }).DataCellsFilter;
        const [filterId] = filters.find(([, candidate]) => candidate.Properties.Name === filter.Name) as [string, Resource];
        expect([id, grant.Properties.Permissions, grant.DependsOn]).toEqual([id, ['SELECT'], expect.arrayContaining([filterId])]);
      }
      expect(filterGrants).toHaveLength(2);
    });

    test('fail synthesis, naming the project and the date, once the approval has ended, until renewed or removed', () => {
      const expired: ResearchProject = { ...PROJECT, name: 'wage-outcomes-2019', endDate: '2020-06-30' };
      const build = (): unknown => buildPlatform(platformApp(), devWith({ researchProjects: [PROJECT, expired] }));
      expect(build).toThrow(ConfigurationError);
      expect(build).toThrow(/Research project "wage-outcomes-2019" .*approval ended on 2020-06-30\. Renew it \(a later endDate\) or remove the project/);
    });

    test('may read only de-identified tables of their approved domains, and only columns those tables have', () => {
      const build = (project: ResearchProject) => (): unknown => buildPlatform(platformApp(), devWith({ researchProjects: [project] }));
      expect(build({ ...PROJECT, domains: ['k12'], tables: { quarterly_wages: { rows: 'all', columns: 'all' } } })).toThrow(
        /"transfer-study".*table quarterly_wages is in domain workforce, for which the project is not approved \(k12\)/,
      );
      expect(build({ ...PROJECT, tables: { person_crosswalk: { rows: 'all', columns: 'all' } } })).toThrow(/there is no de-identified table named person_crosswalk/);
      expect(build({ ...PROJECT, tables: { k12_graduates: { rows: 'all', columns: ['c2c_id', 'ssn'] } } })).toThrow(/table k12_graduates has the columns .*, not ssn/);
    });
  });

  function databaseName(template: Template, value: unknown): string {
    const resolved = resolve(template, value);
    const [stack, logicalId] = String(resolved).split('/');
    const database = (templates[stack as string] as Template).Resources[logicalId as string] as Resource;
    return (database.Properties.DatabaseInput as { Name: string }).Name;
  }

});

/** A statement with its actions as a sorted list, for comparisons that ignore their order. */
function normalize(statement: Record<string, unknown>): Record<string, unknown> {
  return { ...statement, Action: ([] as unknown[]).concat(statement.Action).sort() };
}

function byName(a: Record<string, unknown>, b: Record<string, unknown>): number {
  return String(a.Name).localeCompare(String(b.Name));
}

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
