/**
 * Drawing names by real frequencies: first names by sex from the SSA file, surnames by
 * race/ethnicity from the Census surname file. The top Census surnames cover about half of
 * people, so the other half get rarer surnames spliced from two real ones (Mart|inson), which
 * keeps very common names common without making everyone a Smith or a Garcia.
 */
import { Rng, WeightedSampler } from './random';

export type Race =
  | 'hispanic' | 'white' | 'black' | 'asian' | 'filipino'
  | 'american_indian' | 'pacific_islander' | 'two_or_more' | 'not_reported';

export const RACES: readonly Race[] = [
  'hispanic', 'white', 'black', 'asian', 'filipino', 'american_indian', 'pacific_islander', 'two_or_more', 'not_reported',
];

export interface FirstNameFrequency { readonly name: string; readonly sex: 'F' | 'M'; readonly count: number }

export interface SurnameFrequency {
  readonly name: string;
  readonly count: number;
  /** Percent of bearers by race/ethnicity, null where the Census suppressed it. */
  readonly percentByRace: Readonly<Record<'white' | 'black' | 'api' | 'aian' | 'two_or_more' | 'hispanic', number | null>>;
}

export interface NameFrequencies {
  readonly firstNames: readonly FirstNameFrequency[];
  readonly surnames: readonly SurnameFrequency[];
}

const CENSUS_COLUMN: Readonly<Record<Race, keyof SurnameFrequency['percentByRace'] | null>> = {
  hispanic: 'hispanic', white: 'white', black: 'black', asian: 'api', filipino: 'api',
  american_indian: 'aian', pacific_islander: 'api', two_or_more: 'two_or_more', not_reported: null,
};

/** Share of people whose surname is outside the top-1,000 list (about half, per the 2010 Census). */
const RARE_SURNAME_SHARE = 0.45;

export function titleCase(name: string): string {
  return name.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

export class NameSampler {
  private readonly firstBySex: Record<'F' | 'M', WeightedSampler<string>>;
  private readonly surnameByRace: Map<Race, WeightedSampler<string>>;

  constructor(frequencies: NameFrequencies) {
    if (frequencies.firstNames.length === 0 || frequencies.surnames.length === 0) {
      throw new Error('name frequencies are empty: the reference name files were not read');
    }
    const bySex = (sex: 'F' | 'M'): WeightedSampler<string> => {
      const rows = frequencies.firstNames.filter((n) => n.sex === sex);
      return new WeightedSampler(rows.map((r) => r.name), rows.map((r) => r.count));
    };
    this.firstBySex = { F: bySex('F'), M: bySex('M') };
    const surnames = frequencies.surnames.map((s) => titleCase(s.name));
    this.surnameByRace = new Map(
      RACES.map((race) => {
        const column = CENSUS_COLUMN[race];
        const weights = frequencies.surnames.map((s) => (column ? s.count * (s.percentByRace[column] ?? 0) : s.count));
        return [race, new WeightedSampler(surnames, weights)];
      }),
    );
  }

  firstName(rng: Rng, sex: 'F' | 'M' | 'X'): string {
    const drawnSex = sex === 'X' ? (rng.chance(0.5) ? 'F' : 'M') : sex;
    return this.firstBySex[drawnSex].draw(rng);
  }

  surname(rng: Rng, race: Race): string {
    const sampler = this.surnameByRace.get(race) as WeightedSampler<string>;
    if (!rng.chance(RARE_SURNAME_SHARE)) return sampler.draw(rng);
    const head = sampler.draw(rng);
    const tail = sampler.draw(rng);
    const cut = Math.max(2, Math.min(head.length - 1, rng.int(3, 5)));
    const from = Math.max(1, tail.length - rng.int(2, 4));
    return head.slice(0, cut) + tail.slice(from).toLowerCase();
  }
}
