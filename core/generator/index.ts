/**
 * The synthetic state: a population whose lives are written out as each partner's drop files,
 * with the truth (which person each record belongs to) kept apart for measuring linkage.
 */
import { Directory } from './directory';
import { Identifiers, type SimulationContext } from './context';
import { simulateEducator, educatorWriters } from './educators';
import { calGrantWriter, simulateCalGrant } from './finaid';
import { k12Writers, simulateK12 } from './k12';
import { newLife } from './life';
import { NameSampler, type NameFrequencies } from './names';
import { NOISE_LEVELS, noiseRates, type NoiseLevel } from './noise';
import { Population, type Person } from './population';
import { collegeWriters, simulatePostsecondary } from './postsecondary';
import { mix, Rng } from './random';
import type { RecordSink } from './sink';
import { simulateSocialServices, socialServiceWriters } from './social-services';
import { simulateWages, wageWriter } from './workforce';

export type { NoiseLevel } from './noise';
export { NOISE_LEVELS } from './noise';
export type { NameFrequencies } from './names';
export type { RecordSink } from './sink';

export interface GenerateOptions {
  readonly seed: number;
  readonly people: number;
  readonly noise: NoiseLevel;
}

export const MAX_PEOPLE = 5_000_000;

/** Columns of the person truth file: who each person really is (never part of a drop). */
export const PERSON_TRUTH_COLUMNS = [
  'person_id', 'birth_date', 'sex', 'race_ethnicity', 'home_county_code', 'socioeconomically_disadvantaged',
  'disability', 'foster_youth', 'homeless', 'english_learner', 'attended_k12', 'twin', 'has_own_ssn', 'uses_borrowed_ssn',
] as const;

export interface TruthSink extends RecordSink {
  /** One row of the person truth file, in PERSON_TRUTH_COLUMNS order. */
  person(values: readonly string[]): void;
}

/** Options a user gave that the generator cannot honour; the message says what to change. */
export class InvalidGenerateOptionsError extends Error {}

/** Checks options and explains what is wrong in words a user can act on. */
export function checkGenerateOptions(options: GenerateOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(options.people) || options.people < 1 || options.people > MAX_PEOPLE) {
    problems.push(`people must be a whole number from 1 to ${MAX_PEOPLE.toLocaleString('en-US')}`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    problems.push('seed must be a whole number from 0 to 4294967295');
  }
  if (!NOISE_LEVELS.includes(options.noise)) problems.push(`noise must be one of ${NOISE_LEVELS.join(', ')}`);
  return problems;
}

function truthRow(person: Person): string[] {
  const flag = (b: boolean): string => (b ? 'true' : 'false');
  return [
    person.id, person.birthIso, person.sex, person.race, person.homeCounty.code, flag(person.sed), flag(person.swd), flag(person.foster),
    flag(person.homeless), flag(person.englishLearner), flag(person.attendedK12), flag(person.isTwin), flag(person.ssn !== null),
    flag(person.workSsn !== null && person.workSsn !== person.ssn),
  ];
}

/**
 * Generates people by index range. Person i's records depend only on (options, i), so ranges can
 * be generated in any order or in parallel and concatenated into the same files.
 */
export class StateGenerator {
  private readonly population: Population;
  private readonly ctx: SimulationContext;
  private readonly writers;

  constructor(private readonly options: GenerateOptions, names: NameFrequencies, private readonly sink: TruthSink) {
    const problems = checkGenerateOptions(options);
    if (problems.length > 0) throw new InvalidGenerateOptionsError(problems.join('; '));
    const { seed, people } = options;
    this.population = new Population(seed, people, new NameSampler(names));
    this.ctx = {
      seed, rates: noiseRates(options.noise), directory: new Directory(seed, people), population: this.population,
      ids: new Identifiers(seed, people), sink,
    };
    this.writers = {
      k12: k12Writers(this.ctx),
      college: collegeWriters(this.ctx),
      educators: educatorWriters(this.ctx),
      calGrant: calGrantWriter(this.ctx),
      wages: wageWriter(this.ctx),
      social: socialServiceWriters(this.ctx),
    };
  }

  /** Writes people [from, to) to the sink. */
  generate(from: number, to: number): void {
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= this.options.people)) {
      throw new RangeError(`people range [${from}, ${to}) is outside [0, ${this.options.people})`);
    }
    const { ctx, writers } = this;
    for (let index = from; index < to; index++) {
      const person = this.population.person(index);
      const rng = new Rng(mix(this.options.seed, index, 21));
      const life = newLife(person.homeCounty);
      this.sink.person(truthRow(person));
      simulateK12(person, life, rng, ctx, writers.k12);
      simulatePostsecondary(person, life, rng, ctx, writers.college);
      simulateEducator(person, life, rng, ctx, writers.educators);
      simulateCalGrant(person, life, rng, ctx, writers.calGrant);
      simulateWages(person, life, rng, ctx, writers.wages);
      simulateSocialServices(person, life, rng, ctx, writers.social);
    }
  }
}
