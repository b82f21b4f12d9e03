/** SQL fragments the linkage generators share, written to mean the same in DuckDB and Spark SQL. */
import type { StandardizedColumn } from '../settings';

/**
 * A string literal. Spark reads `''` inside a literal as the end of one literal and the start of
 * another, and a backslash as an escape, so text with either has no spelling both engines share.
 */
export function literal(text: string): string {
  if (/['\\]/.test(text)) throw new Error(`a SQL literal for both engines cannot contain ' or \\: ${JSON.stringify(text)}`);
  return `'${text}'`;
}

/** `side.column` as text, for string functions: a date as its ISO text, a number as its digits. */
export function asText(side: 'l' | 'r', column: string, columns: ReadonlyMap<string, StandardizedColumn>): string {
  return columns.get(column)?.type === 'text' ? `${side}.${column}` : `CAST(${side}.${column} AS STRING)`;
}

/**
 * A number as a DOUBLE. A literal such as 0.75 is a DECIMAL in both engines, whose arithmetic
 * (scale, rounding) is not DOUBLE's; the shortest text that reads back as the same double, cast,
 * is the same double in both.
 */
export function double(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`a SQL number must be finite: ${value}`);
  return `CAST(${value} AS DOUBLE)`;
}
