/** blockingSql finds each candidate pair once, ordered, by the first rule that finds it. */
import type { LinkType } from '../../core/linkage/settings';
import { exampleSettings, runComparison, type PersonRecord } from './fixtures';
import { freshEngineAndFolder } from '../plan/fixtures';

const fresh = freshEngineAndFolder();

// The example's rules: 1 birth date; 2 first three letters of the surname and birth year; 3 SSN.
const RECORDS: PersonRecord[] = [
  // Found by all three rules.
  { id: 10, partner: 'k12', last: 'Smith', dob: '1990-05-01', ssn: '123-45-6780' },
  { id: 20, partner: 'wages', last: 'Smithson', dob: '1990-05-01', ssn: '123456780' },
  // Found by rule 2 only, listed with the larger id first; both from one source.
  { id: 30, partner: 'k12', last: 'Jones', dob: '1985-01-01' },
  { id: 3, partner: 'k12', last: 'Jonas', dob: '1985-12-31' },
  // Found by rules 2 and 3.
  { id: 70, partner: 'k12', last: 'García', dob: '1999-03-03', ssn: '345-67-8901' },
  { id: 71, partner: 'wages', last: 'Garcia', dob: '1999-04-04', ssn: '345-67-8901' },
  // Found by rule 3 only.
  { id: 40, partner: 'wages', last: 'Brown', dob: '1970-01-01', ssn: '234-56-7890' },
  { id: 41, partner: 'k12', last: 'Green', dob: '1960-02-02', ssn: '234-56-7890' },
  // Missing values never pair, not even with each other; an invalid SSN is missing.
  { id: 50, partner: 'k12' },
  { id: 51, partner: 'k12', ssn: '000-00-0000' },
  { id: 52, partner: 'wages', ssn: '000-00-0000' },
];

async function pairs(linkType: LinkType, records: readonly PersonRecord[]): Promise<unknown[]> {
  await runComparison(fresh.engine, fresh.dir, exampleSettings({ linkType }), records);
  return fresh.engine.query('SELECT record_id_l, record_id_r, blocking_rule FROM candidate_pairs ORDER BY record_id_l, record_id_r');
}

test('the rules\' pairs are UNIONed: each pair once, left id below right id, with the first rule that found it', async () => {
  expect(await pairs('link_and_dedupe', RECORDS)).toEqual([
    { record_id_l: 3, record_id_r: 30, blocking_rule: 2 },
    { record_id_l: 10, record_id_r: 20, blocking_rule: 1 },
    { record_id_l: 40, record_id_r: 41, blocking_rule: 3 },
    { record_id_l: 70, record_id_r: 71, blocking_rule: 2 },
  ]);
});

test('link_only leaves out pairs from one source', async () => {
  expect(await pairs('link_only', RECORDS)).toEqual([
    { record_id_l: 10, record_id_r: 20, blocking_rule: 1 },
    { record_id_l: 40, record_id_r: 41, blocking_rule: 3 },
    { record_id_l: 70, record_id_r: 71, blocking_rule: 2 },
  ]);
});

/** Many records over few values, so most pairs are found by several rules. */
function crowd(): PersonRecord[] {
  const surnames = ['SMITH', 'SMITHSON', 'SMYTHE', 'JONES', null];
  const dates = ['1990-05-01', '1990-07-04', '1991-05-01', '1985-01-01', '1985-03-02', null];
  const ssns = ['123456780', '234567890', '345678901', null];
  return Array.from({ length: 60 }, (_, i) => ({
    id: 1000 - i * 7,
    partner: ['k12', 'wages', 'college'][Math.floor(i / 4) % 3],
    last: surnames[i % 5],
    dob: dates[i % 6],
    ssn: ssns[i % 4],
  }));
}

/** The candidate pairs by brute force over every pair, from the rules as the example states them. */
function expectedPairs(records: readonly PersonRecord[], linkType: LinkType): { record_id_l: number; record_id_r: number; blocking_rule: number }[] {
  const equal = (a: string | null | undefined, b: string | null | undefined): boolean => a != null && b != null && a === b;
  const rules = [
    (a: PersonRecord, b: PersonRecord) => equal(a.dob, b.dob),
    (a: PersonRecord, b: PersonRecord) => equal(a.last?.slice(0, 3), b.last?.slice(0, 3)) && equal(a.dob?.slice(0, 4), b.dob?.slice(0, 4)),
    (a: PersonRecord, b: PersonRecord) => equal(a.ssn, b.ssn),
  ];
  const found = [];
  for (const a of records) {
    for (const b of records) {
      if (a.id >= b.id || (linkType === 'link_only' && a.partner === b.partner)) continue;
      const rule = rules.findIndex((matches) => matches(a, b));
      if (rule >= 0) found.push({ record_id_l: a.id, record_id_r: b.id, blocking_rule: rule + 1 });
    }
  }
  return found.sort((x, y) => x.record_id_l - y.record_id_l || x.record_id_r - y.record_id_r);
}

test.each<LinkType>(['link_and_dedupe', 'link_only'])('%s: the pairs are exactly those a brute-force pass over every pair finds', async (linkType) => {
  const records = crowd();
  const expected = expectedPairs(records, linkType);
  expect(new Set(expected.map((p) => p.blocking_rule))).toEqual(new Set([1, 2, 3]));

  expect(await pairs(linkType, records)).toEqual(expected);
});
