/**
 * Everything a stage of the simulation needs besides the person: the noise rates, the places,
 * the identifier schemes, the time window, and where records go.
 */
import { INSTITUTIONS, type Institution } from '../reference/institutions';
import { dayOf } from './calendar';
import type { Directory } from './directory';
import type { NoiseRates } from './noise';
import type { Population } from './population';
import { mix, Permutation } from './random';
import type { RecordSink } from './sink';

/** The period the partners' extracts cover. */
export const TIMELINE = {
  /** CALPADS data starts with the 2008-09 school year; the last complete year is 2025-26. */
  firstK12Fall: 2008,
  lastK12Fall: 2025,
  firstCollegeYear: 2008,
  firstWageQuarter: { year: 2010, quarter: 1 },
  lastWageQuarter: { year: 2026, quarter: 1 },
  /** The day the extracts were taken. */
  asOf: dayOf(2026, 6, 30),
} as const;

export interface SimulationContext {
  readonly seed: number;
  readonly rates: NoiseRates;
  readonly directory: Directory;
  readonly population: Population;
  readonly ids: Identifiers;
  readonly sink: RecordSink;
}

/**
 * Partner identifiers. Each comes from its own seeded permutation, so it is unique across people
 * and carries nothing about the person (no SSN or birth date can be read from it).
 */
export class Identifiers {
  private readonly ssids: Permutation;
  private readonly seids: Permutation;
  private readonly csacIds: Permutation;
  private readonly clientIds: Permutation;
  private readonly cins: Permutation;
  private readonly cccIds: Permutation;
  private readonly csuIds: Permutation;
  private readonly ucIds: Permutation;
  private readonly privateIds: Permutation;
  private readonly documents: Permutation;

  constructor(seed: number, people: number) {
    if (people > 5_000_000) throw new Error('the identifier schemes are sized for at most 5,000,000 people');
    this.ssids = new Permutation(10_000_000_000, mix(seed, 301));
    this.seids = new Permutation(10_000_000, mix(seed, 302));
    this.csacIds = new Permutation(100_000_000, mix(seed, 303));
    this.clientIds = new Permutation(1_000_000_000, mix(seed, 304));
    this.cins = new Permutation(100_000_000, mix(seed, 305));
    this.cccIds = new Permutation(2_600_000_000, mix(seed, 306));
    this.csuIds = new Permutation(1_000_000_000, mix(seed, 307));
    this.ucIds = new Permutation(1_000_000_000, mix(seed, 308));
    this.privateIds = new Permutation(1_000_000_000, mix(seed, 309));
    this.documents = new Permutation(1_000_000_000, mix(seed, 310));
  }

  ssid(person: number): string {
    return String(this.ssids.apply(person)).padStart(10, '0');
  }
  seid(person: number): string {
    return String(this.seids.apply(person)).padStart(7, '0');
  }
  csacId(person: number): string {
    return 'G' + String(this.csacIds.apply(person)).padStart(8, '0');
  }
  calfreshClientId(person: number): string {
    return String(this.clientIds.apply(person)).padStart(9, '0');
  }
  cin(person: number): string {
    const digits = String(this.cins.apply(person)).padStart(8, '0');
    return digits + 'ABCDEFGHJKLMNPQRSTUVWXYZ'[mix(Number(digits)) % 24];
  }
  /** Each college issues its own ids; a person attending two colleges has two. */
  cccStudentId(person: number, college: Institution): string {
    const n = this.cccIds.apply(person * 128 + INSTITUTIONS.CCC.indexOf(college));
    return String.fromCharCode(65 + Math.floor(n / 100_000_000)) + String(n % 100_000_000).padStart(8, '0');
  }
  csuId(person: number): string {
    return String(this.csuIds.apply(person)).padStart(9, '0');
  }
  ucStudentId(person: number, campus: Institution): string {
    return String(this.ucIds.apply(person * 16 + INSTITUTIONS.UC.indexOf(campus))).padStart(9, '0');
  }
  privateStudentId(person: number, institution: Institution): string {
    return 'S' + String(this.privateIds.apply(person * 128 + INSTITUTIONS.PRIVATE.indexOf(institution))).padStart(9, '0');
  }
  credentialDocument(person: number, ordinal: number): string {
    return String(this.documents.apply(person * 4 + ordinal)).padStart(9, '0');
  }
}
