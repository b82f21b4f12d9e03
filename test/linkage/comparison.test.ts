/**
 * comparisonVectorSql puts each pair in the first level that holds, and comparisonPlan runs
 * standardize → block → compare as one plan; the SQL is written for both engines.
 */
import path from 'node:path';
import fc from 'fast-check';
import { comparisonPlan, linkagePlan, type LinkageOutputs } from '../../core/linkage/plan';
import { FUNCTIONS_SPARK_MUST_REGISTER } from '../../core/linkage/sql/functions';
import { parsePlan, type Step } from '../../core/plan/plan';
import { sqlString } from '../../core/validation/sql';
import { freshEngineAndFolder, readParquet } from '../plan/fixtures';
import { exampleSettings, OUTPUT, runComparison, type PersonRecord } from './fixtures';

const fresh = freshEngineAndFolder();

type Fields = Omit<PersonRecord, 'id' | 'partner'>;
const BASE: Fields = { first: 'Ann', last: 'Lee', dob: '2001-02-03', ssn: '123-45-6780', ssid: '1234567890' };

/** [what it shows, the comparison, the left record's fields, the right record's, the expected gamma] */
const CASES: [string, string, Fields, Fields, number][] = [
  ['a missing given name', 'given_name', { first: null }, {}, -1],
  ['a blank given name', 'given_name', {}, { first: '  ' }, -1],
  ['the same given name', 'given_name', { first: 'José' }, { first: 'JOSE' }, 4],
  ['a nickname', 'given_name', { first: 'Bill' }, { first: 'William' }, 3],
  ['Jaro-Winkler 0.96', 'given_name', { first: 'Martha' }, { first: 'Marhta' }, 2],
  ['Jaro-Winkler 0.81', 'given_name', { first: 'Dixon' }, { first: 'Dicksonx' }, 1],
  ['different given names', 'given_name', { first: 'Ann' }, { first: 'Zoe' }, 0],
  ['the same surname after punctuation', 'surname', { last: "O'Brien" }, { last: 'OBRIEN' }, 4],
  ['a part of a compound surname (custom level)', 'surname', { last: 'Núñez-García' }, { last: 'Garcia' }, 3],
  ['compound surnames in the other order (custom level)', 'surname', { last: 'Garcia Lopez' }, { last: 'Lopez Garcia' }, 3],
  ['a transposition (Damerau-Levenshtein 1)', 'surname', { last: 'Smith' }, { last: 'Smiht' }, 2],
  ['two edits but Jaro-Winkler 0.92', 'surname', { last: 'Williams' }, { last: 'Willaimz' }, 1],
  ['a missing birth date', 'birth_date', {}, { dob: null }, -1],
  ['the same birth date', 'birth_date', {}, {}, 5],
  ['day and month transposed', 'birth_date', { dob: '2001-02-03' }, { dob: '2001-03-02' }, 4],
  ['the same year and month', 'birth_date', { dob: '2001-02-03' }, { dob: '2001-02-27' }, 3],
  ['ten days apart', 'birth_date', { dob: '2001-01-31' }, { dob: '2001-02-10' }, 2],
  ['eleven days apart, across a new year', 'birth_date', { dob: '2000-12-25' }, { dob: '2001-01-05' }, 2],
  ['the same year only', 'birth_date', { dob: '2001-02-03' }, { dob: '2001-11-20' }, 1],
  ['different years', 'birth_date', { dob: '2001-02-03' }, { dob: '1999-02-03' }, 0],
  ['an SSN never issued', 'ssn', { ssn: '000-12-3456' }, {}, -1],
  ['the same SSN, written differently', 'ssn', { ssn: '123-45-6780' }, { ssn: '123456780' }, 2],
  ['an SSN with two digits transposed', 'ssn', { ssn: '123-45-6781' }, { ssn: '123-45-6718' }, 1],
  ['different SSNs', 'ssn', {}, { ssn: '234-56-7890' }, 0],
  ['a placeholder student ID', 'student_id', { ssid: '0000000000' }, {}, -1],
  ['the same student ID', 'student_id', { ssid: 'S-1234567890' }, {}, 2],
  ['one digit changed (Levenshtein 1)', 'student_id', {}, { ssid: '1234567899' }, 1],
  ['two digits transposed: Levenshtein counts 2', 'student_id', {}, { ssid: '1234567809' }, 0],
];

// Each case is its own source and blocking pairs records of one source, so each case is one pair.
const BY_CASE = exampleSettings({ blockingRules: [{ on: [{ column: 'source' }] }] });

function caseRecords(): PersonRecord[] {
  return CASES.flatMap(([, , left, right], i) => [
    { id: 2 * i + 1, partner: `case_${i}`, ...BASE, ...left },
    { id: 2 * i + 2, partner: `case_${i}`, ...BASE, ...right },
  ]);
}

test('every level kind is hit by a pair built for it, with the null level -1 and else 0', async () => {
  await runComparison(fresh.engine, fresh.dir, BY_CASE, caseRecords());
  const vectors = await fresh.engine.query('SELECT * FROM comparison_vectors ORDER BY record_id_l');

  const seen = CASES.map(([label, comparison], i) => [label, vectors[i]?.[`gamma_${comparison}`]]);
  expect(seen).toEqual(CASES.map(([label, , , , gamma]) => [label, gamma]));
});

