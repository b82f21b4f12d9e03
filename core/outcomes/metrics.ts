/**
 * The metric catalog: every outcome the platform publishes, in one place. A metric is a cohort
 * (the denominator: who is counted, by cohort year), an event (the numerator: who of them did
 * what, within what window), the breakdowns it may be cut by, and its caveats. The outcome cube
 * plan (cube-plan.ts) turns the catalog into SQL over the linked zone; the API and the
 * dashboards show the titles, descriptions and caveats as they are written here.
 *
 * Cohorts and events are SQL over the linked tables (core/linked/tables.ts) and the reference
 * steps of the cube plan (`counties`, `institutions`); they follow the engine-neutral rules of
 * docs/plans.md, since the cube also runs on Spark.
 */
import type { BreakdownId } from './breakdowns';

export interface CohortDefinition {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /**
   * SELECT member_id (unique), c2c_id, cohort_year (INT), anchor_date (DATE: when the window of
   * its metrics opens) and a text column per breakdown in `breakdowns`.
   */
  readonly sql: string;
  readonly breakdowns: readonly BreakdownId[];
}

export interface MetricDefinition {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly cohort: string;
  /** The numerator in words. */
  readonly event: string;
  /** The window in words. */
  readonly window: string;
  /** Years after the cohort year the data must cover before a cohort year is reported. */
  readonly followUpYears: number;
  /** From the cohort's breakdowns. */
  readonly breakdowns: readonly BreakdownId[];
  readonly caveats: readonly string[];
  /** `rate`: a count and a rate; `employment`: also the earners' annual wage percentiles. */
  readonly kind: 'rate' | 'employment';
  /**
   * SELECT member_id (each once) of the cohort's members who had the event, and for an
   * employment metric their annual wages (DOUBLE); `{cohort}` is the cohort's table.
   */
  readonly eventsSql: string;
  /**
   * The cohort whose members are exactly this metric's events (new teachers are the credential
   * holders who began teaching): the same people, so disclosure control must treat the counts as one.
   */
  readonly eventsAreCohort?: string;
}

/**
 * Metrics whose events split another's: each member counted by the whole is counted by exactly
 * one part (e.g. enrollment by the segment of the first enrollment). Disclosure control treats
 * the parts as adding up to the whole.
 */
export interface MetricPartition {
  readonly whole: string;
  readonly parts: readonly string[];
}

/** Derived tables several cohorts or metrics read, made once before them. */
export interface SharedStep {
  readonly name: string;
  readonly sql: string;
  /** Made after the cohorts, which it reads. */
  readonly readsCohorts?: boolean;
}

const yesNo = (column: string): string => `CASE WHEN ${column} THEN 'YES' ELSE 'NO' END`;
const PERSON_GROUPS = `p.race_ethnicity, p.gender, ${yesNo('p.disability')} AS disability, ${yesNo('p.foster')} AS foster, ${yesNo('p.homeless')} AS homeless`;
const institutionValue = (segment: string, code: string): string => `${segment} || ':' || ${code}`;

export const SHARED_STEPS: readonly SharedStep[] = [
  {
    name: 'annual_wages',
    sql: 'SELECT c2c_id, year, SUM(wages) AS wages FROM quarterly_wages GROUP BY c2c_id, year',
  },
  {
    // The year the data is complete through: the last year with all four quarters of wages, or
    // without wage records the last fall of enrollments.
    name: 'data_vintage',
    sql: 'SELECT COALESCE((SELECT MAX(year) FROM quarterly_wages WHERE quarter = 4), (SELECT MAX(fall_year) FROM postsecondary_enrollments)) AS last_year',
  },
  {
    name: 'first_enrollment_after_high_school',
    readsCohorts: true,
    sql: [
      'SELECT member_id, segment FROM (',
      '  SELECT c.member_id, e.segment, ROW_NUMBER() OVER (PARTITION BY c.member_id ORDER BY e.term_start ASC NULLS LAST, e.segment ASC NULLS LAST) AS n',
      '  FROM cohort_hs_graduates c JOIN postsecondary_enrollments e ON e.c2c_id = c.c2c_id',
      '  WHERE e.term_start > c.anchor_date AND e.term_start <= c.anchor_date + INTERVAL 12 MONTH',
      ') t WHERE n = 1',
    ].join('\n'),
  },
];

