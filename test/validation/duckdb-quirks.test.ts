/**
 * Why the structural pass exists (core/validation/structure.ts): DuckDB's CSV reader, given the
 * dialect explicitly, loses or misnames malformed structure. If an upgrade fixes this, these
 * tests fail, and the division of labour between the two can be revisited.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'c2c-duckdb-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function count(text: string, strict: boolean): Promise<number | string> {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT count(*) FROM read_csv('${file}', delim=',', quote='"', escape='"', header=true, auto_detect=false, ` +
      `columns={'a':'VARCHAR','b':'VARCHAR','c':'VARCHAR'}, strict_mode=${strict}, parallel=false)`,
    );
    return Number(reader.getRows()[0]?.[0]);
  } catch (error) {
    return (error as Error).message.split('\n')[0] as string;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const halfOpenQuote = 'a,b,c\n1,x,2\n2,"y,3\n3,z,4\n4,w,5\n';

test('strict mode drops every record after an unterminated quote, without an error', async () => {
  expect(await count(halfOpenQuote, true)).toBe(1);
});

test('non-strict mode reports a column count, not the unterminated quote', async () => {
  expect(await count(halfOpenQuote, false)).toMatch(/CSV Error on Line: 3/);
  expect(await count(halfOpenQuote, false)).not.toMatch(/quote/i);
});
