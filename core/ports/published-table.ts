/**
 * The published-table port: what the Query API needs from an engine. Athena implements it in AWS
 * (over the catalog's `outcomes` table), DuckDB locally (over published/outcomes/table/). The API
 * reads the published zone and nothing else, so it can only return what publishing already made safe.
 */
import type { SqlRow } from './sql-engine';

/** A bound query parameter: the SQL holds `?` in its place. */
export type QueryParameter = string | number;

export interface TableQuery {
  /** A SELECT over `tableName`, with `?` placeholders. */
  readonly sql: string;
  readonly parameters: readonly QueryParameter[];
}

export interface PublishedTable {
  /** How the SQL names the published outcomes table. */
  readonly tableName: string;
  /** Rows with numbers as numbers and missing values as null; fails with EngineUnavailableError when the engine does. */
  select(query: TableQuery): Promise<SqlRow[]>;
}

/** The engine failed or took too long: the API answers 503 and the client may retry. */
export class EngineUnavailableError extends Error {
  public override readonly name = 'EngineUnavailableError';
}

/** The published files beside the table (metadata.json, withheld.csv), by `<zone>/<key>` location. */
export interface PublishedFiles {
  /** The file's text; fails with EngineUnavailableError when it cannot be read. */
  readText(location: string): Promise<string>;
}
