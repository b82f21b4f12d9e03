/**
 * College: who goes, where, for how long, and what they earn there. Community college students
 * may earn certificates and associate degrees and transfer; four-year students may finish a
 * bachelor's degree. Writes the CCC, CSU, UC and AICCU datasets.
 */
import { contractFor } from '../contracts/catalog';
import type { FieldValue } from '../contracts/record-format';
import type { Institution, Segment } from '../reference/institutions';
import { dayOf, isoOf } from './calendar';
import { CCC_ETHNICITY, GENDER_CODES, IPEDS_ETHNICITY, reportedRace, UC_ETHNICITY } from './codes';
import { TIMELINE, type SimulationContext } from './context';
import { presentIdentity, type SourceStyle } from './identity';
import type { Life } from './life';
import type { Person } from './population';
import { Rng, WeightedSampler } from './random';
import { bindDataset, type EmitRecord } from './sink';

const CCC_STYLE: SourceStyle = { upperCase: false, keepsAccents: true, nicknameFactor: 1.3, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: true };
const CSU_STYLE: SourceStyle = { upperCase: true, keepsAccents: false, nicknameFactor: 1, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: false };
const UC_STYLE: SourceStyle = { upperCase: false, keepsAccents: true, nicknameFactor: 1, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: false };
const PRIVATE_STYLE: SourceStyle = { upperCase: false, keepsAccents: false, nicknameFactor: 1, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: true };

export interface CollegeWriters {
  readonly ccEnrollment: EmitRecord;
  readonly ccAwards: EmitRecord;
  readonly csuEnrollment: EmitRecord;
  readonly csuDegrees: EmitRecord;
  readonly ucEnrollment: EmitRecord;
  readonly ucDegrees: EmitRecord;
  readonly privateEnrollment: EmitRecord;
}

