/** Cal Grants (CSAC): need- and merit-based awards paid for each year a recipient is enrolled. */
import { contractFor } from '../contracts/catalog';
import { dayOf, schoolYear } from './calendar';
import { TIMELINE, type SimulationContext } from './context';
import { presentIdentity, type SourceStyle } from './identity';
import type { Life } from './life';
import type { Person } from './population';
import type { Rng } from './random';
import { bindDataset, type EmitRecord } from './sink';

const CSAC_STYLE: SourceStyle = { upperCase: true, keepsAccents: false, nicknameFactor: 0.3, ssn: 'own', ssnMayBeMissing: false, birthDateMayBeMissing: false };

/** Full-year award amounts by segment and grant (tuition award plus access award where paid). */
const AMOUNTS: Readonly<Record<'CCC' | 'CSU' | 'UC' | 'PRIVATE', Readonly<Record<'A' | 'B' | 'C', number>>>> = {
  CCC: { A: 1648, B: 1648, C: 1094 },
  CSU: { A: 5742, B: 7390, C: 547 },
  UC: { A: 13752, B: 15400, C: 547 },
  PRIVATE: { A: 9358, B: 11006, C: 2462 },
};

export function calGrantWriter(ctx: Pick<SimulationContext, 'sink'>): EmitRecord {
  return bindDataset(contractFor('csac', 'cal_grant_awards'), ['award_year', 'csac_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'grant_type', 'segment', 'institution_code', 'amount_paid'], ctx.sink);
}

export function simulateCalGrant(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: EmitRecord): void {
  const eligible = rng.chance((person.sed ? 0.55 : 0.1) + (life.highSchoolGraduation?.agComplete ? 0.1 : 0));
  if (!eligible || life.aidYears.length === 0) return;
  const csacId = ctx.ids.csacId(person.index);
  const identity = presentIdentity(person, dayOf(life.aidYears[0]?.fallYear ?? TIMELINE.lastK12Fall, 3, 2), CSAC_STYLE, ctx.rates, rng);
  const seen = new Set<number>();
  let paidYears = 0;
  for (const year of life.aidYears) {
    if (seen.has(year.fallYear) || year.fallYear > TIMELINE.lastK12Fall || paidYears >= 4) continue;
    seen.add(year.fallYear);
    if (!year.fullTime && year.segment !== 'CCC') continue;
    const grant = year.segment === 'CCC' ? (rng.chance(0.2) ? 'C' : 'B') : person.sed ? 'B' : 'A';
    const share = rng.chance(0.1) ? 0.5 : 1;
    paidYears++;
    out(`cal_grant_awards.csv`, [
      schoolYear(year.fallYear), csacId, identity.ssn, identity.last, identity.first, identity.birthIso, grant, year.segment,
      year.institutionCode, (AMOUNTS[year.segment][grant] * share).toFixed(2),
    ], person.id);
  }
}