test('a comparison vector names the pair, its sources and its blocking rule, then one gamma per comparison', async () => {
  await runComparison(fresh.engine, fresh.dir, exampleSettings(), [
    { id: 2, partner: 'wages', ...BASE, first: 'Bill', ssn: null },
    { id: 1, partner: 'k12', ...BASE, first: 'William', dob: '2001-03-02', ssid: null },
  ]);

  expect(await fresh.engine.query('SELECT * FROM comparison_vectors')).toEqual([{
    record_id_l: 1, record_id_r: 2, source_l: 'k12', source_r: 'wages', blocking_rule: 2,
    gamma_given_name: 3, gamma_surname: 4, gamma_birth_date: 4, gamma_ssn: -1, gamma_student_id: -1,
  }]);
});

test('comparisonPlan is a valid plan of three steps whose output is the comparison vectors', async () => {
  const plan = comparisonPlan(exampleSettings(), 'records.parquet', OUTPUT);
  expect(parsePlan(plan)).toBe(plan);
  expect(plan.steps.map((s) => s.name)).toEqual(['standardized', 'candidate_pairs', 'comparison_vectors']);

  const run = await runComparison(fresh.engine, fresh.dir, BY_CASE, caseRecords());

  expect(run.steps.map((s) => [s.name, s.kind === 'sql' && s.rows])).toEqual([
    ['standardized', 2 * CASES.length], ['candidate_pairs', CASES.length], ['comparison_vectors', CASES.length],
  ]);
  expect(await readParquet(fresh.engine, path.join(fresh.dir, OUTPUT), 'record_id_l')).toEqual(await fresh.engine.query('SELECT * FROM comparison_vectors ORDER BY record_id_l'));
});

test.each(FUNCTIONS_SPARK_MUST_REGISTER.flatMap((f) => f.examples.map((e) => [f.name, e.arguments, e.result] as const)))(
  'the Spark UDF contract matches DuckDB: %s(%j) = %j',
  async (name, args, result) => {
    const literal = (a: string | readonly string[]): string => (typeof a === 'string' ? sqlString(a) : `CAST([${a.map(sqlString).join(', ')}] AS VARCHAR[])`);
    const [row] = await fresh.engine.query(`SELECT ${name}(${args.map(literal).join(', ')}) AS value`);
    expect(row?.value).toEqual(result);
  },
);

test('a Damerau-Levenshtein level, tried after a cheaper Levenshtein test, takes exactly the pairs the distance alone would', async () => {
  // A transposition is two substitutions, so the Levenshtein test only rules out pairs too far apart.
  const settings = exampleSettings();
  const condition = (maxDistance: number): string => {
    const sql = linkagePlan({ ...settings, comparisons: [{ name: 'ssn', column: 'ssn', levels: [{ kind: 'damerau_levenshtein', maxDistance }, { kind: 'else' }] }] },
      'r', { predictions: 'p', clusters: 'c', parameters: 'm', training: 't', clusterConflicts: 'x' }).steps.find((s) => s.name === 'comparison_vectors');
    return /WHEN (.*) THEN 1/.exec(sql?.kind === 'sql' ? sql.sql : '')?.[1] as string;
  };
  const words = fc.sample(fc.tuple(fc.stringMatching(/^[ABC]{0,6}$/), fc.stringMatching(/^[ABC]{0,6}$/)), { numRuns: 400, seed: 7 });
  const pairs = `(VALUES ${words.map(([a, b]) => `(${sqlString(a)}, ${sqlString(b)})`).join(', ')}) AS t(a, b)`;
  for (const k of [1, 2]) {
    const guarded = condition(k).replace(/\bl\.ssn\b/g, 'a').replace(/\br\.ssn\b/g, 'b');
    expect(guarded).toContain('levenshtein(a, b) <=');
    const [row] = await fresh.engine.query(`SELECT count(*) FILTER (WHERE (${guarded}) <> (damerau_levenshtein(a, b) <= ${k})) AS differ, count(*) FILTER (WHERE damerau_levenshtein(a, b) <= ${k}) AS within FROM ${pairs}`);
    expect(row?.differ).toBe(0);
    expect(Number(row?.within)).toBeGreaterThan(10);
  }
});

describe('the generated SQL is written for DuckDB and Spark alike', () => {
  // Every step and until condition of the whole run, with a prior that brings in the deterministic rules.
  const settings = exampleSettings({ prior: { recall: 0.8, deterministicRules: [{ on: [{ column: 'ssn' }] }] } });
  const statements = (steps: readonly Step[]): string[] => steps.flatMap((s) => (s.kind === 'sql' ? [s.sql] : [...statements(s.body), s.until]));
  const outputs: LinkageOutputs = { predictions: 'p', clusters: 'c', parameters: 'm', training: 't', clusterConflicts: 'x' };
  const sql = statements(linkagePlan(settings, 'records.parquet', outputs).steps).join('\n');

  test('it calls every function Spark must register', () => {
    for (const { name } of FUNCTIONS_SPARK_MUST_REGISTER) expect([name, sql.includes(`${name}(`)]).toEqual([name, true]);
  });

  // Outside string literals, whose text (a regular expression, say) is not SQL.
  const code = sql.replace(/'[^']*'/g, "''");

  test.each([
    [':: casts', code, /::/],
    ['list literals', code, /\[/],
    ['doubled quotes inside a literal, which Spark reads as two literals', sql, /[^\s(,]''|''[^\s),]/],
    ['regexp_replace, which replaces one match in DuckDB and all in Spark', code, /regexp_replace/i],
    ['DuckDB-only syntax or functions', code, /\b(EXCLUDE|QUALIFY|GROUP BY ALL|strptime|regexp_full_match|date_diff|datediff)\b|\/\//i],
    ['hash(), which the engines compute differently', code, /\bhash\(/i],
  ])('it has no %s', (_, text, pattern) => {
    expect(text).not.toMatch(pattern);
  });
});
