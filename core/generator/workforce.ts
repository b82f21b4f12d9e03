/**
 * Work: quarterly wages reported to EDD by employers. Employment and pay depend on age,
 * schooling, enrollment and (as in real wage data) sex and race/ethnicity; teachers are paid by
 * their district.
 */
import { contractFor } from '../contracts/catalog';
import { approximateAge, dayOf } from './calendar';
import { TIMELINE, type SimulationContext } from './context';
import type { Employer } from './directory';
import { presentIdentity, type SourceStyle } from './identity';
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

/** Quarters of the wage window with their mid-quarter day and file name, computed once. */
const QUARTERS: ReadonlyArray<{ year: number; quarter: number; day: number; yearText: string; quarterText: string; file: string }> = (() => {
  const list = [];
  const { firstWageQuarter: first, lastWageQuarter: last } = TIMELINE;
  for (let year = first.year; year <= last.year; year++) {
    for (let quarter = 1; quarter <= 4; quarter++) {
      if (year * 4 + quarter > last.year * 4 + last.quarter) break;
      list.push({ year, quarter, day: dayOf(year, quarter * 3 - 1, 15), yearText: String(year), quarterText: String(quarter), file: `ui_wages_${year}.csv.gz` });
    }
  }
  return list;
})();

export function simulateWages(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: EmitRecord): void {
  if (person.workSsn === null) return;
  const borrowed = person.workSsn !== person.ssn;
  const birthYear = Number(person.birthIso.slice(0, 4));
  const firstYear = birthYear + (person.attendedK12 ? 16 : person.arrivalAge);
  const teaching = new Map(life.teaching.map((t) => [t.fallYear, { account: t.district.employerAccount, naics: '611110' }]));
  const firstTeachingFall = life.teaching[0]?.fallYear ?? 0;
  const newJob = (): Employer => (borrowed ? ctx.directory.informalEmployer(person.index, rng) : ctx.directory.employer(rng));
  const personalPay = person.earningsFactor * (person.sex === 'F' ? 0.88 : 1) * (PAY_GAP_BY_RACE[person.race] ?? 1);
  const barriers = (person.swd ? 0.05 : 0) + (person.foster ? 0.08 : 0);

  let employed = false;
  let employer = newJob();
  let identity = presentIdentity(person, QUARTERS[0]?.day ?? 0, EDD_STYLE, ctx.rates, rng);
  let named = true;
  const write = (q: (typeof QUARTERS)[number], e: Employer, amount: number): void => {
    out(q.file, [identity.ssn, named ? identity.last : null, named ? identity.first : null, e.account, e.naics, q.yearText, q.quarterText, amount.toFixed(2)], person.id);
  };

  for (const q of QUARTERS) {
    if (q.year < firstYear) continue;
    if (person.leftCalifornia !== null && q.day >= person.leftCalifornia) return;
    const fallYear = q.quarter >= 3 ? q.year : q.year - 1;
    const district = teaching.get(fallYear);
    let annual: number;
    if (district) {
      annual = 56000 + 2500 * (fallYear - firstTeachingFall);
      employed = true;
    } else {
      const age = approximateAge(person.birth, q.day);
      const education = educationOn(life, q.day);
      const studying = enrolledOn(life, q.day);
      const base = age < 18 ? 0.3 : studying ? 0.55 : EMPLOYMENT_RATE[education] - barriers;
      employed = rng.chance(employed ? JOB_STAYS : (base * (1 - JOB_STAYS)) / (1 - base));
      if (!employed) continue;
      const ageFactor = Math.min(1.5, Math.max(0.6, 0.6 + 0.035 * (age - 18)));
      annual = ANNUAL_PAY[education] * ageFactor * personalPay * (studying ? 0.35 : 1) * (age < 18 ? 0.25 : 1);
    }
    // Employers key names their own way: a new rendering now and then, and some send none.
    if (rng.chance(0.05)) identity = presentIdentity(person, q.day, EDD_STYLE, ctx.rates, rng);
    named = !rng.chance(ctx.rates.missingWageName);
    const quarterPay = (annual / 4) * (0.8 + 0.4 * rng.float());
    if (district) {
      write(q, district, quarterPay);
      continue;
    }
    // Changing jobs mid-quarter leaves wages from both employers in that quarter.
    if (rng.chance(0.06)) {
      const next = newJob();
      if (next.account !== employer.account) {
        const split = 0.2 + 0.6 * rng.float();
        write(q, employer, quarterPay * split);
        write(q, next, quarterPay * (1 - split));
        employer = next;
        continue;
      }
    }
    write(q, employer, quarterPay);
  }
}