export const COHORTS: readonly CohortDefinition[] = [
  {
    id: 'hs_graduates',
    title: 'High-school graduates',
    description: 'Students who completed high school (diploma, certificate or proficiency exam) in the school year, counted once, at their first completion.',
    breakdowns: ['race_ethnicity', 'gender', 'disability', 'foster', 'homeless', 'region', 'county'],
    sql: [
      `SELECT g.c2c_id || ':' || CAST(g.cohort_year AS STRING) AS member_id, g.c2c_id, g.cohort_year, g.completion_date AS anchor_date, ${PERSON_GROUPS},`,
      '  COALESCE(k.county, \'UNKNOWN\') AS county, COALESCE(k.region, \'UNKNOWN\') AS region',
      'FROM (SELECT c2c_id, cohort_year, county_code, completion_date,',
      '  ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY completion_date ASC NULLS LAST, county_code ASC NULLS LAST) AS n FROM k12_graduates) g',
      'JOIN persons p ON p.c2c_id = g.c2c_id',
      'LEFT JOIN counties k ON k.county_code = g.county_code',
      'WHERE g.n = 1',
    ].join('\n'),
  },
  {
    id: 'calfresh_hs_graduates',
    title: 'High-school graduates from CalFresh households',
    description: 'High-school graduates who received CalFresh at some time during their final school year (mid-August to June).',
    breakdowns: ['race_ethnicity', 'gender', 'foster', 'homeless', 'region', 'county'],
    sql: [
      'SELECT c.member_id, c.c2c_id, c.cohort_year, c.anchor_date, c.race_ethnicity, c.gender, c.foster, c.homeless, c.region, c.county',
      'FROM cohort_hs_graduates c',
      'WHERE c.member_id IN (SELECT h.member_id FROM cohort_hs_graduates h JOIN calfresh_spells s ON s.c2c_id = h.c2c_id',
      '  WHERE s.aid_begin_date <= make_date(h.cohort_year, 6, 30) AND (s.aid_end_date IS NULL OR s.aid_end_date >= make_date(h.cohort_year - 1, 8, 15)))',
    ].join('\n'),
  },
  {
    id: 'ccc_first_time_students',
    title: 'First-time community-college students',
    description: 'Students in their first term at a California community college who had not enrolled at a four-year institution before, by the fall year of that term and the college\'s county.',
    breakdowns: ['race_ethnicity', 'gender', 'disability', 'foster', 'region', 'county'],
    sql: [
      `SELECT f.c2c_id || ':' || CAST(f.fall_year AS STRING) AS member_id, f.c2c_id, f.fall_year AS cohort_year, f.term_start AS anchor_date, ${PERSON_GROUPS.replace(`, ${yesNo('p.homeless')} AS homeless`, '')},`,
      '  COALESCE(k.county, \'UNKNOWN\') AS county, COALESCE(k.region, \'UNKNOWN\') AS region',
      'FROM (SELECT c2c_id, fall_year, term_start, institution_code,',
      '  ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY term_start ASC NULLS LAST, institution_code ASC NULLS LAST) AS n FROM postsecondary_enrollments WHERE segment = \'CCC\') f',
      'JOIN persons p ON p.c2c_id = f.c2c_id',
      'LEFT JOIN institutions i ON i.segment = \'CCC\' AND i.institution_code = f.institution_code',
      'LEFT JOIN counties k ON k.county_code = i.county_code',
      'WHERE f.n = 1 AND NOT EXISTS (SELECT 1 FROM postsecondary_enrollments e WHERE e.c2c_id = f.c2c_id AND e.segment <> \'CCC\' AND e.term_start < f.term_start)',
    ].join('\n'),
  },
  {
    id: 'university_first_time_freshmen',
    title: 'First-time freshmen at CSU and UC',
    description: 'Students entering the CSU or the UC as first-time freshmen, by the fall year of their first term, at the campus they entered.',
    breakdowns: ['race_ethnicity', 'gender', 'disability', 'foster', 'segment', 'institution'],
    sql: [
      `SELECT f.c2c_id || ':' || CAST(f.fall_year AS STRING) AS member_id, f.c2c_id, f.fall_year AS cohort_year, f.term_start AS anchor_date, ${PERSON_GROUPS.replace(`, ${yesNo('p.homeless')} AS homeless`, '')},`,
      `  f.segment, ${institutionValue('f.segment', 'f.institution_code')} AS institution`,
      'FROM (SELECT c2c_id, segment, institution_code, fall_year, term_start, entry_level,',
      '  ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY term_start ASC NULLS LAST, segment ASC NULLS LAST, institution_code ASC NULLS LAST) AS n',
      '  FROM postsecondary_enrollments WHERE segment IN (\'CSU\', \'UC\', \'PRIVATE\')) f',
      'JOIN persons p ON p.c2c_id = f.c2c_id',
      'WHERE f.n = 1 AND f.entry_level = \'FIRST_TIME\'',
    ].join('\n'),
  },
  {
    id: 'completers',
    title: 'Completers',
    description: 'People awarded a certificate, associate or bachelor\'s degree by a California college or university, by calendar year, counted once per award level at their first award of that level.',
    breakdowns: ['award_level', 'segment', 'race_ethnicity', 'gender', 'region'],
    sql: [
      'SELECT a.c2c_id || \':\' || a.award_level AS member_id, a.c2c_id, CAST(year(a.award_date) AS INT) AS cohort_year, a.award_date AS anchor_date,',
      '  a.award_level, a.segment, p.race_ethnicity, p.gender, COALESCE(k.region, \'UNKNOWN\') AS region',
      'FROM (SELECT c2c_id, award_level, award_date, segment, institution_code,',
      '  ROW_NUMBER() OVER (PARTITION BY c2c_id, award_level ORDER BY award_date ASC NULLS LAST, segment ASC NULLS LAST, institution_code ASC NULLS LAST) AS n FROM postsecondary_awards) a',
      'JOIN persons p ON p.c2c_id = a.c2c_id',
      'LEFT JOIN institutions i ON i.segment = a.segment AND i.institution_code = a.institution_code',
      'LEFT JOIN counties k ON k.county_code = i.county_code',
      'WHERE a.n = 1',
    ].join('\n'),
  },
  {
    id: 'new_credential_holders',
    title: 'New teaching credential holders',
    description: 'People issued their first preliminary or intern teaching credential (multiple subject, single subject or education specialist), by the school year (July–June, fall year) of issue.',
    breakdowns: ['credential_type', 'race_ethnicity', 'gender'],
    sql: [
      'SELECT c.c2c_id || \':\' || CAST(c.cohort_year AS STRING) AS member_id, c.c2c_id, c.cohort_year, c.issue_date AS anchor_date, c.credential_type, p.race_ethnicity, p.gender',
      'FROM (SELECT c2c_id, credential_type, issue_date, CAST(year(issue_date) - CASE WHEN month(issue_date) < 7 THEN 1 ELSE 0 END AS INT) AS cohort_year,',
      '  ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY issue_date ASC NULLS LAST, credential_type ASC NULLS LAST) AS n FROM credentials',
      '  WHERE document_type IN (\'PRELIMINARY\', \'INTERN\') AND credential_type IN (\'MULTIPLE_SUBJECT\', \'SINGLE_SUBJECT\', \'EDUCATION_SPECIALIST\')) c',
      'JOIN persons p ON p.c2c_id = c.c2c_id',
      'WHERE c.n = 1',
    ].join('\n'),
  },
  {
    id: 'new_teachers',
    title: 'New teachers',
    description: 'New teaching credential holders who were teaching in a California public school in the school year of their credential or the next, by the region and county of their first teaching district.',
    breakdowns: ['credential_type', 'race_ethnicity', 'gender', 'region', 'county'],
    sql: [
      'SELECT member_id, c2c_id, cohort_year, anchor_date, credential_type, race_ethnicity, gender, county, region FROM (',
      '  SELECT h.member_id, h.c2c_id, h.cohort_year, h.anchor_date, h.credential_type, h.race_ethnicity, h.gender,',
      '    COALESCE(k.county, \'UNKNOWN\') AS county, COALESCE(k.region, \'UNKNOWN\') AS region,',
      '    ROW_NUMBER() OVER (PARTITION BY h.member_id ORDER BY s.fall_year ASC NULLS LAST, s.county_code ASC NULLS LAST) AS n',
      '  FROM cohort_new_credential_holders h',
      '  JOIN k12_staff_assignments s ON s.c2c_id = h.c2c_id AND s.job_classification = \'TEACHER\' AND s.fall_year BETWEEN h.cohort_year AND h.cohort_year + 1',
      '  LEFT JOIN counties k ON k.county_code = s.county_code',
      ') t WHERE n = 1',
    ].join('\n'),
  },
  {
    id: 'cal_grant_recipients',
    title: 'Cal Grant recipients',
    description: 'Students paid a Cal Grant for the first time, by that award year (fall year), with the grant type and the segment of that first payment.',
    breakdowns: ['grant_type', 'segment', 'race_ethnicity', 'gender'],
    sql: [
      'SELECT g.c2c_id || \':\' || CAST(g.fall_year AS STRING) AS member_id, g.c2c_id, g.fall_year AS cohort_year, make_date(g.fall_year, 7, 1) AS anchor_date,',
      '  g.grant_type, g.segment, p.race_ethnicity, p.gender',
      'FROM (SELECT c2c_id, fall_year, grant_type, segment, ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY fall_year ASC NULLS LAST, grant_type ASC NULLS LAST, segment ASC NULLS LAST) AS n FROM cal_grant_awards) g',
      'JOIN persons p ON p.c2c_id = g.c2c_id',
      'WHERE g.n = 1',
    ].join('\n'),
  },
];

