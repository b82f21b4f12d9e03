import { Aws } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { ZoneName } from '../../core/lake/zones';
import { ConfigurationError } from '../config/environments';
import { isIamArn } from './lake-formation-settings';
import { grantByTags, type TagGrant } from './lake-permissions';
import {
  DOMAIN_TAG,
  DOMAIN_VALUES,
  glueDatabaseName,
  glueTableColumns,
  matchesExpression,
  SENSITIVITY_TAG,
  type DomainTagValue,
  type LakeTags,
  type LakeTagValues,
} from './lake-tags';

/** What a research project may see of one table, through a data cells filter. */
export interface ResearchTableAccess {
  /**
   * The rows: a Lake Formation row filter expression (a PartiQL condition on the table's columns,
   * e.g. `cohort_year BETWEEN 2016 AND 2020`), or `all`.
   */
  readonly rows: string;
  /** The columns, or `all`. */
  readonly columns: readonly string[] | 'all';
}

/** An approved research project (a data request): who, what, until when. */
export interface ResearchProject {
  /** Lowercase words joined by hyphens, unique: names the project's data cells filters (`<name>-<table>`). */
  readonly name: string;
  /**
   * The IAM role the project's researchers query with, in the environment's account. It must
   * exist before the deployment: Lake Formation refuses grants to an unknown principal.
   */
  readonly principalArn: string;
  /**
   * The approved domains. `cross_domain` approves the tables that combine domains (`persons`,
   * whose birth year and gender come from every dataset); grant it only with every domain those
   * rows come from approved.
   */
  readonly domains: readonly DomainTagValue[];
  /**
   * The last day (UTC, YYYY-MM-DD) of the approval. Once it has passed, synthesis fails until the
   * approval is renewed (a later date) or the project removed, so no grant outlives its approval.
   */
  readonly endDate: string;
  /**
   * The de-identified tables, by name, that the project may read, each limited to some rows and
   * columns. Each must be in an approved domain.
   */
  readonly tables: Readonly<Record<string, ResearchTableAccess>>;
}

/** A table of the catalog with the tags the governance stack attaches to it. */
export interface GovernedTable {
  readonly zone: ZoneName;
  readonly name: string;
  readonly tags: LakeTagValues;
  readonly table: glue.CfnTable;
  readonly database: glue.CfnDatabase;
  /** The table's tag association, which must exist before a filter on the table is granted. */
  readonly association: lakeformation.CfnTagAssociation;
}

/** What a research project gets by LF-tag expression: the de-identified databases' and its domains' tables' definitions. */
function researchTagGrants(project: ResearchProject): [TagGrant, TagGrant] {
  return [
    { resourceType: 'DATABASE', expression: { [SENSITIVITY_TAG]: ['deidentified'] }, permissions: ['DESCRIBE'] },
    { resourceType: 'TABLE', expression: { [SENSITIVITY_TAG]: ['deidentified'], [DOMAIN_TAG]: project.domains }, permissions: ['DESCRIBE'] },
  ];
}

const PROJECT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** A mistake in a research project's configuration, naming the project and where it is configured. */
function projectError(project: ResearchProject, environment: string, text: string): ConfigurationError {
  return new ConfigurationError(
    `Research project ${JSON.stringify(project.name)} in governance.researchProjects of the ${environment} environment (lib/config/environments.ts): ${text}`,
  );
}

/**
 * Checks the environment's research projects and throws a ConfigurationError naming the project
 * and the problem; in particular, a project whose approval ended before today (UTC).
 */
export function checkResearchProjects(projects: readonly ResearchProject[], environment: string): void {
  const today = new Date().toISOString().slice(0, 10);
  const names = new Set<string>();
  for (const project of projects) {
    const problem = (text: string): ConfigurationError => projectError(project, environment, text);
    if (!PROJECT_NAME.test(project.name)) throw problem('its name must be lowercase words joined by hyphens.');
    if (names.has(project.name)) throw problem('the name is used twice.');
    names.add(project.name);
    if (!isIsoDate(project.endDate)) throw problem(`endDate must be a date written YYYY-MM-DD, not ${JSON.stringify(project.endDate)}.`);
    if (project.endDate < today) {
      throw problem(
        `its approval ended on ${project.endDate}. Renew it (a later endDate) or remove the project: its Lake Formation grants ` +
          'must not outlive the approval.',
      );
    }
    if (!isIamArn(project.principalArn, ['role'])) throw problem(`principalArn must be an IAM role ARN, not ${JSON.stringify(project.principalArn)}.`);
    if (project.domains.length === 0) throw problem(`domains must name some of ${DOMAIN_VALUES.join(', ')}.`);
    if (Object.keys(project.tables).length === 0) throw problem('it names no table.');
  }
}

