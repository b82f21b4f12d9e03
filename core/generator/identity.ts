/**
 * A person's identity as one partner recorded it. A registration (a student record at a college,
 * a client record at an agency) is keyed once and reused, so its errors repeat across that
 * registration's rows, as in real data.
 */
import { accented, compoundSurnameVariant, digitTypo, nicknameOf, transposeDayMonth, typo, type NoiseRates } from './noise';
import { Population, type Person } from './population';
import type { Rng } from './random';

export interface SourceStyle {
  readonly upperCase: boolean;
  /** Whether the partner's system keeps accented letters (José) when people type them. */
  readonly keepsAccents: boolean;
  /** How much more (or less) than usual people give a nickname here (employers: more). */
  readonly nicknameFactor: number;
  /** Which SSN the partner sees: the person's own, the one given to employers, or none. */
  readonly ssn: 'own' | 'work' | 'none';
  /** Whether the partner's file may lack the SSN or the birth date (their contract allows it). */
  readonly ssnMayBeMissing: boolean;
  readonly birthDateMayBeMissing: boolean;
}

export interface PresentedIdentity {
  readonly first: string;
  readonly middle: string | null;
  readonly last: string;
  readonly birthIso: string | null;
  readonly ssn: string | null;
}

export function presentIdentity(person: Person, day: number, style: SourceStyle, rates: NoiseRates, rng: Rng): PresentedIdentity {
  let first = person.firstName;
  let last = Population.surnameOn(person, day);
  let middle = person.middleName !== null && !rng.chance(rates.missingMiddleName) ? person.middleName : null;

  if (rng.chance(rates.nickname * style.nicknameFactor)) first = nicknameOf(rng, first) ?? first;
  if (last.includes(' ') && rng.chance(rates.compoundSurnameVariant)) last = compoundSurnameVariant(rng, last);
  if (style.keepsAccents && person.race === 'hispanic' && rng.chance(rates.accent)) {
    first = accented(first);
    last = accented(last);
  }
  if (rng.chance(rates.typo)) first = typo(rng, first);
  if (rng.chance(rates.typo)) last = typo(rng, last);
  if (middle !== null && rng.chance(rates.typo)) middle = typo(rng, middle);
  if (rng.chance(rates.swapFirstLast)) [first, last] = [last, first];

  let birthIso: string | null = person.birthIso;
  if (rng.chance(rates.transposeBirthDayMonth)) birthIso = transposeDayMonth(birthIso);
  if (style.birthDateMayBeMissing && rng.chance(rates.missingBirthDate)) birthIso = null;

  let ssn = style.ssn === 'own' ? person.ssn : style.ssn === 'work' ? person.workSsn : null;
  if (ssn !== null && style.ssnMayBeMissing && rng.chance(rates.missingSsn)) ssn = null;
  if (ssn !== null && rng.chance(rates.idTypo)) ssn = digitTypo(rng, ssn);

  const cased = (name: string): string => (style.upperCase ? name.toUpperCase() : name);
  return { first: cased(first), middle: middle === null ? null : cased(middle), last: cased(last), birthIso, ssn };
}
