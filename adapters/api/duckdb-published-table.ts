/**
 * The published-table port on DuckDB, for `c2c serve` and tests: the published Parquet is loaded
 * once into memory (a publication is a few MB) and queried through prepared statements on a
 * small pool of connections, one query at a time per connection.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { PublishedTable, TableQuery } from '../../core/ports/published-table';
import { EngineUnavailableError } from '../../core/ports/published-table';
import type { SqlRow, SqlValue } from '../../core/ports/sql-engine';
import { sqlString } from '../../core/validation/sql';

const TABLE = 'published_outcomes';
const MAX_STATEMENTS = 256;

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

class PooledConnection {
  private readonly statements = new Map<string, Promise<DuckDBPreparedStatement>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: DuckDBConnection) {}

  /** Runs after every query already queued on this connection. */
  select(sql: string, parameters: readonly (string | number)[]): Promise<SqlRow[]> {
    const run = this.queue.then(async () => {
      let statement = this.statements.get(sql);
      if (!statement) {
        // Queries differ only in how many years and groups they bind: few shapes, but keep the cache bounded.
        if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
        statement = this.connection.prepare(sql);
        this.statements.set(sql, statement);
      }
      const prepared = await statement;
      prepared.bind([...parameters]);
      const reader = await prepared.runAndReadAll();
      const names = reader.columnNames();
      return reader.getRows().map((row) => Object.fromEntries(row.map((value, i) => [names[i] as string, toSqlValue(value)])));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Settles (never rejects) once every query queued so far has run. */
  idle(): Promise<unknown> {
    return this.queue;
  }

  close(): void {
    this.connection.closeSync();
  }
}

export class DuckDbPublishedTable implements PublishedTable {
  public readonly tableName = TABLE;
  private next = 0;
  private closing = false;

  private constructor(private readonly instance: DuckDBInstance, private readonly pool: readonly PooledConnection[]) {}

  /** Loads the published Parquet file; `connections` queries can run at once (default 2). */
  static async open(parquetPath: string, connections = 2): Promise<DuckDbPublishedTable> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const setup = await instance.connect();
    try {
      await setup.run(`CREATE TABLE ${TABLE} AS SELECT * FROM read_parquet(${sqlString(parquetPath)})`);
    } catch (error) {
      setup.closeSync();
      instance.closeSync();
      throw new EngineUnavailableError(`the published table could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    setup.closeSync();
    const pool = await Promise.all(Array.from({ length: connections }, async () => new PooledConnection(await instance.connect())));
    return new DuckDbPublishedTable(instance, pool);
  }

  async select(query: TableQuery): Promise<SqlRow[]> {
    if (this.closing) throw new EngineUnavailableError('the published table is closed');
    const connection = this.pool[this.next++ % this.pool.length] as PooledConnection;
    try {
      return await connection.select(query.sql, query.parameters);
    } catch (error) {
      throw new EngineUnavailableError(`DuckDB failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Takes no more queries, and closes the engine once those already queued have run. Closed under
   * them, DuckDB failed the queued ones ("Failed to bind value") and could abort the process (a
   * failed mutex assertion): `c2c serve` stopped while requests were still being answered.
   */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    void Promise.all(this.pool.map((connection) => connection.idle())).then(() => {
      for (const connection of this.pool) connection.close();
      this.instance.closeSync();
    });
  }
}
