import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy } from '../compliance';
import { flattenAsCdkNag } from '../ingestion/lake-grants';
import { DOMAIN_TAG, SENSITIVITY_TAG, SENSITIVITY_VALUES, type LakeTagExpression, type LakeTags } from './lake-tags';

/** Lake Formation permissions a tag-expression grant may give, by the kind of resource it matches. */
export type DatabasePermission = 'DESCRIBE';
export type TablePermission = 'DESCRIBE' | 'SELECT';

/** One grant by LF-tag expression: on the databases, or the tables, whose tags match. */
export type TagGrant =
  | { readonly resourceType: 'DATABASE'; readonly expression: LakeTagExpression; readonly permissions: readonly DatabasePermission[] }
  | { readonly resourceType: 'TABLE'; readonly expression: LakeTagExpression; readonly permissions: readonly TablePermission[] };

/**
 * What each kind of principal may do in Lake Formation, by LF-tag expression (docs/security.md,
 * Lake Formation). Partners, the validation Lambda and the plan-runner jobs have nothing: they
 * read and write S3 paths with IAM, never a catalog table.
 */
export const TAG_GRANTS = {
  /** The Query API function and analysts: what passed disclosure control, nothing else. */
  publishedReader: [
    { resourceType: 'DATABASE', expression: { [SENSITIVITY_TAG]: ['public'] }, permissions: ['DESCRIBE'] },
    { resourceType: 'TABLE', expression: { [SENSITIVITY_TAG]: ['public'] }, permissions: ['DESCRIBE', 'SELECT'] },
  ],
  /** Operators: every database's and table's definition, no data. */
  operator: [
    { resourceType: 'DATABASE', expression: { [SENSITIVITY_TAG]: SENSITIVITY_VALUES }, permissions: ['DESCRIBE'] },
    { resourceType: 'TABLE', expression: { [SENSITIVITY_TAG]: SENSITIVITY_VALUES }, permissions: ['DESCRIBE'] },
  ],
} as const satisfies Record<string, readonly TagGrant[]>;

export interface GrantByTagsProps {
  /** An IAM role ARN. */
  readonly principalArn: string;
  /** At most one per resource type. */
  readonly grants: readonly TagGrant[];
  readonly tags: LakeTags;
  /**
   * What must exist first besides the LF-tags: the databases' tag associations, so that grants
   * come after the databases are created and tagged.
   */
  readonly after: readonly Construct[];
}

/**
 * Grants, for each of `grants`, its permissions on the databases or tables matching its
 * expression, without grant option (`OnDatabases` and `OnTables` in `scope`). Each grant depends
 * on the LF-tags (their keys are read from the tag resources) and on `after`, so CloudFormation
 * never creates it first.
 */
export function grantByTags(scope: Construct, props: GrantByTagsProps): lakeformation.CfnPrincipalPermissions[] {
  const { tags } = props;
  const keys = { [SENSITIVITY_TAG]: tags.sensitivity.tagKey, [DOMAIN_TAG]: tags.domain.tagKey };
  return props.grants.map((grant) => {
    const expression = (Object.entries(grant.expression) as [keyof typeof keys, readonly string[]][]).map(([key, values]) => ({
      tagKey: keys[key],
      tagValues: [...values],
    }));
    const permissions = new lakeformation.CfnPrincipalPermissions(scope, grant.resourceType === 'DATABASE' ? 'OnDatabases' : 'OnTables', {
      catalog: Aws.ACCOUNT_ID,
      principal: { dataLakePrincipalIdentifier: props.principalArn },
      resource: { lfTagPolicy: { catalogId: Aws.ACCOUNT_ID, resourceType: grant.resourceType, expression } },
      permissions: [...grant.permissions],
      permissionsWithGrantOption: [],
    });
    permissions.node.addDependency(...tags.resources, ...props.after);
    return permissions;
  });
}

/**
 * Lets the role ask Lake Formation for credentials to the data of the tables it is granted
 * (`lakeformation:GetDataAccess`), which Athena does for it on every governed query. The action
 * has no resource-level permissions; what the credentials open is decided by the role's Lake
 * Formation grants.
 */
export function allowLakeDataAccess(scope: Construct, id: string, role: iam.IRole): iam.Policy {
  const policy = new iam.Policy(scope, id, {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] })],
  });
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'lakeformation:GetDataAccess has no resource-level permissions (the service authorization reference lists none); ' +
      'Lake Formation vends credentials only for the tables the role holds grants on, which the governance stack declares.',
  });
  acknowledgeInlinePolicy(policy);
  return policy;
}

/**
 * Lets the role read the definitions of the databases and their tables in the Glue Data
 * Catalog, which Athena and the console call before a query. Lake Formation still decides what
 * each call returns: only what the role holds grants on. Tables are named by wildcard (tables
 * come and go with the pipeline's stages); the finding is acknowledged on the role's policy.
 */
export function grantCatalogRead(role: iam.Role, databaseNames: readonly string[]): iam.Grant {
  const stack = Stack.of(role);
  const tables = databaseNames.map((name) => stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${name}/*` }));
  const grant = iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
    resourceArns: [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      ...databaseNames.map((name) => stack.formatArn({ service: 'glue', resource: 'database', resourceName: name })),
      ...tables,
    ],
  });
  const policy = role.node.findChild('DefaultPolicy');
  for (const table of tables) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenAsCdkNag(stack.resolve(table))}]`,
      reason:
        'The role reads the definitions of the tables of a database the pipeline\'s stages add to; the Glue read actions ' +
        'only, and Lake Formation answers with the tables the role holds grants on.',
    });
  }
  return grant;
}
