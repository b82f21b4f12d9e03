/**
 * The de-identified person-level tables of the linked zone: each partner fact keyed by the
 * person's c2c_id, with no names, SSNs, birth dates or source ids, and codes harmonized across
 * partners (race/ethnicity, segments, award levels, term dates). docs/linked.md describes them;
 * the outcome cube (core/outcomes) reads nothing else.
 *
 * Each table is declared once: its columns, typed, and for each contributing dataset the SQL
 * expression of each column over that dataset's raw rows (alias `r`). plan.ts turns the
 * declarations into steps; a table whose datasets are all absent is empty, with its columns.
 */

export type LinkedColumnType = 'STRING' | 'INT' | 'DOUBLE' | 'DATE' | 'BOOLEAN';

export interface LinkedColumn {
  readonly name: string;
  readonly type: LinkedColumnType;
  readonly description: string;
}

export interface LinkedSource {
  /** The partner dataset's contract id. */
  readonly contract: string;
  /** An SQL expression over the raw row `r` for every column but c2c_id. */
  readonly values: Readonly<Record<string, string>>;
  readonly where?: string;
}

export interface LinkedTable {
  readonly name: string;
  readonly description: string;
  /** The columns after c2c_id. */
  readonly columns: readonly LinkedColumn[];
  readonly sources: readonly LinkedSource[];
  /**
   * The table from its sources' distinct rows (a table named `<name>_rows`), where one fact has
   * several rows; without it the distinct rows are the table.
   */
  readonly finish?: (rows: string) => string;
}

/** Harmonized race/ethnicity: the federal categories with Filipino apart, as California reports them. */
export const RACE_ETHNICITY = ['HISPANIC', 'AMERICAN_INDIAN', 'ASIAN', 'FILIPINO', 'PACIFIC_ISLANDER', 'BLACK', 'WHITE', 'TWO_OR_MORE', 'UNKNOWN'] as const;

/** A term's first day: fall Aug 25, winter Jan 5, spring Jan 22, summer Jun 15 (the calendar the partners share). */
function termStart(year: string, season: string): string {
  return `make_date(${year}, CASE ${season} WHEN 'FA' THEN 8 WHEN 'WI' THEN 1 WHEN 'SP' THEN 1 ELSE 6 END, ` +
    `CASE ${season} WHEN 'FA' THEN 25 WHEN 'WI' THEN 5 WHEN 'SP' THEN 22 ELSE 15 END)`;
}

/** The fall year of a term: fall terms start the school year, the others end it. */
function fallYear(year: string, season: string): string {
  return `CASE ${season} WHEN 'FA' THEN ${year} ELSE ${year} - 1 END`;
}

/** `2019-20` → 2019. */
const schoolFallYear = (column: string): string => `CAST(substr(${column}, 1, 4) AS INT)`;

/** CSU term codes: `2` + two-digit year + 8 fall, 2 spring, 4 summer. */
const CSU_YEAR = '(2000 + CAST(substr(r.term_code, 2, 2) AS INT))';
const CSU_SEASON = "CASE substr(r.term_code, 4, 1) WHEN '8' THEN 'FA' WHEN '2' THEN 'SP' ELSE 'SU' END";
/** CCC term codes: `2019FA`; UC's: `FA2019`. */
const CCC_YEAR = 'CAST(substr(r.term_code, 1, 4) AS INT)';
const CCC_SEASON = 'substr(r.term_code, 5, 2)';
const UC_YEAR = 'CAST(substr(r.term, 3, 4) AS INT)';
const UC_SEASON = 'substr(r.term, 1, 2)';

const IPEDS_RACE = "CASE r.ethnicity WHEN 'HISPANIC' THEN 'HISPANIC' WHEN 'WHITE' THEN 'WHITE' WHEN 'BLACK' THEN 'BLACK' WHEN 'ASIAN' THEN 'ASIAN' " +
  "WHEN 'AMERICAN_INDIAN' THEN 'AMERICAN_INDIAN' WHEN 'PACIFIC_ISLANDER' THEN 'PACIFIC_ISLANDER' WHEN 'TWO_OR_MORE' THEN 'TWO_OR_MORE' ELSE 'UNKNOWN' END";