export function collegeWriters(ctx: Pick<SimulationContext, 'sink'>): CollegeWriters {
  const bind = (partner: string, dataset: string, columns: readonly string[]): EmitRecord => bindDataset(contractFor(partner, dataset), columns, ctx.sink);
  return {
    ccEnrollment: bind('cccco', 'cc_enrollment', ['college_code', 'student_id', 'ssn', 'ssid', 'last_name', 'first_name', 'middle_name', 'birth_date', 'gender', 'ethnicity', 'term_code', 'units_attempted', 'units_earned', 'dsps_ind', 'foster_youth_ind']),
    ccAwards: bind('cccco', 'cc_awards', ['college_code', 'student_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'award_type', 'top_code', 'award_date']),
    csuEnrollment: bind('csu', 'csu_enrollment', ['campus_code', 'csu_id', 'ssn', 'last_name', 'first_name', 'middle_name', 'birth_date', 'sex', 'ethnicity', 'term_code', 'student_level', 'units', 'major_cip']),
    csuDegrees: bind('csu', 'csu_degrees', ['campus_code', 'csu_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'degree_level', 'major_cip', 'degree_date']),
    ucEnrollment: bind('uc', 'uc_enrollment', ['campus', 'student_id', 'ssn', 'ssid', 'last_name', 'first_name', 'middle_name', 'birth_date', 'gender', 'ethnicity', 'term', 'entry_level', 'units', 'major_cip']),
    ucDegrees: bind('uc', 'uc_degrees', ['campus', 'student_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'degree', 'major_cip', 'degree_date']),
    privateEnrollment: bind('aiccu', 'private_enrollment', ['ipeds_unit_id', 'student_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'gender', 'race_ethnicity', 'academic_year', 'enrollment_status', 'degree_awarded', 'degree_date']),
  };
}

/** Majors (CIP 2020), their degree, relative popularity, and whether they lead toward teaching. */
const MAJORS: ReadonlyArray<readonly [string, 'BA' | 'BS' | 'BFA', number, boolean]> = [
  ['52.0201', 'BS', 14, false], ['42.0101', 'BA', 9, false], ['26.0101', 'BS', 8, false], ['24.0101', 'BA', 6, true],
  ['11.0701', 'BS', 6, false], ['45.1101', 'BA', 5, false], ['09.0101', 'BA', 5, false], ['51.3801', 'BS', 4, false],
  ['45.0601', 'BA', 4, false], ['31.0505', 'BS', 4, true], ['43.0104', 'BA', 4, false], ['14.0901', 'BS', 3, false],
  ['23.0101', 'BA', 3, true], ['13.1202', 'BA', 2, true], ['54.0101', 'BA', 2, true], ['27.0101', 'BS', 2, true],
  ['44.0701', 'BA', 2, false], ['50.0701', 'BFA', 2, false], ['40.0501', 'BS', 1, false], ['05.0203', 'BA', 1, false],
];
const MAJOR_SAMPLER = new WeightedSampler(MAJORS, MAJORS.map((m) => m[2]));
const TOP_CODES = ['490120', '050100', '210500', '120100', '093400', '130600', '170100', '220100', '150100', '080100'];

export interface Major { readonly cip: string; readonly degree: 'BA' | 'BS' | 'BFA'; readonly leadsToTeaching: boolean }

type Season = 'FA' | 'WI' | 'SP' | 'SU';
interface Term { readonly season: Season; readonly year: number; readonly start: number; readonly end: number; readonly fallYear: number }

function term(season: Season, year: number): Term {
  switch (season) {
    case 'FA': return { season, year, start: dayOf(year, 8, 25), end: dayOf(year, 12, 15), fallYear: year };
    case 'WI': return { season, year, start: dayOf(year, 1, 5), end: dayOf(year, 3, 20), fallYear: year - 1 };
    case 'SP': return { season, year, start: dayOf(year, 1, 22), end: dayOf(year, 5, 25), fallYear: year - 1 };
    case 'SU': return { season, year, start: dayOf(year, 6, 15), end: dayOf(year, 8, 10), fallYear: year - 1 };
  }
}

function inCalifornia(person: Person, day: number): boolean {
  return day <= TIMELINE.asOf && (person.leftCalifornia === null || day < person.leftCalifornia);
}

function collegeGoingRate(p: Person, agComplete: boolean): number {
  const byRace: Partial<Record<Person['race'], number>> = { asian: 0.1, white: 0.02, black: -0.03, hispanic: -0.04 };
  const rate = 0.6 + (agComplete ? 0.2 : 0) + (byRace[p.race] ?? 0) - (p.sed ? 0.05 : 0) - (p.foster ? 0.2 : 0) - (p.homeless ? 0.1 : 0) - (p.swd ? 0.1 : 0);
  return Math.min(0.97, Math.max(0.1, rate));
}

function firstSegment(rng: Rng, p: Person, agComplete: boolean): Segment {
  const u = rng.float();
  if (!agComplete) return u < 0.9 ? 'CCC' : u < 0.95 ? 'PRIVATE' : 'CSU';
  const uc = 0.28 + (p.race === 'asian' ? 0.12 : 0);
  return u < uc ? 'UC' : u < uc + 0.33 ? 'CSU' : u < uc + 0.42 ? 'PRIVATE' : 'CCC';
}

export function simulatePostsecondary(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: CollegeWriters): void {
  const birthYear = Number(person.birthIso.slice(0, 4));
  const hs = life.highSchoolGraduation;
  let segment: Segment;
  let fall: number;
  let startsInSpring = false;
  if (hs && rng.chance(collegeGoingRate(person, hs.agComplete))) {
    segment = firstSegment(rng, person, hs.agComplete);
    fall = hs.fallYear + 1;
    startsInSpring = segment === 'CCC' && rng.chance(0.12);
  } else if (hs && rng.chance(0.2)) {
    [segment, fall] = ['CCC', hs.fallYear + 1 + rng.int(1, 8)];
  } else if (!person.attendedK12 && rng.chance(0.35)) {
    const u = rng.float();
    [segment, fall] = [u < 0.75 ? 'CCC' : u < 0.9 ? 'CSU' : 'PRIVATE', birthYear + person.arrivalAge];
  } else if (person.attendedK12 && !hs && rng.chance(0.12)) {
    [segment, fall] = ['CCC', birthYear + rng.int(18, 28)];
  } else {
    return;
  }
  if (fall < TIMELINE.firstCollegeYear) return;
  const major = MAJOR_SAMPLER.draw(rng);
  const chosen: Major = { cip: major[0], degree: major[1], leadsToTeaching: major[3] };
  if (segment !== 'CCC') {
    attendFourYear(person, life, rng, ctx, out, segment, fall, 'FRESHMAN', chosen);
    return;
  }
  const transferFall = attendCommunityCollege(person, life, rng, ctx, out, fall, startsInSpring, hs?.agComplete ?? false);
  if (transferFall !== null) {
    const u = rng.float();
    attendFourYear(person, life, rng, ctx, out, u < 0.72 ? 'CSU' : u < 0.94 ? 'UC' : 'PRIVATE', transferFall, 'TRANSFER', chosen);
  }
}

/** Returns the fall a student transfers to a four-year institution, or null if they do not. */
function attendCommunityCollege(
  person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: CollegeWriters, fall: number, startsInSpring: boolean, agComplete: boolean,
): number | null {
  const college = ctx.directory.institution('CCC', life.county, rng);
  const studentId = ctx.ids.cccStudentId(person.index, college);
  const first = startsInSpring ? term('SP', fall + 1) : term('FA', fall);
  const identity = presentIdentity(person, first.start, CCC_STYLE, ctx.rates, rng);
  const ssid = person.attendedK12 && rng.chance(0.4) ? ctx.ids.ssid(person.index) : null;
  const ethnicity = CCC_ETHNICITY[reportedRace(rng, person.race)];
  const dsps = person.swd && rng.chance(0.45);
  const fosterYouth = person.foster && rng.chance(0.6);
  const transferIntent = rng.chance(agComplete ? 0.7 : 0.35);
  const fullTime = rng.chance(transferIntent ? 0.65 : 0.35);
  const persistence = person.foster ? 0.65 : transferIntent ? 0.87 : 0.78;
  let cumulative = 0;
  let associate = false;
  let certificate = false;
  let current = first;
  for (let k = 0; k < 16; k++) {
    if (!inCalifornia(person, current.start)) return null;
    const attempted = current.season === 'SU' ? rng.pick([3, 4, 6]) : fullTime ? rng.int(12, 16) : rng.int(3, 10);
    const success = Math.min(1, 0.4 + 0.6 * rng.float() + (agComplete ? 0.1 : 0));
    const earned = Math.round(attempted * success * 2) / 2;
    out.ccEnrollment('cc_enrollment.csv', [
      college.code, studentId, identity.ssn, ssid, identity.last, identity.first, identity.middle, identity.birthIso,
      GENDER_CODES.cccco[person.sex], ethnicity, `${current.year}${current.season}`, String(attempted), String(earned), dsps, fosterYouth,
    ], person.id);
    cumulative += earned;
    life.enrolled.push([current.start, current.end]);
    if (current.season === 'FA') life.aidYears.push({ fallYear: current.fallYear, segment: 'CCC', institutionCode: college.code, fullTime });

    if (current.season === 'SP') {
      const awardDay = current.end + rng.int(3, 20);
      const award = (type: string): void => {
        if (awardDay > TIMELINE.asOf) return;
        out.ccAwards('cc_awards.csv', [college.code, studentId, identity.ssn, identity.last, identity.first, identity.birthIso, type, rng.pick(TOP_CODES), isoOf(awardDay)], person.id);
      };
      if (!associate && cumulative >= 60 && rng.chance(0.6)) {
        associate = true;
        const forTransfer = transferIntent && rng.chance(0.7);
        award(forTransfer ? rng.pick(['AA-T', 'AS-T']) : rng.pick(['AA', 'AS']));
        life.attainments.push({ day: awardDay, level: 'associate' });
      } else if (!certificate && !associate && cumulative >= 30 && rng.chance(0.12)) {
        certificate = true;
        award(cumulative >= 60 ? 'CERT_60_PLUS' : 'CERT_30_59');
        life.attainments.push({ day: awardDay, level: 'certificate' });
      }
      if (transferIntent && cumulative >= 50 && rng.chance(0.55)) return current.year;
    }
    if (!rng.chance(persistence)) return null;
    current = nextCccTerm(current, rng);
  }
  return null;
}

function nextCccTerm(current: Term, rng: Rng): Term {
  if (current.season === 'FA') return term('SP', current.year + 1);
  if (current.season === 'SP' && rng.chance(0.15)) return term('SU', current.year);
  return term('FA', current.year);
}

/** Freshman completion rates and years to degree by segment (roughly the segments' six-year rates). */
const COMPLETION: Readonly<Record<Exclude<Segment, 'CCC'>, { rate: number; years: WeightedSampler<number> }>> = {
  UC: { rate: 0.86, years: new WeightedSampler([4, 5, 6], [0.62, 0.3, 0.08]) },
  CSU: { rate: 0.63, years: new WeightedSampler([4, 5, 6], [0.35, 0.4, 0.25]) },
  PRIVATE: { rate: 0.75, years: new WeightedSampler([4, 5, 6], [0.7, 0.22, 0.08]) },
};
const TRANSFER_YEARS = new WeightedSampler([2, 3, 4], [0.55, 0.35, 0.1]);
const SEMESTER_UC = new Set(['BK', 'MC']);

function attendFourYear(
  person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: CollegeWriters,
  segment: Exclude<Segment, 'CCC'>, fall: number, entry: 'FRESHMAN' | 'TRANSFER', major: Major,
): void {
  const campus = ctx.directory.institution(segment, life.county, rng);
  const plan = COMPLETION[segment];
  const adjustment = (person.sed ? -0.08 : 0) + (person.foster ? -0.15 : 0) + (person.swd ? -0.05 : 0) + (person.race === 'asian' ? 0.05 : 0);
  const completes = rng.chance(Math.min(0.97, (entry === 'TRANSFER' ? (segment === 'UC' ? 0.88 : 0.8) : plan.rate) + adjustment));
  const yearsToDegree = (entry === 'TRANSFER' ? TRANSFER_YEARS : plan.years).draw(rng);
  const years = completes ? yearsToDegree : rng.int(1, Math.max(1, yearsToDegree - 1));
  const firstDay = term('FA', fall).start;
  const fullTime = rng.chance(0.88);

  const style = segment === 'UC' ? UC_STYLE : segment === 'CSU' ? CSU_STYLE : PRIVATE_STYLE;
  const identity = presentIdentity(person, firstDay, style, ctx.rates, rng);
  const degreeCode = segment === 'UC' && major.degree === 'BFA' ? 'BA' : major.degree;
  const degreeDay = dayOf(fall + years, segment === 'UC' ? 6 : 5, rng.int(10, 28));
  const graduates = completes && inCalifornia(person, degreeDay);
  const units = (): string => String(fullTime ? rng.int(12, 16) : rng.int(6, 11));
  const race = reportedRace(rng, person.race);
  const ssid = segment === 'UC' && person.attendedK12 && rng.chance(0.3) ? ctx.ids.ssid(person.index) : null;

  const sourceId = segment === 'UC' ? ctx.ids.ucStudentId(person.index, campus) : segment === 'CSU' ? ctx.ids.csuId(person.index) : ctx.ids.privateStudentId(person.index, campus);
  for (let year = fall; year < fall + years; year++) {
    const seasons: Season[] = segment === 'UC' && !SEMESTER_UC.has(campus.code) ? ['FA', 'WI', 'SP'] : ['FA', 'SP'];
    if (segment !== 'PRIVATE') {
      for (const season of seasons) {
        const t = term(season, season === 'FA' ? year : year + 1);
        if (!inCalifornia(person, t.start)) break;
        const first = year === fall && season === 'FA';
        emitTerm(out, segment, campus, { sourceId, ssid }, identity, person, race, t, first, entry, units(), major);
        life.enrolled.push([t.start, t.end]);
      }
    } else {
      const t = term('FA', year);
      if (!inCalifornia(person, t.start)) break;
      const degreeYear = graduates && year === fall + years - 1;
      out.privateEnrollment('private_enrollment.csv', [
        campus.code, sourceId, identity.ssn, identity.last, identity.first, identity.birthIso, rng.chance(0.02) ? 'Unknown' : GENDER_CODES.aiccu[person.sex],
        IPEDS_ETHNICITY[race], `${year}-${year + 1}`, fullTime ? 'FULL_TIME' : 'PART_TIME', degreeYear ? (degreeCode === 'BS' ? 'BS' : 'BA') : null,
        degreeYear ? isoOf(degreeDay) : null,
      ], person.id);
      life.enrolled.push([t.start, term('SP', year + 1).end]);
    }
    if (inCalifornia(person, term('FA', year).start)) life.aidYears.push({ fallYear: year, segment, institutionCode: campus.code, fullTime });
  }
  if (!graduates) return;
  life.attainments.push({ day: degreeDay, level: 'bachelor' });
  life.bachelor = { day: degreeDay, cip: major.cip, segment };
  if (segment === 'CSU') {
    out.csuDegrees('csu_degrees.txt', [campus.code, sourceId, identity.ssn, identity.last, identity.first, identity.birthIso, degreeCode, major.cip, isoOf(degreeDay)], person.id);
  } else if (segment === 'UC') {
    out.ucDegrees('uc_degrees.csv', [campus.code, sourceId, identity.ssn, identity.last, identity.first, identity.birthIso, degreeCode, major.cip, isoOf(degreeDay)], person.id);
  }
}

function emitTerm(
  out: CollegeWriters, segment: 'CSU' | 'UC', campus: Institution, ids: { sourceId: string; ssid: string | null }, identity: ReturnType<typeof presentIdentity>,
  person: Person, race: Person['race'], t: Term, first: boolean, entry: 'FRESHMAN' | 'TRANSFER', units: string, major: Major,
): void {
  if (segment === 'CSU') {
    const code = `2${String(t.year % 100).padStart(2, '0')}${t.season === 'FA' ? 8 : t.season === 'SU' ? 4 : 2}`;
    const level = first ? (entry === 'FRESHMAN' ? 'FIRST_TIME_FRESHMAN' : 'TRANSFER') : 'CONTINUING';
    const values: FieldValue[] = [campus.code, ids.sourceId, identity.ssn, identity.last, identity.first, identity.middle, identity.birthIso,
      GENDER_CODES.csu[person.sex], IPEDS_ETHNICITY[race], code, level, units, major.cip];
    out.csuEnrollment('csu_enrollment.txt', values, person.id);
  } else {
    out.ucEnrollment('uc_enrollment.csv', [campus.code, ids.sourceId, identity.ssn, ids.ssid, identity.last, identity.first, identity.middle, identity.birthIso,
      GENDER_CODES.uc[person.sex], UC_ETHNICITY[race], `${t.season}${t.year}`, entry, units, major.cip], person.id);
  }
}
