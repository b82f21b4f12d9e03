/**
 * Synthetic people for training and clustering tests: true entities, each written 2 to 5 times
 * by several partners with seeded noise (typos, nicknames, swapped day and month, missing
 * values), in the example settings' input columns. A record's id is its entity's times 10 plus
 * its copy number, so the truth travels with every pair.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { NICKNAMES } from '../../core/reference/nicknames';
import type { PersonRecord } from './fixtures';

// Listed roughly from common to rare, and drawn that way, so agreeing on SMITH says less than on QUINTERO.
const GIVEN_NAMES = [
  'James', 'Maria', 'Michael', 'Jennifer', 'Robert', 'Jessica', 'William', 'Elizabeth', 'David', 'Sofia',
  'Daniel', 'Emily', 'Jose', 'Ashley', 'Christopher', 'Samantha', 'Anthony', 'Madison', 'Joshua', 'Olivia',
  'Matthew', 'Isabella', 'Andrew', 'Victoria', 'Nathan', 'Gabriela', 'Kevin', 'Lucia', 'Brian', 'Alejandra',
  'Tyrone', 'Keisha', 'Dmitri', 'Ingrid', 'Rashid', 'Yesenia', 'Thaddeus', 'Marisol', 'Ezekiel', 'Priya',
];
const SURNAMES = [
  'Smith', 'Garcia', 'Johnson', 'Martinez', 'Williams', 'Hernandez', 'Brown', 'Lopez', 'Jones', 'Gonzalez',
  'Miller', 'Rodriguez', 'Davis', 'Perez', 'Wilson', 'Sanchez', 'Anderson', 'Ramirez', 'Thomas', 'Torres',
  'Taylor', 'Flores', 'Moore', 'Rivera', 'Jackson', 'Gomez', 'Martin', 'Diaz', 'Lee', 'Reyes',
  'Nguyen', 'Cruz', 'Patel', 'Morales', 'Kim', 'Ortiz', 'Chen', 'Gutierrez', 'Walker', 'Chavez',
  'Okafor', 'Lindqvist', 'Abernathy', 'Quintero', 'Vasquez-Ruiz', 'Nakamura', 'Delacroix', 'Mbeki', 'Sorensen', 'Castellanos',
];
const PARTNERS = ['k12', 'college', 'wages'];

export interface SyntheticOptions {
  readonly entities: number;
  readonly seed: number;
}

export function entityOf(recordId: number): number {
  return Math.floor(recordId / 10);
}

/** The records of `entities` people; the same options give the same records. */
export function syntheticRecords({ entities, seed }: SyntheticOptions): PersonRecord[] {
  const rng = xoroshiro128plus(seed);
  const int = (from: number, to: number): number => uniformInt(rng, from, to);
  const chance = (percent: number): boolean => int(0, 99) < percent;
  // The square skews the draw towards the start of a list.
  const skewed = <T>(list: readonly T[]): T => list[Math.floor(list.length * (int(0, 9999) / 10000) ** 2)] as T;
  const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');

  const records: PersonRecord[] = [];
  for (let entity = 1; entity <= entities; entity++) {
    const first = skewed(GIVEN_NAMES);
    const last = skewed(SURNAMES);
    const [year, month, day] = [int(1990, 2005), int(1, 12), int(1, 28)];
    // Area 100-665, group and serial never zero: numbers standardization keeps.
    const ssn = `${int(100, 665)}${int(10, 99)}${int(1000, 9999)}`;
    const ssid = `${int(1, 9)}${digits(9)}`;
    const copies = int(2, 5);
    for (let copy = 0; copy < copies; copy++) {
      const partner = PARTNERS[int(0, PARTNERS.length - 1)] as string;
      let [m, d] = [month, day];
      if (chance(3) && day <= 12 && day !== month) [m, d] = [day, month];
      else if (chance(2)) d = Math.max(1, Math.min(28, day + int(-3, 3)));
      records.push({
        id: entity * 10 + copy,
        partner,
        first: chance(4) ? null : chance(5) ? nickname(first, int) : chance(8) ? typo(first, int) : first,
        last: chance(4) ? null : chance(8) ? typo(last, int) : last,
        dob: chance(3) ? null : `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        ssn: chance(30) ? null : chance(5) ? typo(ssn, int, true) : ssn,
        ssid: partner !== 'k12' ? null : chance(5) ? typo(ssid, int, true) : ssid,
      });
    }
  }
  return records;
}

function nickname(name: string, int: (from: number, to: number) => number): string {
  const informal = NICKNAMES[name];
  return informal === undefined ? name : (informal[int(0, informal.length - 1)] as string);
}

/** One substitution, deletion or transposition of neighbours; digits stay digits. */
function typo(text: string, int: (from: number, to: number) => number, numeric = false): string {
  const at = int(0, text.length - 2);
  const alphabet = numeric ? '0123456789' : 'abcdefghijklmnopqrstuvwxyz';
  switch (numeric ? int(0, 1) * 2 : int(0, 2)) {
    case 0:
      return text.slice(0, at) + alphabet[int(0, alphabet.length - 1)] + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    default:
      return text.slice(0, at) + text.charAt(at + 1) + text.charAt(at) + text.slice(at + 2);
  }
}