const ENROLLMENT_SEGMENTS = [['ccc', 'CCC', 'a California community college'], ['csu', 'CSU', 'the California State University'], ['uc', 'UC', 'the University of California'], ['private', 'PRIVATE', 'a private (AICCU) college or university']] as const;
const HS_GROUPS: readonly BreakdownId[] = ['race_ethnicity', 'gender', 'disability', 'foster', 'homeless', 'region', 'county'];
const PARTIAL_RECORDS = 'Students who enrolled out of state or at a college that does not report to the system count as not enrolled.';

const employment = (years: 1 | 3 | 5): MetricDefinition => ({
  id: `employment_wages_${years}y`,
  title: `Employment and annual wages ${years} year${years > 1 ? 's' : ''} after completion`,
  description: `Of the people who completed an award in a year, the share with wages reported to California's unemployment insurance program in the calendar year ${years} year${years > 1 ? 's' : ''} later, and the 25th percentile, median and 75th percentile of their annual wages.`,
  cohort: 'completers',
  event: 'Had UI-covered wages in the calendar year',
  window: `Calendar year ${years} after the year of the award`,
  followUpYears: years,
  breakdowns: ['award_level', 'segment', 'race_ethnicity', 'gender', 'region'],
  caveats: [
    'UI wage records miss self-employment, federal and military jobs, and work outside California: the employment rate is a lower bound.',
    'Annual wages are the sum of all employers\' quarterly wages in the year, in nominal dollars; part-year and part-time work is included.',
  ],
  kind: 'employment',
  eventsSql: `SELECT c.member_id, w.wages FROM {cohort} c JOIN annual_wages w ON w.c2c_id = c.c2c_id AND w.year = c.cohort_year + ${years} WHERE w.wages > 0`,
});

