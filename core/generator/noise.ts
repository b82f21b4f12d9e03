/**
 * How a person's identity reaches a partner's file: the errors real agencies' data has, at rates
 * set by the noise level. Each function takes the true value and returns what the partner wrote.
 */
import { ACCENTED_SPELLINGS, NICKNAMES } from '../reference/nicknames';
import type { Rng } from './random';

export type NoiseLevel = 'low' | 'medium' | 'high';
export const NOISE_LEVELS: readonly NoiseLevel[] = ['low', 'medium', 'high'];

/** Rates at the medium level; low and high scale them. */
export interface NoiseRates {
  readonly typo: number;
  readonly nickname: number;
  readonly swapFirstLast: number;
  readonly transposeBirthDayMonth: number;
  readonly missingBirthDate: number;
  readonly missingSsn: number;
  readonly idTypo: number;
  readonly missingMiddleName: number;
  readonly accent: number;
  readonly compoundSurnameVariant: number;
  readonly missingWageName: number;
}

const MEDIUM: NoiseRates = {
  typo: 0.015,
  nickname: 0.03,
  swapFirstLast: 0.004,
  transposeBirthDayMonth: 0.008,
  missingBirthDate: 0.02,
  missingSsn: 0.06,
  idTypo: 0.006,
  missingMiddleName: 0.25,
  accent: 0.15,
  compoundSurnameVariant: 0.4,
  missingWageName: 0.05,
};

const SCALE: Readonly<Record<NoiseLevel, number>> = { low: 0.35, medium: 1, high: 2.5 };

export function noiseRates(level: NoiseLevel): NoiseRates {
  const scale = SCALE[level];
  return Object.fromEntries(Object.entries(MEDIUM).map(([k, v]) => [k, Math.min(0.9, v * scale)])) as unknown as NoiseRates;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One keying error: a substituted, dropped, doubled or transposed letter. */
export function typo(rng: Rng, name: string): string {
  if (name.length < 3) return name;
  const i = rng.int(1, name.length - 2);
  const isUpper = name[i] === name[i]?.toUpperCase();
  const letter = rng.pick(LETTERS.split(''));
  const replacement = isUpper ? letter.toUpperCase() : letter;
  switch (rng.int(0, 3)) {
    case 0: return name.slice(0, i) + replacement + name.slice(i + 1);
    case 1: return name.slice(0, i) + name.slice(i + 1);
    case 2: return name.slice(0, i) + name[i] + name.slice(i);
    default: return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  }
}

export function nicknameOf(rng: Rng, firstName: string): string | null {
  const options = NICKNAMES[firstName];
  return options ? rng.pick(options) : null;
}

export function accented(name: string): string {
  return name
    .split(' ')
    .map((part) => ACCENTED_SPELLINGS[part] ?? part)
    .join(' ');
}

/** Two-part Hispanic surnames are written with a space, a hyphen, run together, or cut to the first. */
export function compoundSurnameVariant(rng: Rng, surname: string): string {
  const parts = surname.split(' ');
  if (parts.length < 2) return surname;
  switch (rng.int(0, 2)) {
    case 0: return parts.join('-');
    case 1: return parts[0] as string;
    default: return parts.join('');
  }
}

/** Day and month swapped, as when a US-format date is keyed as day-first; only where that is a date. */
export function transposeDayMonth(iso: string): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  return Number(d) <= 12 && d !== m ? `${y}-${d}-${m}` : iso;
}

/** One digit of an identifier mistyped, or two neighbours swapped. */
export function digitTypo(rng: Rng, digits: string): string {
  const i = rng.int(0, digits.length - 2);
  if (rng.chance(0.5) && digits[i] !== digits[i + 1]) return digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
  const digit = String((Number(digits[i]) + rng.int(1, 9)) % 10);
  return digits.slice(0, i) + digit + digits.slice(i + 1);
}
