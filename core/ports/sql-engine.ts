/**
 * The SQL engine port: what validation (and later the plans) need from an engine. DuckDB
 * implements it locally and in Lambda; the SQL text core/ generates is DuckDB's dialect.
 */
export type SqlValue = string | number | boolean | null;
export type SqlRow = Readonly<Record<string, SqlValue>>;

export interface SqlEngine {
  /** Runs a statement and returns its rows, with integers as numbers (they stay below 2^53 here). */
  query(sql: string): Promise<SqlRow[]>;
  /** Runs a statement for its effect. */
  run(sql: string): Promise<void>;
  close(): void;
}
