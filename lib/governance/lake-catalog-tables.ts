import { Aws } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { allContracts } from '../../core/contracts/catalog';
import type { Contract, FieldType } from '../../core/contracts/types';
import type { ZoneName } from '../../core/lake/zones';
import type { DataLakeStorage } from '../storage/data-lake-storage';
import { zoneLocation, type CatalogColumn, type CatalogColumnType, type PipelineStage } from '../processing/pipeline-plans';

export interface LakeCatalogTablesProps {
  /** The data lake: tables go into its zone databases, at its zone buckets' locations. */
  readonly storage: DataLakeStorage;

  /**
   * The partner datasets: one raw table per dataset.
   *
   * @default allContracts()
   */
  readonly contracts?: readonly Contract[];

  /**
   * The pipeline's stages: one table per catalogued plan output (`PipelineStage.catalog`).
   *
   * @default - none
   */
  readonly stages?: readonly PipelineStage[];

  /**
   * First day of the raw tables' `ingest_date` partition projection (YYYY-MM-DD). Athena
   * enumerates every day from it to today, so keep it close to the first drop.
   */
  readonly firstIngestDate: string;
}

/** A Glue column as the catalog stores it. */
export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** The Glue (Hive) type of a contract field type, as ingestion writes it to Parquet (core/validation/sql.ts, typedValueSql). */
export const CONTRACT_FIELD_TYPES: Readonly<Record<FieldType, CatalogColumnType>> = {
  string: 'string',
  integer: 'bigint',
  number: 'double',
  date: 'date',
  boolean: 'boolean',
};

/** The lineage columns ingestion adds after the contract's fields (core/validation/validate.ts, writeParquet). */
export const RAW_LINEAGE_COLUMNS: readonly TableColumn[] = [
  { name: '_source_object', type: 'string', comment: 'The landing object the record came from: <partner>/<dataset>/<file>.' },
  { name: '_source_line', type: 'bigint', comment: 'The physical line of the record in that file.' },
];

/** The raw tables' partition keys, from ingestion's layout raw/<dataset>/partner=<p>/ingest_date=<YYYY-MM-DD>/. */
export const RAW_PARTITION_KEYS: readonly TableColumn[] = [
  { name: 'partner', type: 'string', comment: 'The partner that dropped the file.' },
  { name: 'ingest_date', type: 'date', comment: 'The day the drop arrived (UTC).' },
];

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

/** Glue keeps column comments up to 255 characters. */
export function glueComment(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= 255 ? text : `${text.slice(0, 252)}...`;
}

/**
 * The input of an unpartitioned Parquet table whose files are all those in the folder
 * `location` (`s3://<bucket>/<key>/`), which its writer replaces in place at each run.
 */
export function parquetTableInput(props: {
  readonly name: string;
  readonly description: string;
  readonly location: string;
  readonly columns: readonly TableColumn[];
}): glue.CfnTable.TableInputProperty {
  return {
    name: props.name,
    description: glueComment(props.description),
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'parquet', EXTERNAL: 'TRUE', 'parquet.compression': 'ZSTD' },
    storageDescriptor: {
      ...PARQUET,
      location: props.location,
      columns: props.columns.map((column) => ({ name: column.name, type: column.type, comment: glueComment(column.comment) })),
    },
  };
}

/**
 * The Glue Data Catalog tables of the lake, generated rather than written by hand:
 * - in the raw zone's database, one table per partner dataset, its columns typed from the
 *   dataset's contract plus ingestion's lineage columns, partitioned by `partner` and
 *   `ingest_date` as ingestion lays the Parquet out. Partitions are found by partition
 *   projection (`partner` from the contracts, `ingest_date` every day since `firstIngestDate`),
 *   so no crawler and no `MSCK REPAIR` is needed when drops arrive;
 * - in each zone's database, one table per plan output a pipeline stage catalogues, with the
 *   columns it declares, at the output's location. Runs replace the files in place, so the
 *   table stays valid from run to run.
 */
export class LakeCatalogTables extends Construct {
  /** Table name → table, by zone. */
  public readonly tables: Readonly<Partial<Record<ZoneName, Readonly<Record<string, glue.CfnTable>>>>>;

