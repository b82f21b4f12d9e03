/** Social services: CalFresh (DSS) and Medi-Cal (DHCS) periods of participation. */
import { contractFor } from '../contracts/catalog';
import { dayOf, isoOf } from './calendar';
import { GENDER_CODES } from './codes';
import { TIMELINE, type SimulationContext } from './context';
import { presentIdentity, type SourceStyle } from './identity';
import type { Life } from './life';
import type { Person } from './population';
import type { Rng } from './random';
import { bindDataset, type EmitRecord } from './sink';

const DSS_STYLE: SourceStyle = { upperCase: false, keepsAccents: true, nicknameFactor: 0.5, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: false };
const DHCS_STYLE: SourceStyle = { upperCase: true, keepsAccents: false, nicknameFactor: 0.3, ssn: 'own', ssnMayBeMissing: true, birthDateMayBeMissing: false };
const AID_CODES = ['1H', '3D', '3N', '7U', '8N', 'M1', 'P5', '0R', 'H1', '3T'];
/** Services in the data begin in 2008. */
const FIRST_SERVICE_DAY = dayOf(2008, 1, 1);

export interface SocialServiceWriters {
  readonly calfresh: EmitRecord;
  readonly mediCal: EmitRecord;
}

export function socialServiceWriters(ctx: Pick<SimulationContext, 'sink'>): SocialServiceWriters {
  return {
    calfresh: bindDataset(contractFor('dss', 'calfresh'), ['client_id', 'ssn', 'last_name', 'first_name', 'birth_date', 'gender', 'county_code', 'aid_begin_date', 'aid_end_date'], ctx.sink),
    mediCal: bindDataset(contractFor('dhcs', 'medi_cal'), ['cin', 'ssn', 'last_name', 'first_name', 'middle_initial', 'birth_date', 'sex', 'county_code', 'aid_code', 'eligibility_start', 'eligibility_end'], ctx.sink),
  };
}

/** Non-overlapping periods [begin, end|null] after `from`; null end means still ongoing. */
function periods(rng: Rng, from: number, until: number, count: number, minMonths: number, maxMonths: number): Array<[number, number | null]> {
  const result: Array<[number, number | null]> = [];
  let cursor = from;
  for (let i = 0; i < count && cursor < until - 31; i++) {
    const begin = cursor + rng.int(0, Math.max(0, Math.floor((until - cursor) / (count - i + 1))));
    const end = begin + Math.round(30.44 * rng.int(minMonths, maxMonths)) - 1;
    result.push([begin, end >= TIMELINE.asOf ? null : end]);
    if (end >= until) break;
    cursor = end + rng.int(31, 400);
  }
  return result.filter(([begin]) => begin <= until);
}

export function simulateSocialServices(person: Person, life: Life, rng: Rng, ctx: SimulationContext, out: SocialServiceWriters): void {
  const from = Math.max(FIRST_SERVICE_DAY, person.birth);
  const until = person.leftCalifornia === null ? TIMELINE.asOf : Math.min(TIMELINE.asOf, person.leftCalifornia);
  if (until <= from + 31) return;

  if (rng.chance(person.sed ? 0.45 : 0.05)) {
    const identity = presentIdentity(person, from, DSS_STYLE, ctx.rates, rng);
    const clientId = ctx.ids.calfreshClientId(person.index);
    for (const [begin, end] of periods(rng, from, until, rng.int(1, 3), 3, 36)) {
      out.calfresh('calfresh.csv', [clientId, identity.ssn, identity.last, identity.first, identity.birthIso, GENDER_CODES.dss[person.sex], life.county.code,
        isoOf(begin), end === null ? null : isoOf(end)], person.id);
    }
  }
  if (rng.chance(person.sed ? 0.8 : 0.18)) {
    const identity = presentIdentity(person, from, DHCS_STYLE, ctx.rates, rng);
    const cin = ctx.ids.cin(person.index);
    for (const [begin, end] of periods(rng, from, until, rng.int(1, 4), 6, 60)) {
      out.mediCal('medi_cal.txt', [cin, identity.ssn, identity.last, identity.first, identity.middle?.slice(0, 1) ?? null, identity.birthIso,
        GENDER_CODES.dhcs[person.sex], life.county.code, rng.pick(AID_CODES), isoOf(begin), end === null ? null : isoOf(end)], person.id);
    }
  }
}
