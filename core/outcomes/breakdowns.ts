/**
 * The groups outcomes are broken down by. Each is a text column of the outcome cube; a
 * breakdown nested in another (a county in its region, a campus in its segment) names its
 * parent, so disclosure control knows the children add up to the parent's cells.
 */

export const BREAKDOWN_IDS = [
  'race_ethnicity', 'gender', 'disability', 'foster', 'homeless', 'region', 'county', 'segment', 'institution', 'award_level', 'credential_type', 'grant_type',
] as const;
export type BreakdownId = (typeof BREAKDOWN_IDS)[number];

export interface Breakdown {
  readonly id: BreakdownId;
  readonly title: string;
  readonly description: string;
  /** The breakdown whose groups this one's groups nest in, each group in exactly one. */
  readonly parent?: BreakdownId;
}

export const BREAKDOWNS: Readonly<Record<BreakdownId, Breakdown>> = {
  race_ethnicity: { id: 'race_ethnicity', title: 'Race/ethnicity', description: 'Harmonized across partners; K-12\'s report first (linked/persons).' },
  gender: { id: 'gender', title: 'Gender', description: 'M, F, X (nonbinary) or UNKNOWN, as most of the person\'s records give it.' },
  disability: { id: 'disability', title: 'Disability', description: 'YES if ever a student with disabilities in K-12 or served by DSPS at a community college.' },
  foster: { id: 'foster', title: 'Foster youth', description: 'YES if ever a foster youth in K-12 or at a community college.' },
  homeless: { id: 'homeless', title: 'Homeless', description: 'YES if ever homeless in K-12.' },
  region: { id: 'region', title: 'Region', description: 'One of the ten regions California\'s Department of Finance uses.' },
  county: { id: 'county', title: 'County', description: 'California county (of the school, college or office the cohort is defined by).', parent: 'region' },
  segment: { id: 'segment', title: 'Segment', description: 'CCC (community colleges), CSU, UC or PRIVATE (independent colleges).' },
  institution: { id: 'institution', title: 'Institution', description: 'College or campus, by its segment\'s code.', parent: 'segment' },
  award_level: { id: 'award_level', title: 'Award level', description: 'CERTIFICATE, ASSOCIATE or BACHELOR.' },
  credential_type: { id: 'credential_type', title: 'Credential type', description: 'MULTIPLE_SUBJECT, SINGLE_SUBJECT or EDUCATION_SPECIALIST teaching credential.' },
  grant_type: { id: 'grant_type', title: 'Cal Grant type', description: 'Cal Grant A, B or C.' },
};

/**
 * The grouping sets of a metric with these breakdowns: the total, each breakdown alone, and each
 * pair, except a breakdown paired with its own parent (the pair is the child alone).
 */
export function groupingSets(breakdowns: readonly BreakdownId[]): BreakdownId[][] {
  const sets: BreakdownId[][] = [[], ...breakdowns.map((b) => [b])];
  for (let i = 0; i < breakdowns.length; i++) {
    for (let j = i + 1; j < breakdowns.length; j++) {
      const [a, b] = [breakdowns[i] as BreakdownId, breakdowns[j] as BreakdownId];
      if (BREAKDOWNS[a].parent !== b && BREAKDOWNS[b].parent !== a) sets.push([a, b]);
    }
  }
  return sets;
}
