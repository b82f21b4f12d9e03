import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ZONE_NAMES } from '../../core/lake/zones';
import { acknowledgeInlinePolicy } from '../compliance';
import type { QueryWorkgroup } from '../consumption/query-workgroup';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { allowLakeDataAccess, grantCatalogRead, TAG_GRANTS } from './lake-permissions';
import { databaseTags, glueDatabaseName, matchesExpression, type LakeTagExpression } from './lake-tags';

export interface LakeUserRolesProps {
  /** Lowercase prefix of the environment's names: the roles are `<prefix>-analyst` and `<prefix>-operator`. */
  readonly namePrefix: string;
  readonly storage: DataLakeStorage;
  /** The analysts' Athena workgroup. */
  readonly analystQueries: QueryWorkgroup;
}

/**
 * The roles people take to look into the lake, each trusted by the account (people assume them
 * through their own IAM or IAM Identity Center permissions, which say who may):
 * - `analyst`: queries the published tables in the analysts' workgroup. IAM lets it use the
 *   workgroup, read the catalog of the databases its Lake Formation grants reach, and ask Lake
 *   Formation for data access; Lake Formation decides which data (`TAG_GRANTS.publishedReader`).
 * - `operator`: reads every database's and table's definition, to run and repair the pipeline;
 *   no data. It has no Lake Formation data access and no workgroup, so no grant could open data to it.
 */
export class LakeUserRoles extends Construct {
  public readonly analyst: iam.Role;
  public readonly operator: iam.Role;

  constructor(scope: Construct, id: string, props: LakeUserRolesProps) {
    super(scope, id);
    const { storage } = props;
    const databasesMatching = (expression: LakeTagExpression): string[] =>
      ZONE_NAMES.filter((zone) => matchesExpression(databaseTags(zone), expression)).map((zone) => glueDatabaseName(storage.database(zone)));

    this.analyst = new iam.Role(this, 'Analyst', {
      roleName: `${props.namePrefix}-analyst`,
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Analysts query the published (disclosure-controlled) tables with Athena, in the analysts\' workgroup.',
    });
    grantCatalogRead(this.analyst, databasesMatching(TAG_GRANTS.publishedReader[0].expression));
    props.analystQueries.grantQuery(this.analyst, 'analyst');
    allowLakeDataAccess(this, 'AnalystDataAccess', this.analyst);

    this.operator = new iam.Role(this, 'Operator', {
      roleName: `${props.namePrefix}-operator`,
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Operators read the definitions of every database and table of the lake, never their data.',
    });
    grantCatalogRead(this.operator, databasesMatching(TAG_GRANTS.operator[0].expression));

    Validations.of(this.analyst.node.findChild('DefaultPolicy')).acknowledge({
      id: props.analystQueries.resultsFinding(Stack.of(this)),
      reason:
        'Athena writes each query\'s results under results/ of the analysts\' workgroup\'s own results bucket, named by the ' +
        'query execution id it assigns; analysts may read and write only that prefix, and the results expire.',
    });
    for (const role of [this.analyst, this.operator]) acknowledgeInlinePolicy(role.node.findChild('DefaultPolicy'));
  }
}
