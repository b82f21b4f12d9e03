/**
 * The synthetic state is realistic where later stages depend on it: demographics like
 * California's, outcomes that differ by group, and identity evidence as messy as real agencies'.
 * Bounds are wide on purpose: they catch a broken model, not sampling noise.
 */
import { generateState, recordsOf, type GeneratedState } from './generated-state';

let state: GeneratedState;

beforeAll(async () => {
  state = await generateState({ seed: 21, people: 10000, noise: 'medium' });
});

afterAll(() => state.remove());

const share = (part: number, whole: number): number => (whole === 0 ? NaN : part / whole);

function personsIn(...datasets: string[]): Set<string> {
  return new Set(datasets.flatMap((d) => recordsOf(state, d).map((r) => r.personId)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

test('demographics resemble California: mostly Hispanic, Los Angeles the largest county, most counties present', () => {
  const hispanic = state.persons.filter((p) => p.race_ethnicity === 'hispanic').length;
  expect(share(hispanic, state.persons.length)).toBeGreaterThan(0.5);
  expect(share(hispanic, state.persons.length)).toBeLessThan(0.6);
  const byCounty = new Map<string, number>();
  for (const p of state.persons) byCounty.set(p.home_county_code as string, (byCounty.get(p.home_county_code as string) ?? 0) + 1);
  const [largest] = [...byCounty].sort((a, b) => b[1] - a[1])[0] ?? [];
  expect(largest).toBe('19');
  expect(byCounty.size).toBeGreaterThanOrEqual(50);
});

test('foster youth finish high school less often than others', () => {
  const graduates = personsIn('cde/k12_graduation');
  const ninthGraders = new Set(recordsOf(state, 'cde/k12_enrollment')
    .filter((r) => r.record.grade_level === '09' && Number(r.record.academic_year?.slice(0, 4)) <= 2021)
    .map((r) => r.personId));
  const foster = new Set(state.persons.filter((p) => p.foster_youth === 'true').map((p) => p.person_id));
  const rate = (inGroup: boolean): number => {
    const cohort = [...ninthGraders].filter((id) => foster.has(id) === inGroup);
    return share(cohort.filter((id) => graduates.has(id)).length, cohort.length);
  };
  expect(rate(false)).toBeGreaterThan(0.8);
  expect(rate(true)).toBeLessThan(rate(false) - 0.15);
});

test('graduates who completed a–g go to college far more often than those who did not', () => {
  const collegeGoers = personsIn('cccco/cc_enrollment', 'csu/csu_enrollment', 'uc/uc_enrollment', 'aiccu/private_enrollment');
  const graduates = recordsOf(state, 'cde/k12_graduation').filter((r) => Number(r.record.academic_year?.slice(0, 4)) <= 2023);
  const rate = (ag: string): number => {
    const group = graduates.filter((r) => r.record.ag_complete_ind === ag);
    return share(group.filter((r) => collegeGoers.has(r.personId)).length, group.length);
  };
  expect(rate('Y')).toBeGreaterThan(0.7);
  expect(rate('N')).toBeGreaterThan(0.3);
  expect(rate('Y') - rate('N')).toBeGreaterThan(0.15);
});

test('UC students mostly finish a bachelor\'s; bachelor\'s holders earn more', () => {
  const ucStudents = new Set(recordsOf(state, 'uc/uc_enrollment')
    .filter((r) => r.record.entry_level === 'FRESHMAN' && r.record.term?.startsWith('FA') && Number(r.record.term.slice(2)) <= 2018)
    .map((r) => r.personId));
  const bachelors = personsIn('uc/uc_degrees', 'csu/csu_degrees');
  expect(share([...ucStudents].filter((id) => bachelors.has(id)).length, ucStudents.size)).toBeGreaterThan(0.65);

  const recentWages = recordsOf(state, 'edd/ui_wages').filter((r) => Number(r.record.year) >= 2023);
  const wagesOf = (withDegree: boolean): number => median(recentWages.filter((r) => bachelors.has(r.personId) === withDegree).map((r) => Number(r.record.wages)));
  expect(wagesOf(true)).toBeGreaterThan(wagesOf(false) * 1.2);
});

test('credential holders are hired as teachers and some leave', () => {
  const credentialed = personsIn('ctc/credentials');
  const staff = recordsOf(state, 'cde/k12_staff');
  const teachers = new Set(staff.map((r) => r.personId));
  expect(credentialed.size).toBeGreaterThan(20);
  expect(share([...credentialed].filter((id) => teachers.has(id)).length, credentialed.size)).toBeGreaterThan(0.5);
  expect([...teachers].every((id) => credentialed.has(id))).toBe(true);
  const lastYear = new Map<string, string>();
  for (const r of staff) if ((lastYear.get(r.personId) ?? '') < (r.record.academic_year as string)) lastYear.set(r.personId, r.record.academic_year as string);
  const left = [...lastYear.values()].filter((year) => year < '2025-26').length;
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThan(lastYear.size);
});

test('identity evidence is messy the way agencies\' is', () => {
  const wages = recordsOf(state, 'edd/ui_wages');
  // Two people reporting one SSN to employers.
  const peopleBySsn = new Map<string, Set<string>>();
  for (const { personId, record } of wages) {
    const set = peopleBySsn.get(record.ssn as string) ?? new Set<string>();
    set.add(personId);
    peopleBySsn.set(record.ssn as string, set);
  }
  expect([...peopleBySsn.values()].filter((s) => s.size > 1).length).toBeGreaterThan(0);
  // Wage records without a name.
  expect(wages.filter((r) => r.record.first_name === '' && r.record.last_name === '').length).toBeGreaterThan(0);
  // Twins: same birth date, same household, two people.
  expect(state.persons.filter((p) => p.twin === 'true').length).toBeGreaterThanOrEqual(2);

  // The same person's first name as K-12 and as employers wrote it: mostly equal, sometimes not.
  const k12First = new Map(recordsOf(state, 'cde/k12_enrollment').map((r) => [r.personId, r.record.first_name?.toUpperCase()]));
  const pairs = wages.filter((r) => r.record.first_name !== '' && k12First.has(r.personId));
  const differing = pairs.filter((r) => r.record.first_name?.toUpperCase() !== k12First.get(r.personId)).length;
  expect(share(differing, pairs.length)).toBeGreaterThan(0.02);
  expect(share(differing, pairs.length)).toBeLessThan(0.4);

  // Colleges have an SSN for most students and the K-12 SSID for some.
  const cc = recordsOf(state, 'cccco/cc_enrollment');
  expect(share(cc.filter((r) => r.record.ssn !== '').length, cc.length)).toBeGreaterThan(0.8);
  const withSsid = cc.filter((r) => r.record.ssid !== '').length;
  expect(withSsid).toBeGreaterThan(0);
  expect(withSsid).toBeLessThan(cc.length);
});

test('more noise gives more disagreement between sources', async () => {
  const mismatch = async (noise: 'low' | 'high'): Promise<number> => {
    const small = await generateState({ seed: 5, people: 3000, noise });
    try {
      const k12First = new Map(recordsOf(small, 'cde/k12_enrollment').map((r) => [r.personId, r.record.first_name]));
      const college = [...recordsOf(small, 'csu/csu_enrollment'), ...recordsOf(small, 'cccco/cc_enrollment')].filter((r) => k12First.has(r.personId));
      const bad = college.filter((r) => r.record.first_name?.toUpperCase() !== k12First.get(r.personId)).length;
      return share(bad, college.length);
    } finally {
      small.remove();
    }
  };
  expect(await mismatch('high')).toBeGreaterThan((await mismatch('low')) * 1.5);
});
