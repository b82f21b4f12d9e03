/**
 * The places people pass through: school districts and schools (CDS codes) in every county, and
 * employers with EDD account numbers and industries. Sized to the population so a small state
 * still has busy schools, and drawn from the seed so a run is reproducible.
 */
import { COUNTIES, type County } from '../reference/california';
import { INSTITUTIONS, type Institution, type Segment } from '../reference/institutions';
import { mix, Permutation, Rng, WeightedSampler } from './random';

export interface District {
  readonly county: County;
  /** 7 digits: county code and 5-digit district code. */
  readonly code: string;
  readonly employerAccount: string;
  readonly elementary: readonly string[];
  readonly middle: readonly string[];
  readonly high: readonly string[];
}

export interface Employer {
  readonly account: string;
  readonly naics: string | null;
}

const INDUSTRIES: ReadonlyArray<readonly [string, number]> = [
  ['445110', 8], ['452319', 6], ['722511', 10], ['722513', 8], ['621111', 5], ['622110', 5], ['561320', 7],
  ['236220', 4], ['238220', 4], ['336411', 2], ['541511', 4], ['541330', 3], ['611310', 2], ['921110', 3],
  ['484121', 3], ['493110', 4], ['522110', 3], ['624410', 3], ['812112', 2], ['531110', 2], ['111998', 3],
];
const INFORMAL_INDUSTRIES = ['111998', '111219', '722513', '561730', '238320'];
/** Informal employers' accounts come after every other account (fewer than this many), one per person. */
const INFORMAL_ACCOUNTS_FROM = 50_000_000;

export class Directory {
  readonly districtsByCounty: ReadonlyMap<string, readonly District[]>;
  private readonly employers: readonly Employer[];
  private readonly employerSampler: WeightedSampler<Employer>;
  private readonly accounts: Permutation;
  private readonly institutionSamplers = new Map<string, WeightedSampler<Institution>>();

  constructor(seed: number, people: number) {
    const rng = new Rng(mix(seed, 201));
    const accounts = new Permutation(100_000_000, mix(seed, 202));
    this.accounts = accounts;
    let accountIndex = 0;
    const nextAccount = (): string => String(accounts.apply(accountIndex++)).padStart(8, '0');

    const schoolsWanted = Math.min(12000, Math.max(300, Math.round(people / 250)));
    const totalPopulation = COUNTIES.reduce((s, c) => s + c.populationThousands, 0);
    const districts = new Map<string, District[]>();
    let schoolSeq = 0;
    const nextSchool = (county: County, district: string): string =>
      county.code + district + String(1000000 + (schoolSeq++ * 7919) % 9000000);
    for (const county of COUNTIES) {
      const count = Math.max(1, Math.round((schoolsWanted * county.populationThousands) / totalPopulation / 7));
      const list: District[] = [];
      for (let k = 0; k < count; k++) {
        const district = String(10000 + ((Number(county.code) * 1000 + k * 97) % 90000)).padStart(5, '0');
        list.push({
          county,
          code: county.code + district,
          employerAccount: nextAccount(),
          elementary: [nextSchool(county, district), nextSchool(county, district), nextSchool(county, district), nextSchool(county, district)],
          middle: [nextSchool(county, district), nextSchool(county, district)],
          high: [nextSchool(county, district)],
        });
      }
      districts.set(county.code, list);
    }
    this.districtsByCounty = districts;

    const industry = new WeightedSampler(INDUSTRIES.map((i) => i[0]), INDUSTRIES.map((i) => i[1]));
    const employerCount = Math.max(300, Math.round(people / 20));
    // EDD does not always know an employer's industry.
    this.employers = Array.from({ length: employerCount }, () => ({ account: nextAccount(), naics: rng.chance(0.92) ? industry.draw(rng) : null }));
    // A few employers are large and most are small (Zipf-like sizes).
    this.employerSampler = new WeightedSampler(this.employers, this.employers.map((_e, i) => 1 / Math.pow(i + 1, 0.8)));
  }

  districtIn(county: County, rng: Rng): District {
    return rng.pick(this.districtsByCounty.get(county.code) as readonly District[]);
  }

  employer(rng: Rng): Employer {
    return this.employerSampler.draw(rng);
  }

  /** Employers of people working under a borrowed SSN: kept apart so no two records share a key. */
  /**
   * The informal employer of someone working under a borrowed SSN: a small employer of their own,
   * so that two people borrowing one SSN are never reported by one employer in one quarter (the
   * wage file's key is SSN, employer, year and quarter).
   */
  informalEmployer(personIndex: number, rng: Rng): Employer {
    return { account: String(this.accounts.apply(INFORMAL_ACCOUNTS_FROM + personIndex)).padStart(8, '0'), naics: rng.pick(INFORMAL_INDUSTRIES) };
  }

  /** A campus of the segment, more likely near home: three times the weight in the home region. */
  institution(segment: Segment, home: County, rng: Rng): Institution {
    const key = `${segment}:${home.region}`;
    let sampler = this.institutionSamplers.get(key);
    if (!sampler) {
      const list = INSTITUTIONS[segment];
      sampler = new WeightedSampler(list, list.map((i) => i.weight * (i.county.region === home.region ? (segment === 'CCC' ? 40 : 3) : 1)));
      this.institutionSamplers.set(key, sampler);
    }
    return sampler.draw(rng);
  }
}
