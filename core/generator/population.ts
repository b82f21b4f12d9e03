/**
 * The synthetic population: who each person is (the truth the partners' records are noisy
 * copies of). Person i is a pure function of (seed, i): twins share a household draw, and
 * identifiers come from seeded permutations, so they are unique without any shared state.
 */
import { COUNTIES, type County } from '../reference/california';
import { dayOf, isoOf } from './calendar';
import { NameSampler, type Race } from './names';
import { hashUnit, mix, Permutation, Rng, WeightedSampler } from './random';

export type Sex = 'F' | 'M' | 'X';

export interface Person {
  readonly index: number;
  /** The true person id used in truth files only. */
  readonly id: string;
  readonly sex: Sex;
  readonly birth: number;
  readonly birthIso: string;
  readonly race: Race;
  readonly firstName: string;
  readonly middleName: string | null;
  /** Two Hispanic surnames are joined by a space ("Garcia Lopez"). */
  readonly birthSurname: string;
  readonly marriage: { readonly day: number; readonly surname: string } | null;
  readonly homeCounty: County;
  readonly sed: boolean;
  readonly swd: boolean;
  readonly foster: boolean;
  readonly homeless: boolean;
  readonly englishLearner: boolean;
  /** False for people who came to California as adults: no K-12 records. */
  readonly attendedK12: boolean;
  /** For those who did not attend K-12 here, the age at which they arrived. */
  readonly arrivalAge: number;
  /** The day the person left California, after which no partner sees them. */
  readonly leftCalifornia: number | null;
  /** The person's own SSN; null for people without one. */
  readonly ssn: string | null;
  /** The SSN employers report: the person's own, one borrowed from someone else, or none. */
  readonly workSsn: string | null;
  readonly isTwin: boolean;
  /** Per-person multiplier on earnings (ability, luck, hours), fixed for life. */
  readonly earningsFactor: number;
}

export const BIRTH_YEARS = { first: 1990, last: 2009 } as const;

const RACE_SHARES: ReadonlyArray<readonly [Race, number]> = [
  ['hispanic', 0.55], ['white', 0.21], ['asian', 0.095], ['filipino', 0.024], ['black', 0.05],
  ['two_or_more', 0.045], ['american_indian', 0.005], ['pacific_islander', 0.004], ['not_reported', 0.012],
];

/** Share socioeconomically disadvantaged, by race/ethnicity (roughly California's K-12 shares). */
const SED_SHARE: Readonly<Record<Race, number>> = {
  hispanic: 0.75, black: 0.65, american_indian: 0.6, pacific_islander: 0.55, two_or_more: 0.4,
  filipino: 0.35, asian: 0.35, white: 0.3, not_reported: 0.4,
};

const ENGLISH_LEARNER_SHARE: Partial<Record<Race, number>> = { hispanic: 0.45, asian: 0.3, filipino: 0.15 };
const NO_SSN_SHARE: Partial<Record<Race, number>> = { hispanic: 0.08, asian: 0.04 };
const TWIN_PAIR_SHARE = 0.016;

export class Population {
  private readonly raceSampler = new WeightedSampler(RACE_SHARES.map((r) => r[0]), RACE_SHARES.map((r) => r[1]));
  private readonly countySampler = new WeightedSampler(COUNTIES, COUNTIES.map((c) => c.populationThousands));
  private readonly ssnPermutation: Permutation;

  constructor(readonly seed: number, readonly size: number, private readonly names: NameSampler) {
    this.ssnPermutation = new Permutation(SSN_SPACE, mix(seed, 101));
  }

  countyAt(u: number): County {
    return this.countySampler.at(u);
  }