/** CALPADS: Hispanic ethnicity first, then two race codes means two or more, then the first code's group. */
const CALPADS_RACE = [
  "CASE WHEN r.hispanic_ind THEN 'HISPANIC'",
  "WHEN r.race_code_2 IS NOT NULL AND r.race_code_2 <> r.race_code_1 THEN 'TWO_OR_MORE'",
  "WHEN r.race_code_1 = '100' THEN 'AMERICAN_INDIAN'",
  "WHEN substr(r.race_code_1, 1, 1) = '2' THEN 'ASIAN'",
  "WHEN substr(r.race_code_1, 1, 1) = '3' THEN 'PACIFIC_ISLANDER'",
  "WHEN r.race_code_1 = '400' THEN 'FILIPINO'",
  "WHEN r.race_code_1 = '600' THEN 'BLACK'",
  "WHEN r.race_code_1 = '700' THEN 'WHITE'",
  "ELSE 'UNKNOWN' END",
].join(' ');

const CCC_RACE = "CASE r.ethnicity WHEN 'H' THEN 'HISPANIC' WHEN 'W' THEN 'WHITE' WHEN 'B' THEN 'BLACK' WHEN 'A' THEN 'ASIAN' WHEN 'F' THEN 'FILIPINO' " +
  "WHEN 'N' THEN 'AMERICAN_INDIAN' WHEN 'P' THEN 'PACIFIC_ISLANDER' WHEN 'T' THEN 'TWO_OR_MORE' ELSE 'UNKNOWN' END";

const UC_RACE = "CASE r.ethnicity WHEN 'CHICANX_LATINX' THEN 'HISPANIC' WHEN 'WHITE' THEN 'WHITE' WHEN 'AFRICAN_AMERICAN' THEN 'BLACK' WHEN 'ASIAN' THEN 'ASIAN' " +
  "WHEN 'FILIPINX' THEN 'FILIPINO' WHEN 'AMERICAN_INDIAN' THEN 'AMERICAN_INDIAN' WHEN 'PACIFIC_ISLANDER' THEN 'PACIFIC_ISLANDER' WHEN 'TWO_OR_MORE' THEN 'TWO_OR_MORE' ELSE 'UNKNOWN' END";

const AICCU_RACE = IPEDS_RACE.replace('r.ethnicity', 'r.race_ethnicity');

/**
 * Person attributes as each dataset reports them, with the dataset's rank (1 first): K-12 is
 * the most complete and earliest source of race and of the student flags.
 */
export const PERSON_ATTRIBUTE_REPORTS: LinkedTable = {
  name: 'person_attribute_reports',
  description: 'Race/ethnicity and the disability, foster and homeless flags as each dataset reports them (a step of persons).',
  columns: [
    { name: 'source_rank', type: 'INT', description: '' },
    { name: 'race_ethnicity', type: 'STRING', description: '' },
    { name: 'disability', type: 'BOOLEAN', description: '' },
    { name: 'foster', type: 'BOOLEAN', description: '' },
    { name: 'homeless', type: 'BOOLEAN', description: '' },
  ],
  sources: [
    { contract: 'cde/k12_enrollment', values: { source_rank: '1', race_ethnicity: CALPADS_RACE, disability: 'r.swd_ind', foster: 'r.foster_ind', homeless: 'r.homeless_ind' } },
    { contract: 'cccco/cc_enrollment', values: { source_rank: '2', race_ethnicity: CCC_RACE, disability: 'r.dsps_ind', foster: 'r.foster_youth_ind', homeless: 'NULL' } },
    { contract: 'uc/uc_enrollment', values: { source_rank: '3', race_ethnicity: UC_RACE, disability: 'NULL', foster: 'NULL', homeless: 'NULL' } },
    { contract: 'csu/csu_enrollment', values: { source_rank: '4', race_ethnicity: IPEDS_RACE, disability: 'NULL', foster: 'NULL', homeless: 'NULL' } },
    { contract: 'aiccu/private_enrollment', values: { source_rank: '5', race_ethnicity: AICCU_RACE, disability: 'NULL', foster: 'NULL', homeless: 'NULL' } },
  ],
};