  constructor(scope: Construct, id: string, props: LakeCatalogTablesProps) {
    super(scope, id);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(props.firstIngestDate)) {
      throw new Error(`firstIngestDate must be YYYY-MM-DD, not ${JSON.stringify(props.firstIngestDate)}`);
    }
    const tables: Partial<Record<ZoneName, Record<string, glue.CfnTable>>> = {};
    const add = (zone: ZoneName, name: string, table: glue.CfnTable): void => {
      const inZone = (tables[zone] ??= {});
      if (inZone[name]) throw new Error(`two tables named ${name} in the ${zone} zone's database`);
      inZone[name] = table;
    };

    for (const [dataset, contracts] of byDataset(props.contracts ?? allContracts())) {
      add('raw', dataset, this.rawTable(props, dataset, contracts));
    }
    for (const stage of props.stages ?? []) {
      for (const [table, columns] of Object.entries(stage.catalog ?? {})) {
        const output = stage.plan.outputs[table];
        if (!output) throw new Error(`stage ${stage.name}: catalogued table ${table} is not an output of its plan`);
        if (output.partitionBy?.length) {
          // Partitions of a plan output are not known in advance: give the table partition
          // projection, or a catalog update stage, before cataloguing one.
          throw new Error(`stage ${stage.name}: output ${table} is partitioned, which the catalog does not support yet`);
        }
        const { zone, key } = zoneLocation(output.location, stage.name);
        add(zone, table, this.outputTable(props, zone, key, table, columns, `${stage.name} stage, plan ${stage.plan.name}`));
      }
    }
    this.tables = tables;
  }

  /** The columns of a dataset's raw table: the contract's fields, typed, then the lineage columns. */
  public static rawColumns(contract: Contract): TableColumn[] {
    return [
      ...contract.schema.fields.map((field) => ({ name: field.name, type: CONTRACT_FIELD_TYPES[field.type], comment: glueComment(field.description) })),
      ...RAW_LINEAGE_COLUMNS,
    ];
  }

  private rawTable(props: LakeCatalogTablesProps, dataset: string, contracts: readonly Contract[]): glue.CfnTable {
    const columns = LakeCatalogTables.rawColumns(contracts[0] as Contract);
    for (const other of contracts.slice(1)) {
      if (JSON.stringify(LakeCatalogTables.rawColumns(other)) !== JSON.stringify(columns)) {
        throw new Error(`contracts ${contracts.map((c) => c.id).join(', ')} share dataset ${dataset} but not its columns: one table cannot hold both`);
      }
    }
    const partners = [...new Set(contracts.map((contract) => contract.partner))].sort();
    const location = props.storage.bucket('raw').s3UrlForObject(`${dataset}/`);
    return new glue.CfnTable(this, `Raw${tableId(dataset)}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.storage.database('raw').ref,
      tableInput: {
        name: dataset,
        description: glueComment(`${contracts.map((c) => `${c.title} (${c.id})`).join('; ')}: validated drops, as ingestion writes them.`),
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [...RAW_PARTITION_KEYS],
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'parquet.compression': 'ZSTD',
          'projection.enabled': 'true',
          'projection.partner.type': 'enum',
          'projection.partner.values': partners.join(','),
          'projection.ingest_date.type': 'date',
          'projection.ingest_date.format': 'yyyy-MM-dd',
          'projection.ingest_date.range': `${props.firstIngestDate},NOW`,
          'projection.ingest_date.interval': '1',
          'projection.ingest_date.interval.unit': 'DAYS',
          'storage.location.template': `${location}partner=\${partner}/ingest_date=\${ingest_date}/`,
        },
        storageDescriptor: { ...PARQUET, location, columns },
      },
    });
  }

  private outputTable(
    props: LakeCatalogTablesProps,
    zone: ZoneName,
    key: string,
    name: string,
    columns: readonly CatalogColumn[],
    producedBy: string,
  ): glue.CfnTable {
    return new glue.CfnTable(this, `${tableId(zone)}${tableId(name)}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.storage.database(zone).ref,
      tableInput: parquetTableInput({
        name,
        description: `Output ${name} of the ${producedBy}; replaced by every run.`,
        // Spark writes an output as a folder of part files.
        location: props.storage.bucket(zone).s3UrlForObject(`${key}/`),
        columns,
      }),
    });
  }
}

function byDataset(contracts: readonly Contract[]): Map<string, Contract[]> {
  const grouped = new Map<string, Contract[]>();
  for (const contract of contracts) grouped.set(contract.dataset, [...(grouped.get(contract.dataset) ?? []), contract]);
  return grouped;
}

/** `k12_enrollment` → `K12Enrollment`, for construct ids. */
function tableId(name: string): string {
  return name.split(/[_-]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
