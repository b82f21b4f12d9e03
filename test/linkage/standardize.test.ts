/** standardizeSql makes names, dates and identifiers comparable, on real DuckDB through the plan. */
import { canonicalGivenNames } from '../../core/linkage/nicknames';
import { standardizeSql } from '../../core/linkage/sql/standardize';
import { exampleSettings, runComparison, type PersonRecord } from './fixtures';
import { freshEngineAndFolder } from '../plan/fixtures';

const fresh = freshEngineAndFolder();

async function standardized(records: readonly PersonRecord[], columns: string): Promise<unknown[]> {
  await runComparison(fresh.engine, fresh.dir, exampleSettings(), records);
  return fresh.engine.query(`SELECT ${columns} FROM standardized ORDER BY record_id`);
}

test('names: accents, punctuation, apostrophes, whitespace and case', async () => {
  const rows = await standardized([
    { id: 1, first: 'José', last: 'Núñez-García' },
    { id: 2, first: '  mary   ann ', last: "O'Brien" },
    { id: 3, first: 'Zoë', last: 'O’Brien' },
    { id: 4, first: 'J.R.', last: 'St. John-Smith,  Jr' },
    { id: 5, first: 'François', last: 'de la Cruz' },
  ], 'record_id, given_name, surname');

  expect(rows).toEqual([
    { record_id: 1, given_name: 'JOSE', surname: 'NUNEZ GARCIA' },
    { record_id: 2, given_name: 'MARY ANN', surname: 'OBRIEN' },
    { record_id: 3, given_name: 'ZOE', surname: 'OBRIEN' },
    { record_id: 4, given_name: 'J R', surname: 'ST JOHN SMITH JR' },
    { record_id: 5, given_name: 'FRANCOIS', surname: 'DE LA CRUZ' },
  ]);
});

test('missing names: NULL, empty, blank or punctuation only are all NULL', async () => {
  const rows = await standardized([
    { id: 1, first: null, last: '' },
    { id: 2, first: '   ', last: "-'." },
  ], 'given_name, given_name_canonical, surname, surname_first, surname_last');

  expect(rows).toEqual(Array(2).fill({ given_name: null, given_name_canonical: null, surname: null, surname_first: null, surname_last: null }));
});

test('compound surnames keep the full form and expose the first and last parts', async () => {
  const rows = await standardized([
    { id: 1, last: 'Núñez-García' },
    { id: 2, last: 'Garcia Lopez' },
    { id: 3, last: 'Smith' },
    { id: 4, last: 'de la Cruz' },
  ], 'surname, surname_first, surname_last');

  expect(rows).toEqual([
    { surname: 'NUNEZ GARCIA', surname_first: 'NUNEZ', surname_last: 'GARCIA' },
    { surname: 'GARCIA LOPEZ', surname_first: 'GARCIA', surname_last: 'LOPEZ' },
    { surname: 'SMITH', surname_first: 'SMITH', surname_last: 'SMITH' },
    { surname: 'DE LA CRUZ', surname_first: 'DE', surname_last: 'CRUZ' },
  ]);
});

test('nicknames map to a canonical given name; names outside the reference stay as they are', async () => {
  const rows = await standardized([
    { id: 1, first: 'Bill' },
    { id: 2, first: 'william' },
    { id: 3, first: 'Billy' },
    { id: 4, first: 'Alex' },
    { id: 5, first: 'Alexander' },
    { id: 6, first: 'Pepe' },
    { id: 7, first: 'José' },
    { id: 8, first: 'Zoe' },
  ], 'given_name, given_name_canonical');

  expect(rows).toEqual([
    { given_name: 'BILL', given_name_canonical: 'WILLIAM' },
    { given_name: 'WILLIAM', given_name_canonical: 'WILLIAM' },
    { given_name: 'BILLY', given_name_canonical: 'WILLIAM' },
    // Alex is short for Alexander, Alexandra and Alejandro: one group, one key.
    { given_name: 'ALEX', given_name_canonical: 'ALEJANDRO' },
    { given_name: 'ALEXANDER', given_name_canonical: 'ALEJANDRO' },
    { given_name: 'PEPE', given_name_canonical: 'JOSE' },
    { given_name: 'JOSE', given_name_canonical: 'JOSE' },
    { given_name: 'ZOE', given_name_canonical: 'ZOE' },
  ]);
});

test('the nickname groups: formal names sharing a nickname share one canonical form', () => {
  const canonical = canonicalGivenNames();

  expect(canonical.get('BILL')).toBe('WILLIAM');
  expect(canonical.has('WILLIAM')).toBe(false);
  expect(['KATE', 'KATHERINE', 'KATHY', 'CATHY'].map((n) => canonical.get(n))).toEqual(Array(4).fill('CATHERINE'));
  expect(['NATE', 'NATHANIEL'].map((n) => canonical.get(n))).toEqual(['NATHAN', 'NATHAN']);
  // A lookup table, not a CASE: each nickname is one VALUES row.
  expect(standardizeSql(exampleSettings())).toContain("('BILL', 'WILLIAM')");
});

test('dates are split into year, month and day', async () => {
  const rows = await standardized([
    { id: 1, dob: '2001-02-03' },
    { id: 2, dob: null },
  ], 'CAST(birth_date AS VARCHAR) AS birth_date, birth_date_year, birth_date_month, birth_date_day');

  expect(rows).toEqual([
    { birth_date: '2001-02-03', birth_date_year: 2001, birth_date_month: 2, birth_date_day: 3 },
    { birth_date: null, birth_date_year: null, birth_date_month: null, birth_date_day: null },
  ]);
});

test.each([
  ['123-45-6780', '123456780'],
  [' 123 45 6781 ', '123456781'],
  ['SSN: 123.45.6782', '123456782'],
  ['000-12-3456', null],
  ['666-12-3456', null],
  ['912-34-5678', null],
  ['123-00-4567', null],
  ['123-45-0000', null],
  ['123-45-6789', null],
  ['111-11-1111', null],
  ['078-05-1120', null],
  ['12345678', null],
  ['1234567890', null],
  ['n/a', null],
])('SSN %j standardizes to %j', async (raw, expected) => {
  expect(await standardized([{ id: 1, ssn: raw }], 'ssn')).toEqual([{ ssn: expected }]);
});

test('student IDs are digits only, with the settings\' placeholders nulled', async () => {
  const rows = await standardized([
    { id: 1, ssid: 'S-1234567890' },
    { id: 2, ssid: '0000000000' },
    { id: 3, ssid: '99999-99999' },
    { id: 4, ssid: '' },
  ], 'student_id');

  expect(rows).toEqual([{ student_id: '1234567890' }, { student_id: null }, { student_id: null }, { student_id: null }]);
});

test('the source and record id come through under fixed names', async () => {
  const rows = await standardized([{ id: 7, partner: 'wages' }], 'record_id, source');

  expect(rows).toEqual([{ record_id: 7, source: 'wages' }]);
});
