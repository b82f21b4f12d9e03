import { posix } from 'node:path';
import { Aws, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { objectAtLocation } from '../../core/lake/zones';
import { PUBLISHED_COLUMNS, PUBLISHED_LOCATIONS } from '../../core/outcomes/published-table';
import type { CatalogColumnType } from '../processing/pipeline-plans';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { parquetTableInput, type TableColumn } from './lake-catalog-tables';

/** The Glue type of each DuckDB type publishing writes (core/outcomes/published-table.ts). */
export const PUBLISHED_COLUMN_TYPES: Readonly<Record<(typeof PUBLISHED_COLUMNS)[number][1], CatalogColumnType>> = {
  VARCHAR: 'string',
  INTEGER: 'int',
  BIGINT: 'bigint',
  DOUBLE: 'double',
};

/** The table's name in the published zone's database, as Athena queries it. */
export const PUBLISHED_TABLE_NAME = 'outcomes';

/**
 * The folder of the published zone that holds the table's Parquet file, e.g. `outcomes/table/`:
 * publishing writes the file alone in it, with the CSV and JSON files beside the folder.
 */
export const PUBLISHED_TABLE_FOLDER = `${posix.dirname(objectAtLocation(PUBLISHED_LOCATIONS.parquet, ['published']).key)}/`;

export interface PublishedOutcomesTableProps {
  /** The data lake: the table goes into its published zone's database, over its published bucket. */
  readonly storage: DataLakeStorage;
}

/**
 * The Glue Data Catalog table `outcomes` of the published zone (DESIGN.md §2): the suppressed
 * outcome cube as publishing writes it to `published/outcomes/table/`, one Parquet file,
 * unpartitioned, its columns generated from `PUBLISHED_COLUMNS`. Publishing replaces the file
 * in place, so the table stays valid from run to run.
 */
export class PublishedOutcomesTable extends Construct {
  public readonly table: glue.CfnTable;
  public readonly databaseName: string;
  public readonly tableName = PUBLISHED_TABLE_NAME;

  constructor(scope: Construct, id: string, props: PublishedOutcomesTableProps) {
    super(scope, id);
    this.databaseName = props.storage.database('published').ref;
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: parquetTableInput({
        name: PUBLISHED_TABLE_NAME,
        description: 'The published outcome cube: every count and rate after disclosure control, suppressed values empty with their reason.',
        location: props.storage.bucket('published').s3UrlForObject(PUBLISHED_TABLE_FOLDER),
        columns: PublishedOutcomesTable.columns(),
      }),
    });
  }

  /** The table's columns: `PUBLISHED_COLUMNS` in order, with Glue types. */
  public static columns(): TableColumn[] {
    return PUBLISHED_COLUMNS.map(([name, type, description]) => ({ name, type: PUBLISHED_COLUMN_TYPES[type], comment: description }));
  }

  /**
   * Lets the grantee read the table's definition, as Athena does to plan a query: the Glue read
   * actions on the account's catalog, the published database and this table. Reading its data
   * needs the published bucket and key besides.
   */
  public grantReadDefinition(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/${PUBLISHED_TABLE_NAME}` }),
      ],
    });
  }
}