  person(index: number): Person {
    const pair = index >> 1;
    const isTwin = pair * 2 + 1 < this.size && hashUnit(this.seed, pair, 11) < TWIN_PAIR_SHARE;
    const household = new Rng(isTwin ? mix(this.seed, pair, 12) : mix(this.seed, index, 13));
    const rng = new Rng(mix(this.seed, index, 14));

    const birthYear = household.int(BIRTH_YEARS.first, BIRTH_YEARS.last);
    const birth = dayOf(birthYear, 1, 1) + household.int(0, 364);
    const race = this.raceSampler.draw(household);
    const hispanicCompound = race === 'hispanic' && household.chance(0.12);
    const birthSurname = hispanicCompound
      ? `${this.names.surname(household, race)} ${this.names.surname(household, race)}`
      : this.names.surname(household, race);
    const homeCounty = this.countySampler.draw(household);
    const sed = household.chance(SED_SHARE[race]);
    const foster = household.chance(sed ? 0.012 : 0.003);
    const homeless = household.chance(sed ? 0.06 : 0.01);
    const attendedK12 = household.chance(0.9);
    const arrivalAge = household.int(18, 26);
    const hasSsn = this.hasOwnSsn(index, race);

    const sex: Sex = rng.chance(0.005) ? 'X' : rng.chance(0.5) ? 'F' : 'M';
    const firstName = this.names.firstName(rng, sex);
    let middleName = rng.chance(0.7) ? this.names.firstName(rng, sex) : null;
    if (middleName === firstName) middleName = null;
    const swd = rng.chance(sex === 'M' ? 0.15 : 0.09);
    const englishLearner = rng.chance(ENGLISH_LEARNER_SHARE[race] ?? 0.05);
    const marriage = this.marriage(rng, sex, birth, race, birthSurname);
    const leftCalifornia = rng.chance(0.07) ? birth + Math.round(365.25 * rng.int(18, 30)) + rng.int(0, 364) : null;
    const ssn = hasSsn ? this.ssnOf(index) : null;
    const workSsn = ssn ?? (rng.chance(0.5) ? this.ssnOf(this.lenderOf(index)) : null);
    const earningsFactor = Math.exp(0.35 * rng.normal());

    return {
      index, id: `P${String(index + 1).padStart(8, '0')}`, sex, birth, birthIso: isoOf(birth), race,
      firstName, middleName, birthSurname, marriage, homeCounty, sed, swd, foster, homeless, englishLearner,
      attendedK12, arrivalAge, leftCalifornia, ssn, workSsn, isTwin, earningsFactor,
    };
  }

  /** The surname the person uses on a given day (a married name replaces or joins the birth name). */
  static surnameOn(person: Person, day: number): string {
    return person.marriage && day >= person.marriage.day ? person.marriage.surname : person.birthSurname;
  }

  /** Most who marry take the spouse's surname; a quarter join both with a hyphen. */
  private marriage(rng: Rng, sex: Sex, birth: number, race: Race, birthSurname: string): Person['marriage'] {
    if (!rng.chance(sex === 'F' ? 0.4 : 0.04)) return null;
    const day = birth + Math.round(365.25 * (22 + rng.float() * 12));
    const spouse = this.names.surname(rng, rng.chance(0.7) ? race : this.raceSampler.draw(rng));
    return { day, surname: rng.chance(0.25) ? `${birthSurname.split(' ')[0]}-${spouse}` : spouse };
  }

  private hasOwnSsn(index: number, race: Race): boolean {
    return hashUnit(this.seed, index, 15) >= (NO_SSN_SHARE[race] ?? 0.01);
  }

  /** Someone with an SSN, chosen stably, whose number a person without one gives employers. */
  private lenderOf(index: number): number {
    for (let attempt = 0; ; attempt++) {
      const candidate = Math.floor(hashUnit(this.seed, index, 16, attempt) * this.size);
      // 0.08 is the highest no-SSN share of any group, so a draw above it always has an SSN.
      if (candidate !== index && hashUnit(this.seed, candidate, 15) >= 0.08) return candidate;
    }
  }

  private ssnOf(index: number): string {
    return ssnFromNumber(this.ssnPermutation.apply(index));
  }
}

/** Valid SSNs: area 001–899 except 666, group 01–99, serial 0001–9999. */
const AREAS = 898;
const SSN_SPACE = AREAS * 99 * 9999;

function ssnFromNumber(n: number): string {
  const serial = (n % 9999) + 1;
  const group = (Math.floor(n / 9999) % 99) + 1;
  let area = Math.floor(n / (9999 * 99)) + 1;
  if (area >= 666) area += 1;
  return String(area).padStart(3, '0') + String(group).padStart(2, '0') + String(serial).padStart(4, '0');
}
