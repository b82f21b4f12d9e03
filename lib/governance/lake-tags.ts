import { Aws, Token } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import { allContracts } from '../../core/contracts/catalog';
import { DOMAINS, type Domain } from '../../core/contracts/types';
import { ZONES, ZONE_NAMES, type Sensitivity, type ZoneName } from '../../core/lake/zones';
import { LINKED_TABLES } from '../../core/linked/tables';

/** The LF-tag keys. */
export const SENSITIVITY_TAG = 'sensitivity';
export const DOMAIN_TAG = 'domain';

/**
 * The `domain` of a database or table whose rows come from several domains: a zone's database,
 * the identity tables, `persons`, the outcome cubes. Lake Formation puts one value of a key on a
 * resource, so such a resource cannot carry each of its domains; a grant must name this value
 * to reach it.
 */
export const CROSS_DOMAIN = 'cross_domain';
export type DomainTagValue = Domain | typeof CROSS_DOMAIN;

/** The values of `sensitivity`: those of the zones (core/lake/zones.ts). */
export const SENSITIVITY_VALUES: readonly Sensitivity[] = [...new Set(ZONE_NAMES.map((zone) => ZONES[zone].sensitivity))];
/** The values of `domain`: the contracts' domains, and `cross_domain`. */
export const DOMAIN_VALUES: readonly DomainTagValue[] = [...DOMAINS, CROSS_DOMAIN];

/** The LF-tags of one database or table. */
export interface LakeTagValues {
  readonly sensitivity: Sensitivity;
  readonly domain: DomainTagValue;
}

/** An LF-tag expression: each key's allowed values (a key left out allows any value; keys AND, values OR). */
export type LakeTagExpression = Partial<{ readonly [SENSITIVITY_TAG]: readonly Sensitivity[]; readonly [DOMAIN_TAG]: readonly DomainTagValue[] }>;

/** Whether a resource with these tags matches the expression, as Lake Formation evaluates it. */
export function matchesExpression(tags: LakeTagValues, expression: LakeTagExpression): boolean {
  return (expression.sensitivity ?? [tags.sensitivity]).includes(tags.sensitivity) && (expression.domain ?? [tags.domain]).includes(tags.domain);
}

/**
 * The tags of a zone's table: the zone's sensitivity; the domain of the contracts its rows come
 * from when they share one, else `cross_domain`. A raw table holds its dataset's drops, so it has
 * its contracts' domain; a linked table declared in core/linked/tables.ts has its sources'
 * (k12_graduates: k12, quarterly_wages: workforce). Any other table (identity records and
 * crosswalk, persons, the outcome and published cubes) combines every dataset: `cross_domain`.
 */
export function tableTags(zone: ZoneName, table: string): LakeTagValues {
  const contracts = new Map(allContracts().map((contract) => [contract.id, contract]));
  const sources: readonly string[] =
    zone === 'raw'
      ? allContracts().filter((contract) => contract.dataset === table).map((contract) => contract.id)
      : zone === 'linked'
        ? (LINKED_TABLES.find((linked) => linked.name === table)?.sources.map((source) => source.contract) ?? [])
        : [];
  const domains = new Set(sources.map((id) => contracts.get(id)?.domain));
  const [only] = domains;
  return { sensitivity: ZONES[zone].sensitivity, domain: domains.size === 1 && only !== undefined ? only : CROSS_DOMAIN };
}

/** The tags of a zone's database: the zone's sensitivity; every zone holds several domains. */
export function databaseTags(zone: ZoneName): LakeTagValues {
  return { sensitivity: ZONES[zone].sensitivity, domain: CROSS_DOMAIN };
}

/** A Glue database's name, as its construct declares it (never retyped). */
export function glueDatabaseName(database: glue.CfnDatabase): string {
  return literal((database.databaseInput as glue.CfnDatabase.DatabaseInputProperty).name, database);
}

/** A Glue table's name, as its construct declares it (never retyped). */
export function glueTableName(table: glue.CfnTable): string {
  return literal((table.tableInput as glue.CfnTable.TableInputProperty).name, table);
}

/** A Glue table's column names, partition keys included, as its construct declares them. */
export function glueTableColumns(table: glue.CfnTable): string[] {
  const input = table.tableInput as glue.CfnTable.TableInputProperty;
  const descriptor = input.storageDescriptor as glue.CfnTable.StorageDescriptorProperty | undefined;
  const columns = [...((descriptor?.columns ?? []) as glue.CfnTable.ColumnProperty[]), ...((input.partitionKeys ?? []) as glue.CfnTable.ColumnProperty[])];
  return columns.map((column) => literal(column.name, table));
}

function literal(name: string | undefined, resource: Construct): string {
  if (name === undefined || Token.isUnresolved(name)) {
    throw new Error(`${resource.node.path}: Lake Formation needs the name written in the construct, not ${String(name)}`);
  }
  return name;
}

/**
 * The lake's two LF-tags, `sensitivity` and `domain`, each with every value it will take: an
 * LF-tag must hold a value before any resource or grant uses it, and a value still attached to a
 * resource cannot be removed. `tag` attaches both to a database or table.
 */
export class LakeTags extends Construct {
  public readonly sensitivity: lakeformation.CfnTag;
  public readonly domain: lakeformation.CfnTag;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.sensitivity = new lakeformation.CfnTag(this, 'Sensitivity', { catalogId: Aws.ACCOUNT_ID, tagKey: SENSITIVITY_TAG, tagValues: [...SENSITIVITY_VALUES] });
    this.domain = new lakeformation.CfnTag(this, 'Domain', { catalogId: Aws.ACCOUNT_ID, tagKey: DOMAIN_TAG, tagValues: [...DOMAIN_VALUES] });
  }

  /** The tag resources, for grants to wait for. */
  public get resources(): readonly lakeformation.CfnTag[] {
    return [this.sensitivity, this.domain];
  }

  /**
   * Attaches both tags to the database, or to the table in it, after the tags and the resource
   * exist (explicit dependencies: the names are the constructs' own, not references CloudFormation
   * could order by).
   */
  public tag(scope: Construct, id: string, values: LakeTagValues, database: glue.CfnDatabase, table?: glue.CfnTable): lakeformation.CfnTagAssociation {
    const databaseName = glueDatabaseName(database);
    const association = new lakeformation.CfnTagAssociation(scope, id, {
      resource: table
        ? { table: { catalogId: Aws.ACCOUNT_ID, databaseName, name: glueTableName(table) } }
        : { database: { catalogId: Aws.ACCOUNT_ID, name: databaseName } },
      lfTags: [
        { catalogId: Aws.ACCOUNT_ID, tagKey: this.sensitivity.tagKey, tagValues: [values.sensitivity] },
        { catalogId: Aws.ACCOUNT_ID, tagKey: this.domain.tagKey, tagValues: [values.domain] },
      ],
    });
    association.node.addDependency(...this.resources, database, ...(table ? [table] : []));
    return association;
  }
}
