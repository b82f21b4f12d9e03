/**
 * K-12: census-day enrollment from kindergarten to grade 12 or dropping out, high school
 * completion, with the flags the breakdowns need. Writes CDE's k12_enrollment and k12_graduation.
 */
import { contractFor } from '../contracts/catalog';
import { dayOf, isoOf, schoolYear } from './calendar';
import { calpadsRace, GENDER_CODES } from './codes';
import { TIMELINE, type SimulationContext } from './context';
import type { District } from './directory';
import { presentIdentity, type PresentedIdentity, type SourceStyle } from './identity';
import type { Life } from './life';
import type { Person } from './population';
import type { Rng } from './random';
import { bindDataset, type EmitRecord } from './sink';

const CDE_STYLE: SourceStyle = {
  upperCase: true, keepsAccents: false, nicknameFactor: 0.2, ssn: 'none', ssnMayBeMissing: true, birthDateMayBeMissing: false,
};
/** Staff records are keyed by districts' HR systems: nicknames are more common than for students. */
export const K12_STAFF_STYLE: SourceStyle = { ...CDE_STYLE, nicknameFactor: 1 };

const ENROLLMENT_COLUMNS = [
  'academic_year', 'ssid', 'last_name', 'first_name', 'middle_name', 'birth_date', 'gender', 'hispanic_ind', 'race_code_1',
  'race_code_2', 'grade_level', 'school_code', 'county_code', 'swd_ind', 'foster_ind', 'homeless_ind', 'english_learner_ind', 'sed_ind',
] as const;
const GRADUATION_COLUMNS = [
  'academic_year', 'ssid', 'last_name', 'first_name', 'birth_date', 'gender', 'school_code', 'county_code',
  'completion_type', 'completion_date', 'ag_complete_ind',
] as const;

export interface K12Writers {
  readonly enrollment: EmitRecord;
  readonly graduation: EmitRecord;
}

export function k12Writers(ctx: Pick<SimulationContext, 'sink'>): K12Writers {
  return {
    enrollment: bindDataset(contractFor('cde', 'k12_enrollment'), ENROLLMENT_COLUMNS, ctx.sink),
    graduation: bindDataset(contractFor('cde', 'k12_graduation'), GRADUATION_COLUMNS, ctx.sink),
  };
}

const GRADES = ['KN', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

function dropoutRisk(p: Person): number {
  const byRace = p.race === 'black' ? 0.03 : p.race === 'hispanic' ? 0.02 : p.race === 'asian' ? -0.02 : 0;
  return Math.max(0.01, 0.04 + byRace + (p.sed ? 0.03 : 0) + (p.swd ? 0.04 : 0) + (p.foster ? 0.25 : 0) + (p.homeless ? 0.12 : 0));
}

function agCompletion(p: Person): number {
  const byRace: Partial<Record<Person['race'], number>> = { asian: 0.25, filipino: 0.12, white: 0.08, black: -0.1, hispanic: -0.05 };
  const share = 0.52 + (byRace[p.race] ?? 0) - (p.sed ? 0.1 : 0) - (p.swd ? 0.3 : 0) - (p.foster ? 0.25 : 0) - (p.homeless ? 0.1 : 0);
  return Math.min(0.95, Math.max(0.02, share));
}

/** A span of school years [from, to) in grade numbers during which a flag holds. */
function gradeSpan(rng: Rng, holds: boolean, minLength: number, maxLength: number): [number, number] {
  if (!holds) return [99, 99];
  const from = rng.int(0, 11);
  return [from, from + rng.int(minLength, maxLength)];
}

export function simulateK12(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: K12Writers): void {
  if (!person.attendedK12) return;
  const birthMonth = Number(person.birthIso.slice(5, 7));
  const kindergartenFall = Number(person.birthIso.slice(0, 4)) + 5 + (birthMonth >= 9 ? 1 : 0);
  const ssid = ctx.ids.ssid(person.index);
  const race = calpadsRace(rng, person.race);
  const droppedOut = rng.chance(dropoutRisk(person));
  const lastGrade = droppedOut ? rng.int(9, 12) : 12;
  const swdFrom = person.swd ? rng.int(0, 4) : 99;
  const foster = gradeSpan(rng, person.foster, 1, 5);
  const homeless = gradeSpan(rng, person.homeless, 1, 3);
  const englishLearnerUntil = person.englishLearner ? (rng.chance(0.3) ? 99 : rng.int(3, 9)) : -1;
  const gender = GENDER_CODES.cde[person.sex];

  let district: District = ctx.directory.districtIn(life.county, rng);
  let school = '';
  let identity: PresentedIdentity | null = null;
  for (let grade = 0; grade <= lastGrade; grade++) {
    const fall = kindergartenFall + grade;
    const censusDay = dayOf(fall, 10, 5);
    if (person.leftCalifornia !== null && censusDay >= person.leftCalifornia) return;
    // Families move at the start of middle and high school now and then.
    if ((grade === 6 || grade === 9) && rng.chance(0.08)) {
      life.county = ctx.population.countyAt(rng.float());
      district = ctx.directory.districtIn(life.county, rng);
    }
    if (grade === 0 || grade === 6 || grade === 9 || rng.chance(0.02)) identity = presentIdentity(person, censusDay, CDE_STYLE, ctx.rates, rng);
    if (grade === 0 || grade === 6 || grade === 9) {
      school = rng.pick(grade === 0 ? district.elementary : grade === 6 ? district.middle : district.high);
    }
    if (fall < TIMELINE.firstK12Fall || fall > TIMELINE.lastK12Fall || identity === null) continue;
    out.enrollment(`k12_enrollment_${schoolYear(fall)}.txt`, [
      schoolYear(fall), ssid, identity.last, identity.first, identity.middle, identity.birthIso, gender,
      race.hispanic, race.race1, race.race2, GRADES[grade] as string, school, district.county.code,
      grade >= swdFrom, grade >= foster[0] && grade < foster[1], grade >= homeless[0] && grade < homeless[1],
      grade <= englishLearnerUntil, person.sed,
    ], person.id);
  }
  if (droppedOut) return;

  const fall = kindergartenFall + 12;
  const completionDay = dayOf(fall + 1, 6, rng.int(1, 15));
  const specialEducation = person.swd && rng.chance(0.12);
  const agComplete = !specialEducation && rng.chance(agCompletion(person));
  life.highSchoolGraduation = { day: completionDay, fallYear: fall, agComplete, district };
  life.attainments.push({ day: completionDay, level: 'high_school' });
  if (fall < TIMELINE.firstK12Fall || fall > TIMELINE.lastK12Fall || identity === null) return;
  out.graduation('k12_graduation.txt', [
    schoolYear(fall), ssid, identity.last, identity.first, identity.birthIso, gender, school, district.county.code,
    specialEducation ? 'SPED_CERTIFICATE' : rng.chance(0.01) ? 'CHSPE' : 'STANDARD_DIPLOMA', isoOf(completionDay), agComplete,
  ], person.id);
}
