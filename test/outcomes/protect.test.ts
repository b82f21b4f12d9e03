/**
 * Disclosure control of the cube: small counts and small complements hidden, enough more hidden
 * that no published count gives them away (checked here by an independent LP audit of the
 * published table), rates and wages hidden with their counts, sparse breakdowns withheld.
 */
import { auditSuppression, type Equation } from '../../core/disclosure';
import { BREAKDOWN_IDS, type BreakdownId } from '../../core/outcomes/breakdowns';
import { metricById } from '../../core/outcomes/metrics';
import { DisclosureControlError, protectCube, type CubeRow, type ProtectedRow } from '../../core/outcomes/protect';

function row(metricId: string, groups: Partial<Record<BreakdownId, string>>, cohort: number, events: number, wages: number | null = null): CubeRow {
  const metric = metricById(metricId);
  const grouped = metric.breakdowns.filter((b) => groups[b] !== undefined);
  return {
    metric_id: metricId, cohort_year: 2020, grouping_set: grouped.join(','),
    ...Object.fromEntries(BREAKDOWN_IDS.map((b) => [b, groups[b] ?? null])) as Record<BreakdownId, string | null>,
    cohort_count: cohort, event_count: events, rate: events / cohort,
    wage_p25: wages, wage_median: wages, wage_p75: wages,
  };
}

/** Gender × county, with the counties' regions: Alameda and Contra Costa in the Bay Area, Fresno in the Southern San Joaquin Valley. */
const CELLS: ReadonlyArray<readonly [gender: string, county: string, cohort: number, events: number]> = [
  ['F', 'Alameda', 40, 12], ['F', 'Contra Costa', 7, 2], ['F', 'Fresno', 55, 20],
  ['M', 'Alameda', 38, 30], ['M', 'Contra Costa', 30, 25], ['M', 'Fresno', 45, 40],
];
const REGION: Readonly<Record<string, string>> = { Alameda: 'San Francisco Bay Area', 'Contra Costa': 'San Francisco Bay Area', Fresno: 'Southern San Joaquin Valley' };

/** Every cell of the cube for ccc_transfer_3y over gender, county and region: the margins summed from CELLS. */
function transferCube(): CubeRow[] {
  const sums = new Map<string, { groups: Partial<Record<BreakdownId, string>>; cohort: number; events: number }>();
  for (const [gender, county, cohort, events] of CELLS) {
    const region = REGION[county] as string;
    for (const groups of [{}, { gender }, { county, region: undefined }, { region }, { gender, county }, { gender, region }] as Array<Partial<Record<BreakdownId, string>>>) {
      const clean = Object.fromEntries(Object.entries(groups).filter(([, v]) => v !== undefined)) as Partial<Record<BreakdownId, string>>;
      const key = JSON.stringify(clean);
      const sum = sums.get(key) ?? { groups: clean, cohort: 0, events: 0 };
      sum.cohort += cohort;
      sum.events += events;
      sums.set(key, sum);
    }
  }
  return [...sums.values()].map((s) => row('ccc_transfer_3y', s.groups, s.cohort, s.events));
}

const published = (r: ProtectedRow, measure: 'cohort_count' | 'event_count'): boolean => r[`${measure}_suppressed`] === null;

test('no published count is from 1 to 10; a count whose complement is that small is hidden too; rates go with their counts', async () => {
  const { rows, summary } = await protectCube(transferCube(), { maxPrimaryShare: 1 });
  expect(summary.auditPassed).toBe(true);
  for (const r of rows) {
    if (published(r, 'cohort_count')) expect(r.cohort_count === 0 || r.cohort_count >= 11).toBe(true);
    if (published(r, 'event_count')) {
      expect(r.event_count === 0 || r.event_count >= 11).toBe(true);
      const complement = r.cohort_count - r.event_count;
      expect(complement === 0 || complement >= 11).toBe(true);
    }
    expect(r.rate_suppressed === null).toBe(published(r, 'cohort_count') && published(r, 'event_count'));
  }
  const contraCostaWomen = rows.find((r) => r.grouping_set === 'gender,county' && r.gender === 'F' && r.county === 'Contra Costa');
  expect(contraCostaWomen).toMatchObject({ cohort_count_suppressed: 'small_count', event_count_suppressed: 'small_count', rate_suppressed: 'small_count' });
  // Fresno men: 45 in the cohort, 40 transferred: the 5 who did not are too few.
  expect(rows.find((r) => r.grouping_set === 'gender,county' && r.gender === 'M' && r.county === 'Fresno')).toMatchObject({ cohort_count_suppressed: null, event_count_suppressed: 'small_complement' });
  expect(summary.secondaryCells).toBeGreaterThan(0);
});

test('an attacker with every published count and the table\'s sums cannot narrow a hidden small count to less than 11 (independent LP audit)', async () => {
  const cube = transferCube();
  const { rows } = await protectCube(cube, { maxPrimaryShare: 1 });
  // The cohort counts as the attacker sees them: gender × county cells add up to gender × region, county and region cells, and so on.
  const key = (r: CubeRow, drop?: BreakdownId, parentOf?: BreakdownId): string => {
    const groups = Object.fromEntries(BREAKDOWN_IDS.filter((b) => r[b] !== null && b !== drop).map((b) => [b, r[b]]));
    if (parentOf === 'county') groups.region = REGION[r.county as string] as string;
    return JSON.stringify(Object.entries(groups).sort());
  };
  const index = new Map(cube.map((r, i) => [key(r), i]));
  const equations: Equation[] = [];
  const sums = new Map<string, number[]>();
  cube.forEach((r, i) => {
    for (const b of r.grouping_set.split(',').filter((x) => x !== '') as BreakdownId[]) {
      const above = index.get(key(r, b, b === 'county' ? 'county' : undefined)) as number;
      sums.set(`${above}:${b}`, [...(sums.get(`${above}:${b}`) ?? []), i]);
    }
  });
  for (const [id, parts] of sums) equations.push({ total: Number(id.split(':')[0]), parts });
  const hidden = rows.flatMap((r, i) => (published(r, 'cohort_count') ? [] : [i]));
  const small = rows.flatMap((r, i) => (r.cohort_count >= 1 && r.cohort_count < 11 ? [{ cell: i, protection: 11 }] : []));
  expect(small.length).toBeGreaterThan(0);
  const audit = await auditSuppression({ values: cube.map((r) => r.cohort_count), equations }, hidden, small);
  expect({ passed: audit.passed, underProtected: audit.underProtected }).toEqual({ passed: true, underProtected: [] });
  for (const { cell } of small) {
    const interval = audit.intervals.find((x) => x.cell === cell);
    expect((interval?.max ?? 0) - (interval?.min ?? 0)).toBeGreaterThanOrEqual(11);
  }
});

