/**
 * Work: quarterly wages reported to EDD by employers. Employment and pay depend on age,
 * schooling, enrollment and (as in real wage data) sex and race/ethnicity; teachers are paid by
 * their district.
 */
import { contractFor } from '../contracts/catalog';
import { ageAt, dayOf } from './calendar';
import { TIMELINE, type SimulationContext } from './context';
import type { Employer } from './directory';
import { presentIdentity, type PresentedIdentity, type SourceStyle } from './identity';
import { educationOn, enrolledOn, type EducationLevel, type Life } from './life';
import type { Person } from './population';
import type { Rng } from './random';
import { bindDataset, type EmitRecord } from './sink';

const EDD_STYLE: SourceStyle = { upperCase: true, keepsAccents: false, nicknameFactor: 3, ssn: 'work', ssnMayBeMissing: false, birthDateMayBeMissing: true };

const EMPLOYMENT_RATE: Readonly<Record<EducationLevel, number>> = { none: 0.62, high_school: 0.72, certificate: 0.76, associate: 0.79, bachelor: 0.84 };
const ANNUAL_PAY: Readonly<Record<EducationLevel, number>> = { none: 26000, high_school: 34000, certificate: 40000, associate: 45000, bachelor: 62000 };
const PAY_GAP_BY_RACE: Partial<Record<Person['race'], number>> = { black: 0.9, hispanic: 0.92, asian: 1.08, white: 1.03 };
/** Chance a job lasts another quarter. */
const JOB_STAYS = 0.93;

export function wageWriter(ctx: Pick<SimulationContext, 'sink'>): EmitRecord {
  return bindDataset(contractFor('edd', 'ui_wages'), ['ssn', 'last_name', 'first_name', 'employer_account', 'naics_code', 'year', 'quarter', 'wages'], ctx.sink);
}

export function simulateWages(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: EmitRecord): void {
  if (person.workSsn === null) return;
  const borrowed = person.workSsn !== person.ssn;
  const birthYear = Number(person.birthIso.slice(0, 4));
  const firstYear = Math.max(TIMELINE.firstWageQuarter.year, birthYear + (person.attendedK12 ? 16 : person.arrivalAge));
  const { year: lastYear, quarter: lastQuarter } = TIMELINE.lastWageQuarter;
  const teaching = new Map(life.teaching.map((t) => [t.fallYear, t.district]));
  const newJob = (): Employer => (borrowed ? ctx.directory.informalEmployer(rng) : ctx.directory.employer(rng));

  let employed = false;
  let employer = newJob();
  let identity: PresentedIdentity | null = null;
  for (let year = firstYear; year <= lastYear; year++) {
    for (let quarter = 1; quarter <= 4; quarter++) {
      if (year === lastYear && quarter > lastQuarter) return;
      const day = dayOf(year, quarter * 3 - 1, 15);
      if (person.leftCalifornia !== null && day >= person.leftCalifornia) return;
      const age = ageAt(person.birth, day);
      const education = educationOn(life, day);
      const fallYear = quarter >= 3 ? year : year - 1;
      const district = teaching.get(fallYear);
      const studying = enrolledOn(life, day);

      let annual: number;
      let jobEmployer: Employer;
      if (district) {
        jobEmployer = { account: district.employerAccount, naics: '611110' };
        annual = 56000 + 2500 * (fallYear - (life.teaching[0]?.fallYear ?? fallYear));
        employed = true;
      } else {
        const base = age < 18 ? 0.3 : studying ? 0.55 : EMPLOYMENT_RATE[education] - (person.swd ? 0.05 : 0) - (person.foster ? 0.08 : 0);
        const findsJob = (base * (1 - JOB_STAYS)) / (1 - base);
        employed = rng.chance(employed ? JOB_STAYS : findsJob);
        if (!employed) continue;
        const ageFactor = Math.min(1.5, Math.max(0.6, 0.6 + 0.035 * (age - 18)));
        const sexFactor = person.sex === 'F' ? 0.88 : 1;
        annual = ANNUAL_PAY[education] * ageFactor * person.earningsFactor * sexFactor * (PAY_GAP_BY_RACE[person.race] ?? 1)
          * (studying ? 0.35 : 1) * (age < 18 ? 0.25 : 1);
        jobEmployer = employer;
      }
      if (identity === null || rng.chance(0.05)) identity = presentIdentity(person, day, EDD_STYLE, ctx.rates, rng);
      const named = !rng.chance(ctx.rates.missingWageName);
      const quarterPay = (annual / 4) * (0.8 + 0.4 * rng.float());
      const write = (e: Employer, amount: number): void => {
        out(`ui_wages_${year}.csv.gz`, [
          identity?.ssn ?? null, named ? (identity?.last ?? null) : null, named ? (identity?.first ?? null) : null,
          e.account, e.naics, String(year), String(quarter), amount.toFixed(2),
        ], person.id);
      };
      // Changing jobs mid-quarter leaves wages from both employers in that quarter.
      if (!district && rng.chance(0.06)) {
        const next = newJob();
        if (next.account !== employer.account) {
          const split = 0.2 + 0.6 * rng.float();
          write(employer, quarterPay * split);
          write(next, quarterPay * (1 - split));
          employer = next;
          continue;
        }
      }
      write(jobEmployer, quarterPay);
    }
  }
}
