/**
 * The published-table port on Amazon Athena: parameterized queries (the request's values travel as
 * execution parameters, never in the SQL text) in the API's workgroup, with query result reuse, a
 * deadline after which the query is stopped, and every failure reported as EngineUnavailableError.
 */
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand,
  type ColumnInfo, type Row,
} from '@aws-sdk/client-athena';
import { EngineUnavailableError, type PublishedTable, type QueryParameter, type TableQuery } from '../../core/ports/published-table';
import type { SqlRow, SqlValue } from '../../core/ports/sql-engine';
import { sqlString } from '../../core/validation/sql';

export interface AthenaPublishedTableOptions {
  readonly workgroup: string;
  readonly database: string;
  readonly table: string;
  /** The query is stopped and the request answered 503 after this long. */
  readonly timeoutMs: number;
  /** Athena answers a repeated query from an earlier result up to this old (0: off). */
  readonly resultReuseMaxAgeMinutes: number;
  /** First wait between status checks; doubles up to 1 s. */
  readonly firstPollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const NUMERIC_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** An execution parameter is a SQL literal: strings quoted, quotes doubled; numbers as written. */
export function executionParameter(value: QueryParameter): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return sqlString(value);
}

function typedValue(text: string | undefined, column: ColumnInfo): SqlValue {
  if (text === undefined) return null;
  return NUMERIC_TYPES.has((column.Type ?? '').toLowerCase()) ? Number(text) : text;
}

export class AthenaPublishedTable implements PublishedTable {
  public readonly tableName: string;

  constructor(private readonly client: AthenaClient, private readonly options: AthenaPublishedTableOptions) {
    this.tableName = `"${options.database}"."${options.table}"`;
  }

  async select(query: TableQuery): Promise<SqlRow[]> {
    const reuse = this.options.resultReuseMaxAgeMinutes;
    let id: string | undefined;
    try {
      ({ QueryExecutionId: id } = await this.client.send(new StartQueryExecutionCommand({
        QueryString: query.sql,
        ExecutionParameters: query.parameters.length > 0 ? query.parameters.map(executionParameter) : undefined,
        WorkGroup: this.options.workgroup,
        QueryExecutionContext: { Database: this.options.database },
        ResultReuseConfiguration: reuse > 0 ? { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: reuse } } : undefined,
      })));
      if (!id) throw new EngineUnavailableError('Athena started no query');
      await this.finished(id);
      return await this.results(id);
    } catch (error) {
      if (error instanceof EngineUnavailableError) throw error;
      throw new EngineUnavailableError(`Athena: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
  }

  private async finished(id: string): Promise<void> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = now() + this.options.timeoutMs;
    for (let wait = this.options.firstPollMs ?? 100; ; wait = Math.min(wait * 2, 1000)) {
      const { QueryExecution: execution } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = execution?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new EngineUnavailableError(`Athena query ${id} ${state}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`);
      }
      if (now() + wait > deadline) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new EngineUnavailableError(`Athena query ${id} took longer than ${this.options.timeoutMs} ms and was stopped`);
      }
      await sleep(wait);
    }
  }

  private async results(id: string): Promise<SqlRow[]> {
    const rows: SqlRow[] = [];
    let columns: ColumnInfo[] | undefined;
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      // A SELECT's first result row repeats the column names.
      const data: Row[] = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      first = false;
      for (const row of data) {
        const cells = row.Data ?? [];
        rows.push(Object.fromEntries((columns ?? []).map((column, i) => [column.Name ?? `_${i}`, typedValue(cells[i]?.VarCharValue, column)])));
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }
}
