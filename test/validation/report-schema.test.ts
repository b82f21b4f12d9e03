/** Every report the validator writes conforms to its documented schema, accepted or rejected. */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import schema from '../../docs/schemas/validation-report.schema.json';
import { contractFor } from '../../core/contracts/catalog';
import { validateDrop } from '../../core/validation/validate';
import { RULE_DESCRIPTIONS } from '../../core/validation/rules';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';

const validate = new Ajv({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
let engine: DuckDbEngine;
let dir: string;
beforeAll(async () => {
  engine = await DuckDbEngine.open();
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-report-'));
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const HEADER = 'client_id,ssn,last_name,first_name,birth_date,gender,county_code,aid_begin_date,aid_end_date\r\n';

test.each([
  ['accepted', HEADER + '123456789,,Garcia,Maria,2001-03-15,F,19,2019-01-01,\r\n'],
  ['rejected', HEADER + '123456789,1234,Garcia,Maria,2001-02-30,Q,19,2019-01-01,\r\n123456789,,Garcia,Maria,2001-03-15,F,19,2019-01-01,\r\n'],
  ['rejected', 'client_id,ssn\r\n"unterminated\r\n'],
])('a report (%s) conforms to the documented schema', async (verdict, text) => {
  const file = path.join(dir, 'calfresh.csv');
  writeFileSync(file, text);
  const { report } = await validateDrop({ name: 'calfresh.csv', localPath: file, read: () => createReadStream(file) }, contractFor('dss', 'calfresh'), engine);
  expect(report.verdict).toBe(verdict);
  expect(validate(report) ? [] : validate.errors).toEqual([]);
  // Every rule in the catalog is described, and the legend covers exactly the rules counted.
  expect(Object.keys(report.rules).sort()).toEqual(Object.keys(report.counts).sort());
  for (const rule of Object.keys(report.counts)) expect(RULE_DESCRIPTIONS).toHaveProperty(rule);
});