function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text)) && new Date(text).toISOString().slice(0, 10) === text;
}

export interface ResearchAccessProps {
  readonly project: ResearchProject;
  /** Every table the governance stack tags. */
  readonly tables: readonly GovernedTable[];
  readonly tags: LakeTags;
  /** What the tag-expression grants wait for besides the tags (the databases' tag associations). */
  readonly after: readonly Construct[];
  /** For error messages: the environment the project is configured in. */
  readonly environment: string;
}

/**
 * A research project's Lake Formation access (checked first with `checkResearchProjects`):
 * DESCRIBE on the de-identified databases and on the de-identified tables of its approved
 * domains, by LF-tag expression; and, for each table it names, a data cells filter with its rows
 * and columns and SELECT on that filter only. Without a table-level SELECT, the filters are the
 * only way to the data.
 */
export class ResearchAccess extends Construct {
  public readonly tagGrants: readonly lakeformation.CfnPrincipalPermissions[];
  public readonly filters: readonly lakeformation.CfnDataCellsFilter[];
  public readonly filterGrants: readonly lakeformation.CfnPrincipalPermissions[];

  constructor(scope: Construct, id: string, props: ResearchAccessProps) {
    super(scope, id);
    const { project, tags } = props;
    const problem = (text: string): ConfigurationError => projectError(project, props.environment, text);
    const [databaseGrant, tableGrant] = researchTagGrants(project);
    this.tagGrants = grantByTags(this, { principalArn: project.principalArn, grants: [databaseGrant, tableGrant], tags, after: props.after });

    const filters: lakeformation.CfnDataCellsFilter[] = [];
    const filterGrants: lakeformation.CfnPrincipalPermissions[] = [];
    for (const [name, access] of Object.entries(project.tables)) {
      const deidentified = props.tables.filter((table) => table.tags.sensitivity === 'deidentified');
      const found = deidentified.filter((table) => table.name === name);
      if (found.length !== 1) {
        throw problem(`${found.length === 0 ? 'there is no' : 'there is more than one'} de-identified table named ${name} (there are ${deidentified.map((t) => t.name).join(', ')}).`);
      }
      const table = found[0] as GovernedTable;
      if (!matchesExpression(table.tags, tableGrant.expression)) {
        throw problem(`table ${name} is in domain ${table.tags.domain}, for which the project is not approved (${project.domains.join(', ')}).`);
      }
      const columns = glueTableColumns(table.table);
      if (access.columns !== 'all') {
        const missing = access.columns.filter((column) => !columns.includes(column));
        if (access.columns.length === 0 || missing.length > 0) throw problem(`table ${name} has the columns ${columns.join(', ')}, not ${missing.join(', ') || 'none'}.`);
      }
      if (access.rows.trim() === '') throw problem(`table ${name}: rows must be a row filter expression or "all".`);

      const tableData = { tableCatalogId: Aws.ACCOUNT_ID, databaseName: glueDatabaseName(table.database), tableName: table.name, name: `${project.name}-${name}` };
      const filter = new lakeformation.CfnDataCellsFilter(this, `Filter-${name}`, {
        ...tableData,
        rowFilter: access.rows === 'all' ? { allRowsWildcard: {} } : { filterExpression: access.rows },
        ...(access.columns === 'all' ? { columnWildcard: { excludedColumnNames: [] } } : { columnNames: [...access.columns] }),
      });
      filter.node.addDependency(table.table, table.association);
      const grant = new lakeformation.CfnPrincipalPermissions(this, `Select-${name}`, {
        catalog: Aws.ACCOUNT_ID,
        principal: { dataLakePrincipalIdentifier: project.principalArn },
        resource: { dataCellsFilter: tableData },
        permissions: ['SELECT'],
        permissionsWithGrantOption: [],
      });
      grant.node.addDependency(filter, ...tags.resources, ...props.after);
      filters.push(filter);
      filterGrants.push(grant);
    }
    this.filters = filters;
    this.filterGrants = filterGrants;
  }
}