test('an event count of zero stays published, even when its cohort count is small (the cohort count is protected itself)', async () => {
  // 3 credential holders of unknown gender, none teaching: the complement is the 3 themselves.
  const cube = [
    row('teacher_employed_1y', {}, 403, 311), row('teacher_employed_1y', { gender: 'F' }, 230, 180),
    row('teacher_employed_1y', { gender: 'M' }, 170, 131), row('teacher_employed_1y', { gender: 'UNKNOWN' }, 3, 0),
  ];
  const { rows, summary } = await protectCube(cube, { maxPrimaryShare: 1 });
  expect(summary.auditPassed).toBe(true);
  expect(rows.find((r) => r.gender === 'UNKNOWN')).toMatchObject({ cohort_count_suppressed: 'small_count', event_count_suppressed: null, rate_suppressed: 'small_count' });
});

test('wage percentiles are published only for enough earners whose count is published', async () => {
  const cube = [
    row('employment_wages_1y', {}, 300, 250, 40000),
    row('employment_wages_1y', { award_level: 'BACHELOR' }, 200, 180, 50000),
    row('employment_wages_1y', { award_level: 'ASSOCIATE' }, 92, 66, 30000),
    row('employment_wages_1y', { award_level: 'CERTIFICATE' }, 8, 4, 20000),
  ];
  const { rows } = await protectCube(cube, { maxPrimaryShare: 1 });
  const byLevel = new Map(rows.map((r) => [r.award_level ?? 'all', r]));
  expect(byLevel.get('CERTIFICATE')).toMatchObject({ wages_suppressed: 'few_earners', event_count_suppressed: 'small_count' });
  // The certificate cell is hidden, so one more award level must be, and its wages with its earners.
  const hiddenLevels = ['BACHELOR', 'ASSOCIATE'].filter((level) => byLevel.get(level)?.cohort_count_suppressed !== null);
  expect(hiddenLevels.length).toBeGreaterThanOrEqual(1);
  expect(byLevel.get('all')).toMatchObject({ cohort_count_suppressed: null, event_count_suppressed: null, wages_suppressed: null });
});

test('a breakdown whose counts are mostly too small is withheld, with every finer breakdown, and the total still published', async () => {
  const cube = transferCube();
  // gender × county: 5 of its 12 counts are too small (one cohort count, one event count, three small complements): over 0.3.
  // county alone: 1 of 6 (Contra Costa's 10 who did not transfer); gender × region: 1 of 8.
  const sparse = await protectCube(cube, { maxPrimaryShare: 0.3 });
  expect(sparse.withheld).toEqual([{ metric_id: 'ccc_transfer_3y', cohort_year: 2020, grouping_set: 'gender,county', reason: 'sparse' }]);
  expect(sparse.rows.some((r) => r.grouping_set === 'gender,county')).toBe(false);
  expect(sparse.summary.withheldRows).toBe(6);
  // A set finer than a withheld one is withheld even when its own counts are large enough.
  const onlyCounty = await protectCube(cube.map((r) => (r.grouping_set === 'gender,county' ? { ...r, cohort_count: r.cohort_count + 100, event_count: r.event_count + 50 } : r)), { maxPrimaryShare: 0.1 });
  expect(onlyCounty.withheld.find((w) => w.grouping_set === 'gender,county')?.reason).toBe('finer_than_sparse');
  // At 0.1, county alone (1 of 6) and gender × region (1 of 8) are sparse too.
  const stricter = await protectCube(cube, { maxPrimaryShare: 0.1 });
  expect(new Map(stricter.withheld.map((w) => [w.grouping_set, w.reason]))).toEqual(new Map([['county', 'sparse'], ['gender,county', 'sparse'], ['gender,region', 'sparse']]));
  expect(stricter.rows.find((r) => r.grouping_set === '')).toMatchObject({ cohort_count_suppressed: null, event_count_suppressed: null });
  expect(stricter.rows.map((r) => r.grouping_set).sort()).toEqual(['', 'gender', 'gender', 'region', 'region']);
});

test('two metrics of one cohort that disagree on a count are an error that names no count', async () => {
  const cube = [row('hs_college_going_12m', {}, 120, 80), row('hs_college_going_12m_ccc', {}, 121, 40)];
  const error = await protectCube(cube).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DisclosureControlError);
  expect((error as Error).message).toMatch(/two counts for one cell \(hs_college_going_12m_ccc total, population cohort:hs_graduates, year 2020\)/);
  expect((error as Error).message).not.toMatch(/12[01]/);
  await expect(protectCube([{ ...row('ccc_transfer_3y', {}, 1, 1), metric_id: 'nope' }])).rejects.toThrow('the cube has rows of nope, which the metric catalog does not define');
});