export const LINKED_TABLES: readonly LinkedTable[] = [
  {
    name: 'k12_graduates',
    description: 'High-school completers, one row per completion.',
    columns: [
      { name: 'cohort_year', type: 'INT', description: 'Spring year of the school year of completion (2019-20 → 2020).' },
      { name: 'county_code', type: 'STRING', description: 'CDS county code of the school.' },
      { name: 'school_code', type: 'STRING', description: 'CDS code of the school.' },
      { name: 'completion_type', type: 'STRING', description: 'STANDARD_DIPLOMA, SPED_CERTIFICATE or CHSPE.' },
      { name: 'completion_date', type: 'DATE', description: 'Date of completion.' },
      { name: 'ag_complete', type: 'BOOLEAN', description: 'UC/CSU a–g requirements met.' },
    ],
    sources: [{
      contract: 'cde/k12_graduation',
      values: { cohort_year: `${schoolFallYear('r.academic_year')} + 1`, county_code: 'r.county_code', school_code: 'r.school_code', completion_type: 'r.completion_type', completion_date: 'r.completion_date', ag_complete: 'r.ag_complete_ind' },
    }],
  },
  {
    name: 'postsecondary_enrollments',
    description: 'Terms enrolled at a California college or university, one row per person, institution and term.',
    columns: [
      { name: 'segment', type: 'STRING', description: 'CCC, CSU, UC or PRIVATE.' },
      { name: 'institution_code', type: 'STRING', description: 'The segment\'s code of the college or campus.' },
      { name: 'term_start', type: 'DATE', description: 'First day of the term (private institutions report school years: fall).' },
      { name: 'fall_year', type: 'INT', description: 'Fall year of the school year the term belongs to.' },
      { name: 'entry_level', type: 'STRING', description: 'FIRST_TIME or TRANSFER on a student\'s entry term where the segment reports it (CSU, UC), CONTINUING after; NULL otherwise.' },
    ],
    sources: [
      { contract: 'cccco/cc_enrollment', values: { segment: "'CCC'", institution_code: 'r.college_code', term_start: termStart(CCC_YEAR, CCC_SEASON), fall_year: fallYear(CCC_YEAR, CCC_SEASON), entry_level: 'NULL' } },
      {
        contract: 'csu/csu_enrollment',
        values: {
          segment: "'CSU'", institution_code: 'r.campus_code', term_start: termStart(CSU_YEAR, CSU_SEASON), fall_year: fallYear(CSU_YEAR, CSU_SEASON),
          entry_level: "CASE r.student_level WHEN 'FIRST_TIME_FRESHMAN' THEN 'FIRST_TIME' WHEN 'TRANSFER' THEN 'TRANSFER' ELSE 'CONTINUING' END",
        },
      },
      {
        contract: 'uc/uc_enrollment',
        values: {
          segment: "'UC'", institution_code: 'r.campus', term_start: termStart(UC_YEAR, UC_SEASON), fall_year: fallYear(UC_YEAR, UC_SEASON),
          entry_level: "CASE r.entry_level WHEN 'FRESHMAN' THEN 'FIRST_TIME' ELSE 'TRANSFER' END",
        },
      },
      {
        contract: 'aiccu/private_enrollment',
        values: { segment: "'PRIVATE'", institution_code: 'r.ipeds_unit_id', term_start: termStart(schoolFallYear('r.academic_year'), "'FA'"), fall_year: schoolFallYear('r.academic_year'), entry_level: 'NULL' },
      },
    ],
  },
  {
    name: 'postsecondary_awards',
    description: 'Certificates and degrees awarded, one row per award.',
    columns: [
      { name: 'segment', type: 'STRING', description: 'CCC, CSU, UC or PRIVATE.' },
      { name: 'institution_code', type: 'STRING', description: 'The segment\'s code of the college or campus.' },
      { name: 'award_level', type: 'STRING', description: 'CERTIFICATE, ASSOCIATE or BACHELOR.' },
      { name: 'award_type', type: 'STRING', description: 'The segment\'s own award code (AA-T, CERT_30_59, BS, ...).' },
      { name: 'award_date', type: 'DATE', description: 'Date awarded.' },
    ],
    sources: [
      { contract: 'cccco/cc_awards', values: { segment: "'CCC'", institution_code: 'r.college_code', award_level: "CASE WHEN substr(r.award_type, 1, 4) = 'CERT' THEN 'CERTIFICATE' ELSE 'ASSOCIATE' END", award_type: 'r.award_type', award_date: 'r.award_date' } },
      { contract: 'csu/csu_degrees', values: { segment: "'CSU'", institution_code: 'r.campus_code', award_level: "'BACHELOR'", award_type: 'r.degree_level', award_date: 'r.degree_date' } },
      { contract: 'uc/uc_degrees', values: { segment: "'UC'", institution_code: 'r.campus', award_level: "'BACHELOR'", award_type: 'r.degree', award_date: 'r.degree_date' } },
      {
        contract: 'aiccu/private_enrollment', where: 'r.degree_awarded IS NOT NULL AND r.degree_date IS NOT NULL',
        values: { segment: "'PRIVATE'", institution_code: 'r.ipeds_unit_id', award_level: "'BACHELOR'", award_type: 'r.degree_awarded', award_date: 'r.degree_date' },
      },
    ],
  },
  {
    name: 'quarterly_wages',
    description: 'Wages reported to UI, one row per person and quarter, summed over employers.',
    columns: [
      { name: 'year', type: 'INT', description: 'Calendar year.' },
      { name: 'quarter', type: 'INT', description: 'Calendar quarter, 1–4.' },
      { name: 'wages', type: 'DOUBLE', description: 'Wages from all employers in the quarter, dollars.' },
      { name: 'employers', type: 'INT', description: 'Employers that reported wages.' },
    ],
    sources: [{ contract: 'edd/ui_wages', values: { employer_account: 'r.employer_account', year: 'r.year', quarter: 'r.quarter', wages: 'r.wages' } }],
    finish: (rows) => `SELECT c2c_id, CAST(year AS INT) AS year, CAST(quarter AS INT) AS quarter, CAST(SUM(wages) AS DOUBLE) AS wages, CAST(COUNT(*) AS INT) AS employers FROM ${rows} GROUP BY c2c_id, year, quarter`,
  },
  {
    name: 'credentials',
    description: 'Educator credentials issued by CTC, one row per document.',
    columns: [
      { name: 'credential_type', type: 'STRING', description: 'MULTIPLE_SUBJECT, SINGLE_SUBJECT, EDUCATION_SPECIALIST or PUPIL_PERSONNEL_SERVICES.' },
      { name: 'document_type', type: 'STRING', description: 'PRELIMINARY, CLEAR or INTERN.' },
      { name: 'issue_date', type: 'DATE', description: 'Date issued.' },
    ],
    sources: [{ contract: 'ctc/credentials', values: { document_number: 'r.document_number', credential_type: 'r.credential_type', document_type: 'r.document_type', issue_date: 'r.issue_date' } }],
    // The document number is CTC's key, needed to tell two identical documents apart, not kept.
    finish: (rows) => `SELECT c2c_id, credential_type, document_type, issue_date FROM ${rows}`,
  },
  {
    name: 'k12_staff_assignments',
    description: 'K-12 staff, one row per person, school year and assignment.',
    columns: [
      { name: 'fall_year', type: 'INT', description: 'Fall year of the school year.' },
      { name: 'job_classification', type: 'STRING', description: 'TEACHER, PUPIL_SERVICES or ADMINISTRATOR.' },
      { name: 'county_code', type: 'STRING', description: 'CDS county code of the employing district.' },
      { name: 'fte_percent', type: 'INT', description: 'Full-time equivalent, percent.' },
    ],
    sources: [{ contract: 'cde/k12_staff', values: { fall_year: schoolFallYear('r.academic_year'), job_classification: 'r.job_classification', county_code: 'substr(r.district_code, 1, 2)', fte_percent: 'r.fte_percent' } }],
  },
  {
    name: 'cal_grant_awards',
    description: 'Cal Grant payments, one row per person and award year.',
    columns: [
      { name: 'fall_year', type: 'INT', description: 'Fall year of the award year.' },
      { name: 'grant_type', type: 'STRING', description: 'A, B or C.' },
      { name: 'segment', type: 'STRING', description: 'CCC, CSU, UC or PRIVATE.' },
      { name: 'institution_code', type: 'STRING', description: 'Institution the grant was paid to.' },
      { name: 'amount_paid', type: 'DOUBLE', description: 'Dollars paid in the year.' },
    ],
    sources: [{ contract: 'csac/cal_grant_awards', values: { fall_year: schoolFallYear('r.award_year'), grant_type: 'r.grant_type', segment: 'r.segment', institution_code: 'r.institution_code', amount_paid: 'r.amount_paid' } }],
  },
  {
    name: 'calfresh_spells',
    description: 'CalFresh (SNAP) aid spells, one row per spell.',
    columns: [
      { name: 'aid_begin_date', type: 'DATE', description: 'First day of aid.' },
      { name: 'aid_end_date', type: 'DATE', description: 'Last day of aid; NULL while ongoing.' },
      { name: 'county_code', type: 'STRING', description: 'County administering the case.' },
    ],
    sources: [{ contract: 'dss/calfresh', values: { aid_begin_date: 'r.aid_begin_date', aid_end_date: 'r.aid_end_date', county_code: 'r.county_code' } }],
  },
  {
    name: 'medi_cal_spells',
    description: 'Medi-Cal eligibility spells, one row per spell.',
    columns: [
      { name: 'eligibility_start', type: 'DATE', description: 'First day of eligibility.' },
      { name: 'eligibility_end', type: 'DATE', description: 'Last day of eligibility; NULL while ongoing.' },
      { name: 'county_code', type: 'STRING', description: 'County of eligibility.' },
      { name: 'aid_code', type: 'STRING', description: 'Medi-Cal aid code.' },
    ],
    sources: [{ contract: 'dhcs/medi_cal', values: { eligibility_start: 'r.eligibility_start', eligibility_end: 'r.eligibility_end', county_code: 'r.county_code', aid_code: 'r.aid_code' } }],
  },
];

/** The persons table's columns, after c2c_id. */
export const PERSON_COLUMNS: readonly LinkedColumn[] = [
  { name: 'birth_year', type: 'INT', description: 'Year of the birth date most of the person\'s records give (the birth date itself is not kept).' },
  { name: 'gender', type: 'STRING', description: 'M, F, X or UNKNOWN: the value most of the person\'s records give.' },
  { name: 'race_ethnicity', type: 'STRING', description: `${RACE_ETHNICITY.join(', ')}: the most frequent known value of the first dataset that reports one (K-12, then CCC, UC, CSU, private).` },
  { name: 'disability', type: 'BOOLEAN', description: 'Ever a student with disabilities in K-12 or served by DSPS at a community college.' },
  { name: 'foster', type: 'BOOLEAN', description: 'Ever a foster youth in K-12 or at a community college.' },
  { name: 'homeless', type: 'BOOLEAN', description: 'Ever homeless in K-12.' },
];

