/**
 * Each partner codes gender and race/ethnicity its own way (see the contracts); these map the
 * generator's categories onto each partner's codes.
 */
import type { Race } from './names';
import type { Sex } from './population';
import type { Rng } from './random';

export const GENDER_CODES = {
  cde: { F: 'F', M: 'M', X: 'X' },
  cccco: { F: 'F', M: 'M', X: 'X' },
  csu: { F: 'F', M: 'M', X: 'N' },
  uc: { F: 'F', M: 'M', X: 'X' },
  aiccu: { F: 'Female', M: 'Male', X: 'Nonbinary' },
  dss: { F: 'F', M: 'M', X: 'X' },
  dhcs: { F: 'F', M: 'M', X: 'U' },
} as const satisfies Record<string, Record<Sex, string>>;

export const CCC_ETHNICITY: Readonly<Record<Race, string>> = {
  hispanic: 'H', white: 'W', black: 'B', asian: 'A', filipino: 'F', american_indian: 'N',
  pacific_islander: 'P', two_or_more: 'T', not_reported: 'X',
};

export const IPEDS_ETHNICITY: Readonly<Record<Race, string>> = {
  hispanic: 'HISPANIC', white: 'WHITE', black: 'BLACK', asian: 'ASIAN', filipino: 'ASIAN',
  american_indian: 'AMERICAN_INDIAN', pacific_islander: 'PACIFIC_ISLANDER', two_or_more: 'TWO_OR_MORE', not_reported: 'UNKNOWN',
};

export const UC_ETHNICITY: Readonly<Record<Race, string>> = {
  hispanic: 'CHICANX_LATINX', white: 'WHITE', black: 'AFRICAN_AMERICAN', asian: 'ASIAN', filipino: 'FILIPINX',
  american_indian: 'AMERICAN_INDIAN', pacific_islander: 'PACIFIC_ISLANDER', two_or_more: 'TWO_OR_MORE', not_reported: 'UNKNOWN',
};

/** Self-reported race differs between systems now and then: some decline to state. */
export function reportedRace(rng: Rng, race: Race): Race {
  return rng.chance(0.04) ? 'not_reported' : race;
}

const ASIAN_CALPADS = ['201', '202', '203', '204', '205', '206', '207', '208', '299'];
const ASIAN_WEIGHTS = [0.25, 0.05, 0.1, 0.2, 0.15, 0.03, 0.04, 0.05, 0.13];
const PACIFIC_CALPADS = ['301', '302', '303', '304', '399'];

function asianCode(rng: Rng): string {
  let u = rng.float();
  for (let i = 0; i < ASIAN_CALPADS.length; i++) {
    u -= ASIAN_WEIGHTS[i] as number;
    if (u < 0) return ASIAN_CALPADS[i] as string;
  }
  return '299';
}

/** CALPADS reports ethnicity (Hispanic or not) apart from up to two race codes. */
export function calpadsRace(rng: Rng, race: Race): { hispanic: boolean; race1: string | null; race2: string | null } {
  switch (race) {
    case 'hispanic': return { hispanic: true, race1: rng.chance(0.25) ? null : rng.chance(0.85) ? '700' : '100', race2: null };
    case 'white': return { hispanic: false, race1: '700', race2: null };
    case 'black': return { hispanic: false, race1: '600', race2: null };
    case 'asian': return { hispanic: false, race1: asianCode(rng), race2: null };
    case 'filipino': return { hispanic: false, race1: '400', race2: null };
    case 'american_indian': return { hispanic: false, race1: '100', race2: null };
    case 'pacific_islander': return { hispanic: false, race1: rng.pick(PACIFIC_CALPADS), race2: null };
    case 'two_or_more': return { hispanic: false, race1: '700', race2: rng.pick(['600', '201', '100', '400', '204']) };
    case 'not_reported': return { hispanic: false, race1: null, race2: null };
  }
}
