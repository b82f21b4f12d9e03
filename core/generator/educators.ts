/**
 * The teacher pipeline: bachelor's graduates who earn a credential (CTC), are hired by a district
 * and stay or leave year by year (CDE staff data).
 */
import { contractFor } from '../contracts/catalog';
import { dayOf, isoOf, schoolYear } from './calendar';
import { GENDER_CODES } from './codes';
import { TIMELINE, type SimulationContext } from './context';
import { K12_STAFF_STYLE } from './k12';
import { presentIdentity, type SourceStyle } from './identity';
import type { Life } from './life';
import { digitTypo } from './noise';
import type { Person } from './population';
import type { Rng } from './random';
import { bindDataset, type EmitRecord } from './sink';

const CTC_STYLE: SourceStyle = { upperCase: true, keepsAccents: false, nicknameFactor: 0.3, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: false };

export interface EducatorWriters {
  readonly credentials: EmitRecord;
  readonly staff: EmitRecord;
}

export function educatorWriters(ctx: Pick<SimulationContext, 'sink'>): EducatorWriters {
  return {
    credentials: bindDataset(contractFor('ctc', 'credentials'), ['document_number', 'seid', 'ssn', 'last_name', 'first_name', 'middle_name', 'birth_date', 'credential_type', 'document_type', 'subject', 'issue_date', 'expiration_date'], ctx.sink),
    staff: bindDataset(contractFor('cde', 'k12_staff'), ['academic_year', 'seid', 'last_name', 'first_name', 'birth_date', 'gender', 'district_code', 'school_code', 'job_classification', 'fte_percent'], ctx.sink),
  };
}

const SUBJECTS = ['Mathematics', 'English', 'Science: Biological Sciences', 'Social Science', 'Physical Education', 'Spanish', 'Art', 'Music'];

export function simulateEducator(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: EducatorWriters): void {
  const degree = life.bachelor;
  if (!degree) return;
  const leadsToTeaching = ['24.0101', '13.1202', '23.0101', '54.0101', '27.0101', '31.0505'].includes(degree.cip);
  const propensity = (leadsToTeaching ? 0.3 : 0) + (person.sex === 'F' ? 0.07 : person.sex === 'X' ? 0.05 : 0.03);
  if (!rng.chance(propensity)) return;
  const issueDay = degree.day + rng.int(330, 760);
  if (issueDay > TIMELINE.asOf || (person.leftCalifornia !== null && issueDay >= person.leftCalifornia)) return;

  const u = rng.float();
  const type = u < 0.45 ? 'MULTIPLE_SUBJECT' : u < 0.8 ? 'SINGLE_SUBJECT' : u < 0.95 ? 'EDUCATION_SPECIALIST' : 'PUPIL_PERSONNEL_SERVICES';
  const subject = type === 'SINGLE_SUBJECT' ? rng.pick(SUBJECTS) : null;
  const seid = ctx.ids.seid(person.index);
  const identity = presentIdentity(person, issueDay, CTC_STYLE, ctx.rates, rng);
  const document = (ordinal: number, kind: string, day: number): void => {
    out.credentials('credentials.txt', [
      ctx.ids.credentialDocument(person.index, ordinal), seid, identity.ssn, identity.last, identity.first, identity.middle, identity.birthIso,
      type, kind, subject, isoOf(day), isoOf(day + 5 * 365 + 1),
    ], person.id);
  };
  document(0, rng.chance(0.15) ? 'INTERN' : 'PRELIMINARY', issueDay);

  // Hired for the fall after the credential, or not at all.
  if (!rng.chance(0.8)) return;
  const issueYear = Number(isoOf(issueDay).slice(0, 4));
  const firstFall = Number(isoOf(issueDay).slice(5, 7)) <= 8 ? issueYear : issueYear + 1;
  let district = ctx.directory.districtIn(life.county, rng);
  let school = rng.pick([...district.elementary, ...district.middle, ...district.high]);
  let staffIdentity = presentIdentity(person, dayOf(firstFall, 10, 1), K12_STAFF_STYLE, ctx.rates, rng);
  const reportedSeid = rng.chance(ctx.rates.idTypo * 2) ? digitTypo(rng, seid) : seid;
  const fte = rng.chance(0.9) ? '100' : String(rng.pick([50, 60, 80]));
  let cleared = false;
  for (let fall = firstFall, year = 0; fall <= TIMELINE.lastK12Fall; fall++, year++) {
    const day = dayOf(fall, 10, 1);
    if (person.leftCalifornia !== null && day >= person.leftCalifornia) return;
    if (year > 0 && !rng.chance(year < 3 ? 0.86 : 0.91)) return;
    if (year > 0 && rng.chance(0.05)) {
      district = ctx.directory.districtIn(life.county, rng);
      school = rng.pick([...district.elementary, ...district.middle, ...district.high]);
      staffIdentity = presentIdentity(person, day, K12_STAFF_STYLE, ctx.rates, rng);
    }
    const job = type === 'PUPIL_PERSONNEL_SERVICES' ? 'PUPIL_SERVICES' : year >= 6 && rng.chance(0.05) ? 'ADMINISTRATOR' : 'TEACHER';
    out.staff(`k12_staff_${schoolYear(fall)}.txt`, [
      schoolYear(fall), reportedSeid, staffIdentity.last, staffIdentity.first, staffIdentity.birthIso, GENDER_CODES.cde[person.sex],
      district.code, school, job, fte,
    ], person.id);
    life.teaching.push({ fallYear: fall, district });
    // A preliminary credential is cleared after two years of induction.
    if (!cleared && year >= 2 && rng.chance(0.85)) {
      cleared = true;
      const clearDay = dayOf(fall + 1, rng.int(3, 8), rng.int(1, 28));
      if (clearDay <= TIMELINE.asOf) document(1, 'CLEAR', clearDay);
    }
  }
}
