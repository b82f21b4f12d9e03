/**
 * The SQL engine port on DuckDB, in process. Memory is bounded (spilling to a temporary folder
 * beyond the limit) and one thread by default, so a Lambda or a laptop can validate files far
 * larger than its memory, and benchmarks measure one core.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { SqlEngine, SqlRow, SqlValue } from '../../core/ports/sql-engine';

export interface DuckDbOptions {
  /** e.g. `'400MB'`; DuckDB spills to `tempDirectory` beyond it. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Keep rows in file order (validation's line numbers depend on it); plans need not, and spill more easily without. Default true. */
  readonly preserveInsertionOrder?: boolean;
  readonly tempDirectory?: string;
  /** Where DuckDB keeps its own files; Lambda's home is read-only, so there it is /tmp. */
  readonly homeDirectory?: string;
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

export class DuckDbEngine implements SqlEngine {
  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  static async open(options: DuckDbOptions = {}): Promise<DuckDbEngine> {
    const config: Record<string, string> = {
      threads: String(options.threads ?? 1),
      memory_limit: options.memoryLimit ?? '400MB',
      preserve_insertion_order: String(options.preserveInsertionOrder ?? true),
    };
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    if (options.homeDirectory) config.home_directory = options.homeDirectory;
    const instance = await DuckDBInstance.create(':memory:', config);
    return new DuckDbEngine(instance, await instance.connect());
  }

  async query(sql: string): Promise<SqlRow[]> {
    const reader = await this.connection.runAndReadAll(sql);
    const names = reader.columnNames();
    return reader.getRows().map((row) => Object.fromEntries(row.map((value, i) => [names[i] as string, toSqlValue(value)])));
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
