import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { ZONE_NAMES, type ZoneName } from '../../core/lake/zones';
import type { EnvironmentConfig } from '../config/environments';
import type { QueryWorkgroup } from '../consumption/query-workgroup';
import { allowLakeDataAccess, grantByTags, TAG_GRANTS } from '../governance/lake-permissions';
import { databaseTags, glueTableName, LakeTags, tableTags } from '../governance/lake-tags';
import { LakeUserRoles } from '../governance/lake-users';
import { checkResearchProjects, ResearchAccess, type GovernedTable } from '../governance/research-access';
import type { DataLakeStorage } from '../storage/data-lake-storage';

export interface GovernanceStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** The data lake, from the storage stack: its zone databases are tagged here. */
  readonly storage: DataLakeStorage;
  /** Every Glue table of the app (each in a zone's database): each is tagged here. */
  readonly tables: readonly glue.CfnTable[];
  /** The Query API function's role (the API stack's): it reads the published tables. */
  readonly queryApiRole: iam.IRole;
  /** The analysts' Athena workgroup (the processing stack's). */
  readonly analystQueries: QueryWorkgroup;
}

/**
 * Lake Formation's tags and grants (DESIGN.md §4, Governance; docs/security.md, Lake Formation):
 * the `sensitivity` and `domain` LF-tags, attached to every zone database and every table of the
 * app; grants by tag expression to the Query API function, analysts, operators and approved
 * research projects (with data cells filters); and the analyst and operator roles. Deployed
 * last: it refers to the storage stack's databases (where the Lake Formation settings are), the
 * tables of the processing and API stacks, and the API function's role; nothing refers to it.
 */
export class GovernanceStack extends Stack {
  public readonly lakeTags: LakeTags;
  public readonly databaseTagging: Readonly<Record<ZoneName, lakeformation.CfnTagAssociation>>;
  public readonly tables: readonly GovernedTable[];
  public readonly users: LakeUserRoles;
  /** The tag-expression grants, by who holds them. */
  public readonly grants: Readonly<Record<'queryApi' | 'analyst' | 'operator', readonly lakeformation.CfnPrincipalPermissions[]>>;
  public readonly research: readonly ResearchAccess[];

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    checkResearchProjects(config.governance.researchProjects, config.name);

    this.lakeTags = new LakeTags(this, 'Tags');
    const databases = new Construct(this, 'Databases');
    this.databaseTagging = Object.fromEntries(
      ZONE_NAMES.map((zone) => [zone, this.lakeTags.tag(databases, zone, databaseTags(zone), storage.database(zone))]),
    ) as Record<ZoneName, lakeformation.CfnTagAssociation>;

    const tables = new Construct(this, 'Tables');
    this.tables = props.tables.map((table): GovernedTable => {
      const zone = ZONE_NAMES.find((candidate) => table.databaseName === storage.database(candidate).ref);
      if (zone === undefined) throw new Error(`${table.node.path} is not in a zone's database: Lake Formation cannot tag it`);
      const name = glueTableName(table);
      const tags = tableTags(zone, name);
      const database = storage.database(zone);
      return { zone, name, tags, table, database, association: this.lakeTags.tag(tables, `${zone}.${name}`, tags, database, table) };
    });

    this.users = new LakeUserRoles(this, 'Users', { namePrefix: config.namePrefix, storage, analystQueries: props.analystQueries });

    // Grants come after the tags, and after the databases exist and are tagged.
    const after = Object.values(this.databaseTagging);
    const grantsOf = (who: string, principalArn: string, grants: (typeof TAG_GRANTS)[keyof typeof TAG_GRANTS]): lakeformation.CfnPrincipalPermissions[] =>
      grantByTags(new Construct(this, who), { principalArn, grants, tags: this.lakeTags, after });
    this.grants = {
      queryApi: grantsOf('QueryApi', props.queryApiRole.roleArn, TAG_GRANTS.publishedReader),
      analyst: grantsOf('Analyst', this.users.analyst.roleArn, TAG_GRANTS.publishedReader),
      operator: grantsOf('Operator', this.users.operator.roleArn, TAG_GRANTS.operator),
    };
    allowLakeDataAccess(this, 'QueryApiDataAccess', props.queryApiRole);

    this.research = config.governance.researchProjects.map(
      (project) => new ResearchAccess(this, `Research-${project.name}`, { project, tables: this.tables, tags: this.lakeTags, after, environment: config.name }),
    );

    new CfnOutput(this, 'AnalystRoleArn', { description: 'Analysts assume this role to query the published tables (Athena workgroup of the processing stack).', value: this.users.analyst.roleArn });
    new CfnOutput(this, 'OperatorRoleArn', { description: 'Operators assume this role to read the lake\'s table definitions (no data).', value: this.users.operator.roleArn });
  }
}
