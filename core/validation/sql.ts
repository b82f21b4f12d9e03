/**
 * The SQL side of validation, generated from a contract for DuckDB: reading a drop in exactly
 * the contract's dialect (no sniffing), and one expression per field that names the first rule
 * a value breaks, in the same order and with the same meaning as core/contracts/field-check.ts
 * (test/validation/field-sql-parity.test.ts holds the two to each other).
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
 */
export function readCsvSql(path: string, contract: Contract, compressed: boolean): string {
  if (GLOB_CHARACTERS.test(path)) throw new Error('a file path for the engine must not contain *, ?, [, ], { or }');
  const { dialect, schema } = contract;
  const columns = schema.fields.map((f) => `${sqlString(f.name)}: 'VARCHAR'`).join(', ');
  return `read_csv(${sqlString(path)}, delim=${sqlString(dialect.delimiter)}, quote=${sqlString(dialect.quoteChar)}, ` +
    `escape=${sqlString(dialect.quoteChar)}, header=true, auto_detect=false, columns={${columns}}, ` +
    `compression=${sqlString(compressed ? 'gzip' : 'none')}, parallel=false, strict_mode=false)`;
}

const DIRECTIVE_REGEX: Readonly<Record<string, string>> = { '%Y': '\\d{4}', '%m': '\\d{2}', '%d': '\\d{2}' };

/** The exact shape a date in this format has (strptime alone would accept `2023-2-3`). */
function dateShapeRegex(format: string): string {
  const strptime = format === 'default' ? '%Y-%m-%d' : format;
  return strptime
    .split(/(%[A-Za-z%])/)
    .filter((t) => t.length > 0)
    .map((t) => DIRECTIVE_REGEX[t] ?? (t === '%%' ? '%' : t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
}

function strptimeFormat(format: string): string {
  return format === 'default' ? '%Y-%m-%d' : format;
}

const INTEGER = '[+-]?\\d+';
const NUMBER = '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?';

function list(values: readonly string[]): string {
  return values.map(sqlString).join(', ');
}

/**
 * A CASE expression over the column that gives the name of the first rule the value breaks, or
 * NULL when it conforms.
 */
export function fieldRuleSql(field: FieldDefinition, missingValues: readonly string[]): string {
  const v = sqlIdentifier(field.name);
  const c = field.constraints ?? {};
  const branches: string[] = [];
  const missing = missingValues.length > 0 ? `${v} IS NULL OR ${v} IN (${list(missingValues)})` : `${v} IS NULL`;
  branches.push(`WHEN ${missing} THEN ${c.required ? "'required'" : 'NULL'}`);

  let typed: string;
  switch (field.type) {
    case 'integer':
      branches.push(`WHEN NOT regexp_full_match(${v}, ${sqlString(INTEGER)}) THEN 'type'`);
      typed = `TRY_CAST(${v} AS DOUBLE)`;
      break;
    case 'number':
      branches.push(`WHEN NOT regexp_full_match(${v}, ${sqlString(NUMBER)}) THEN 'type'`);
      typed = `TRY_CAST(${v} AS DOUBLE)`;
      break;
    case 'date': {
      const format = field.format ?? 'default';
      typed = `CAST(try_strptime(${v}, ${sqlString(strptimeFormat(format))}) AS DATE)`;
      branches.push(`WHEN NOT regexp_full_match(${v}, ${sqlString(dateShapeRegex(format))}) OR ${typed} IS NULL THEN 'format'`);
      break;
    }
    case 'boolean':
      branches.push(`WHEN ${v} NOT IN (${list([...(field.trueValues ?? ['true']), ...(field.falseValues ?? ['false'])])}) THEN 'type'`);
      typed = v;
      break;
    case 'string':
      typed = v;
      break;
  }
  if (c.enum) branches.push(`WHEN ${v} NOT IN (${list(c.enum)}) THEN 'enum'`);
  if (c.pattern !== undefined) branches.push(`WHEN NOT regexp_full_match(${v}, ${sqlString(c.pattern)}) THEN 'pattern'`);
  if (c.minLength !== undefined) branches.push(`WHEN length(${v}) < ${c.minLength} THEN 'min_length'`);
  if (c.maxLength !== undefined) branches.push(`WHEN length(${v}) > ${c.maxLength} THEN 'max_length'`);
  const bound = (value: number | string): string => (field.type === 'date' ? `DATE ${sqlString(String(value))}` : String(value));
  if (c.minimum !== undefined) branches.push(`WHEN ${typed} < ${bound(c.minimum)} THEN 'minimum'`);
  if (c.maximum !== undefined) branches.push(`WHEN ${typed} > ${bound(c.maximum)} THEN 'maximum'`);
  return `CASE ${branches.join(' ')} ELSE NULL END`;
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
