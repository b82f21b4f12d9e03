/**
 * The SQL side of validation, generated from a contract for DuckDB: reading a drop in exactly
 * the contract's dialect (no sniffing), and each value as the type the contract declares.
 */
import type { Contract, FieldDefinition } from '../contracts/types';

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Characters DuckDB reads as a glob in a file path. */
export const GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * `read_csv` over a drop file: every field as text, the contract's delimiter and quote, no
 * guessing. The path must hold no glob characters (DuckDB would read every file they match).
 * For a contract with a control trailer, `records` (as the structural pass counted them) are
 * read and the trailer line after them is not.
 */
export function readCsvSql(path: string, contract: Contract, compressed: boolean, records?: number): string {
  if (GLOB_CHARACTERS.test(path)) throw new Error('a file path for the engine must not contain *, ?, [, ], { or }');
  if (contract.file.trailer !== undefined && records === undefined) throw new Error('a file with a control trailer is read knowing its number of records');
  const { dialect, schema } = contract;
  const columns = schema.fields.map((f) => `${sqlString(f.name)}: 'VARCHAR'`).join(', ');
  const options = [
    `delim=${sqlString(dialect.delimiter)}`, `quote=${sqlString(dialect.quoteChar)}`, `escape=${sqlString(dialect.quoteChar)}`,
    'header=true', 'auto_detect=false', `columns={${columns}}`, `compression=${sqlString(compressed ? 'gzip' : 'none')}`,
    'parallel=false', 'strict_mode=false',
  ];
  if (contract.file.trailer !== undefined) options.push('null_padding=true');
  const read = `read_csv(${sqlString(path)}, ${options.join(', ')})`;
  // The trailer has fewer values than a record: padded, it reads as the one row after the records.
  return contract.file.trailer === undefined ? read : `(SELECT * FROM ${read} LIMIT ${records})`;
}

function strptimeFormat(format: string): string {
  return format === 'default' ? '%Y-%m-%d' : format;
}

function list(values: readonly string[]): string {
  return values.map(sqlString).join(', ');
}

/** The value as the type the contract declares, for the Parquet in `raw`. */
export function typedValueSql(field: FieldDefinition, missingValues: readonly string[]): string {
  const v = sqlIdentifier(field.name);
  const present = (expression: string): string =>
    missingValues.length > 0 ? `CASE WHEN ${v} IN (${list(missingValues)}) THEN NULL ELSE ${expression} END` : expression;
  switch (field.type) {
    case 'integer':
      return present(`CAST(${v} AS BIGINT)`);
    case 'number':
      return present(`CAST(${v} AS DOUBLE)`);
    case 'date':
      return present(`CAST(strptime(${v}, ${sqlString(strptimeFormat(field.format ?? 'default'))}) AS DATE)`);
    case 'boolean':
      return present(`${v} IN (${list(field.trueValues ?? ['true'])})`);
    case 'string':
      return present(v);
  }
}