export const METRICS: readonly MetricDefinition[] = [
  {
    id: 'hs_college_going_12m',
    title: 'College-going within 12 months of high school',
    description: 'Of the students who completed high school in the school year, the share who enrolled at any California college or university within 12 months.',
    cohort: 'hs_graduates', event: 'Enrolled in a term starting after completion', window: '12 months after the completion date', followUpYears: 1,
    breakdowns: HS_GROUPS, caveats: [PARTIAL_RECORDS], kind: 'rate',
    eventsSql: 'SELECT member_id FROM first_enrollment_after_high_school',
  },
  ...ENROLLMENT_SEGMENTS.map(([suffix, segment, name]): MetricDefinition => ({
    id: `hs_college_going_12m_${suffix}`,
    title: `College-going within 12 months of high school: ${segment}`,
    description: `Of the students who completed high school in the school year, the share whose first enrollment within 12 months was at ${name}.`,
    cohort: 'hs_graduates', event: `First enrollment within the window was at ${segment}`, window: '12 months after the completion date', followUpYears: 1,
    breakdowns: HS_GROUPS, caveats: [PARTIAL_RECORDS, 'A student is counted in the segment of the first term they enrolled in; the four segments add up to all college-going.'], kind: 'rate',
    eventsSql: `SELECT member_id FROM first_enrollment_after_high_school WHERE segment = '${segment}'`,
  })),
  {
    id: 'ccc_transfer_3y',
    title: 'Community-college transfer within 3 years',
    description: 'Of the first-time community-college students of a fall year, the share who enrolled at a four-year institution (CSU, UC or private) within 3 years of their first term.',
    cohort: 'ccc_first_time_students', event: 'Enrolled at CSU, UC or a private four-year institution', window: '3 years after the first community-college term', followUpYears: 3,
    breakdowns: ['race_ethnicity', 'gender', 'disability', 'foster', 'region', 'county'],
    caveats: ['Every first-time student counts, whatever their goal; many enroll for a certificate or a few courses.', PARTIAL_RECORDS], kind: 'rate',
    eventsSql: [
      'SELECT DISTINCT c.member_id FROM {cohort} c JOIN postsecondary_enrollments e ON e.c2c_id = c.c2c_id',
      'WHERE e.segment IN (\'CSU\', \'UC\', \'PRIVATE\') AND e.term_start > c.anchor_date AND e.term_start <= c.anchor_date + INTERVAL 36 MONTH',
    ].join('\n'),
  },
  {
    id: 'bachelor_completion_6y',
    title: 'Bachelor\'s degree within 6 years',
    description: 'Of the first-time freshmen entering the CSU or the UC in a fall, the share awarded a bachelor\'s degree by any California institution within 6 years.',
    cohort: 'university_first_time_freshmen', event: 'Awarded a bachelor\'s degree', window: '6 years after the first term', followUpYears: 6,
    breakdowns: ['race_ethnicity', 'gender', 'disability', 'foster', 'segment', 'institution'],
    caveats: ['Degrees from institutions outside California are not in the data.', 'Disability and foster status come from K-12 and community-college records; students without them count as NO.'], kind: 'rate',
    eventsSql: [
      'SELECT DISTINCT c.member_id FROM {cohort} c JOIN postsecondary_awards a ON a.c2c_id = c.c2c_id',
      'WHERE a.award_level = \'BACHELOR\' AND a.award_date > c.anchor_date AND a.award_date <= c.anchor_date + INTERVAL 72 MONTH',
    ].join('\n'),
  },
  employment(1),
  employment(3),
  employment(5),
  {
    id: 'teacher_employed_1y',
    title: 'New credential holders teaching within a year',
    description: 'Of the people issued their first teaching credential in a school year, the share teaching in a California public school in that school year or the next.',
    cohort: 'new_credential_holders', event: 'Assigned as a teacher in a California public school', window: 'The school year of the credential and the next', followUpYears: 1,
    breakdowns: ['credential_type', 'race_ethnicity', 'gender'],
    caveats: ['Private-school and out-of-state teaching are not in the data.'], kind: 'rate',
    eventsSql: 'SELECT member_id FROM cohort_new_teachers',
    eventsAreCohort: 'new_teachers',
  },
  ...([3, 5] as const).map((years): MetricDefinition => ({
    id: `teacher_retention_${years}y`,
    title: `New teachers still teaching after ${years} years`,
    description: `Of the new credential holders who began teaching within a year, the share teaching in a California public school ${years} school years after the year of their credential.`,
    cohort: 'new_teachers', event: 'Assigned as a teacher in a California public school', window: `The school year ${years} years after the credential's`, followUpYears: years,
    breakdowns: ['credential_type', 'race_ethnicity', 'gender', 'region', 'county'],
    caveats: ['A teacher who left and came back by that year counts as teaching; one who moved to administration does not.'], kind: 'rate',
    eventsSql: `SELECT DISTINCT c.member_id FROM {cohort} c JOIN k12_staff_assignments s ON s.c2c_id = c.c2c_id AND s.job_classification = 'TEACHER' AND s.fall_year = c.cohort_year + ${years}`,
  })),
  {
    id: 'cal_grant_completion_6y',
    title: 'Cal Grant recipients completing a degree within 6 years',
    description: 'Of the students first paid a Cal Grant in an award year, the share awarded an associate or bachelor\'s degree within 6 years.',
    cohort: 'cal_grant_recipients', event: 'Awarded an associate or bachelor\'s degree', window: 'July of the first award year to the end of August six years later', followUpYears: 6,
    breakdowns: ['grant_type', 'segment', 'race_ethnicity', 'gender'],
    caveats: ['Degrees from institutions outside California are not in the data.'], kind: 'rate',
    eventsSql: [
      'SELECT DISTINCT c.member_id FROM {cohort} c JOIN postsecondary_awards a ON a.c2c_id = c.c2c_id',
      'WHERE a.award_level IN (\'ASSOCIATE\', \'BACHELOR\') AND a.award_date >= c.anchor_date AND a.award_date < make_date(c.cohort_year + 6, 9, 1)',
    ].join('\n'),
  },
  {
    id: 'calfresh_college_going_12m',
    title: 'College-going of CalFresh high-school graduates',
    description: 'Of the high-school graduates whose households received CalFresh in their final school year, the share who enrolled at any California college or university within 12 months.',
    cohort: 'calfresh_hs_graduates', event: 'Enrolled in a term starting after completion', window: '12 months after the completion date', followUpYears: 1,
    breakdowns: ['race_ethnicity', 'gender', 'foster', 'homeless', 'region', 'county'],
    caveats: [PARTIAL_RECORDS, 'CalFresh participation is of the student\'s case; household members on another case are not seen.'], kind: 'rate',
    eventsSql: 'SELECT c.member_id FROM {cohort} c JOIN first_enrollment_after_high_school f ON f.member_id = c.member_id',
  },
];

