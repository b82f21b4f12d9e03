/** Plan locations in a local lake: an output replaces whatever is at its path, a file or Spark's folder of part files. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lakeLocations } from '../../adapters/lake/local-lake';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'c2c-locations-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('a location is its zone folder and key; writing creates the parent folders', async () => {
  const resolved = await lakeLocations(root)('identity/linkage/clusters.parquet', 'write');
  expect(resolved).toBe(path.join(root, 'identity', 'linkage', 'clusters.parquet'));
  expect(statSync(path.join(root, 'identity', 'linkage')).isDirectory()).toBe(true);
});

test('writing where Spark left a folder of part files removes the folder; reading leaves it, and a file stays for its writer to replace', async () => {
  const folder = path.join(root, 'identity', 'person_xwalk.parquet');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'part-00000.parquet'), 'x');
  await lakeLocations(root)('identity/person_xwalk.parquet', 'read');
  expect(existsSync(path.join(folder, 'part-00000.parquet'))).toBe(true);
  await lakeLocations(root)('identity/person_xwalk.parquet', 'write');
  expect(existsSync(folder)).toBe(false);
  writeFileSync(folder, 'a file');
  await lakeLocations(root)('identity/person_xwalk.parquet', 'write');
  expect(statSync(folder).isFile()).toBe(true);
});