export const METRIC_PARTITIONS: readonly MetricPartition[] = [
  { whole: 'hs_college_going_12m', parts: ENROLLMENT_SEGMENTS.map(([suffix]) => `hs_college_going_12m_${suffix}`) },
];

export class MetricCatalogError extends Error {}

export function metricById(id: string): MetricDefinition {
  const metric = METRICS.find((m) => m.id === id);
  if (!metric) throw new MetricCatalogError(`no metric ${id}; the catalog has ${METRICS.map((m) => m.id).join(', ')}`);
  return metric;
}

/** Problems with the catalog's own consistency; the tests require none. */
export function catalogProblems(): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const metric of METRICS) {
    if (ids.has(metric.id)) problems.push(`metric ${metric.id} is defined twice`);
    ids.add(metric.id);
    const cohort = COHORTS.find((c) => c.id === metric.cohort);
    if (!cohort) {
      problems.push(`metric ${metric.id} names cohort ${metric.cohort}, which the catalog does not define`);
      continue;
    }
    const missing = metric.breakdowns.filter((b) => !cohort.breakdowns.includes(b));
    if (missing.length > 0) problems.push(`metric ${metric.id} is broken down by ${missing.join(', ')}, which cohort ${cohort.id} does not have`);
    if (!metric.eventsSql.includes('member_id')) problems.push(`metric ${metric.id}: eventsSql must select member_id`);
  }
  for (const partition of METRIC_PARTITIONS) {
    const whole = METRICS.find((m) => m.id === partition.whole);
    for (const part of partition.parts) {
      const metric = METRICS.find((m) => m.id === part);
      if (!metric || !whole) problems.push(`partition of ${partition.whole} names a metric not in the catalog: ${metric ? partition.whole : part}`);
      else if (metric.cohort !== whole.cohort || metric.breakdowns.join() !== whole.breakdowns.join() || metric.followUpYears !== whole.followUpYears) {
        problems.push(`partition part ${part} must have the cohort, breakdowns and follow-up of ${partition.whole}`);
      }
    }
  }
  return problems;
}
