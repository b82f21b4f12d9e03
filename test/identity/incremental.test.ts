/**
 * New drops join the persons already known: a state linked from K-12 and community-college drops
 * first, then again once every other partner's drops arrive. Persons keep their c2c_id, and the
 * new partners' records of a person already known take that person's id.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { landDrops } from '../../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { LINK_LOCATIONS, linkIdentities, type LinkSummary } from '../../core/identity/link';
import { identitySources } from '../../core/identity/sources';
import { ingestLandingZone } from '../../core/ingest/ingest';
import { sqlString } from '../../core/validation/sql';
import { generateState, recordsOf, type GeneratedState } from '../generator/generated-state';

const FIRST_PARTNERS = ['cde', 'cccco'];

let state: GeneratedState;
let lake: LocalLake;
let first: LinkSummary;
let second: LinkSummary;
let firstXwalk: Map<string, string>;
let secondXwalk: Map<string, string>;

async function arrive(partners: (partner: string) => boolean): Promise<LinkSummary> {
  const drops = path.join(state.dir, `drops-${partners('cde') ? 'first' : 'then'}`);
  cpSync(path.join(state.dir, 'drops'), drops, { recursive: true, filter: (source) => {
    const partner = path.relative(path.join(state.dir, 'drops'), source).split(path.sep)[0] ?? '';
    return partner === '' || partners(partner);
  } });
  await landDrops(drops, lake.store);
  await ingestLandingZone(lake);
  return linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
}

async function xwalk(): Promise<Map<string, string>> {
  const rows = await lake.engine.query(`SELECT record_id, c2c_id FROM read_parquet(${sqlString(path.join(lake.store.root, LINK_LOCATIONS.personXwalk))})`);
  return new Map(rows.map((r) => [r.record_id as string, r.c2c_id as string]));
}

/** Every identity record's true person (records holding two people left out). */
function truePersons(): Map<string, string> {
  const persons = new Map<string, Set<string>>();
  for (const source of identitySources()) {
    for (const { personId, record } of recordsOf(state, source.contract.id)) {
      const recordId = `${source.namespace}|${source.sourceId.map((f) => record[f]).join(':')}`;
      persons.set(recordId, (persons.get(recordId) ?? new Set()).add(personId));
    }
  }
  return new Map([...persons].filter(([, p]) => p.size === 1).map(([id, p]) => [id, [...p][0] as string]));
}

beforeAll(async () => {
  state = await generateState({ people: 400, seed: 8, noise: 'medium' }, 1);
  lake = await openLocalLake(path.join(state.dir, 'lake'));
  first = await arrive((partner) => FIRST_PARTNERS.includes(partner));
  firstXwalk = await xwalk();
  second = await arrive((partner) => !FIRST_PARTNERS.includes(partner));
  secondXwalk = await xwalk();
}, 180_000);
afterAll(async () => {
  await lake?.close();
  state?.remove();
});

test('the second run adds the new partners\' records and keeps the first run\'s records and ids', () => {
  expect(second.identityRecords).toBeGreaterThan(first.identityRecords * 2);
  const kept = [...firstXwalk].filter(([record, id]) => secondXwalk.get(record) === id).length;
  // An id changes only where new records merge two earlier persons into one (one id carries on).
  expect(kept / firstXwalk.size).toBeGreaterThan(0.99);
  expect(second.keptIds).toBeGreaterThanOrEqual(first.persons - 5);
});

test('a known person\'s records from the new partners take that person\'s c2c_id', () => {
  const truth = truePersons();
  const idOfPerson = new Map<string, string>();
  for (const [record, id] of firstXwalk) {
    const person = truth.get(record);
    if (person !== undefined && !idOfPerson.has(person)) idOfPerson.set(person, id);
  }
  const newRecordsOfKnownPersons = [...secondXwalk].filter(([record]) => !firstXwalk.has(record) && idOfPerson.has(truth.get(record) ?? ''));
  expect(newRecordsOfKnownPersons.length).toBeGreaterThan(300);
  const joined = newRecordsOfKnownPersons.filter(([record, id]) => idOfPerson.get(truth.get(record) as string) === id).length;
  expect(joined / newRecordsOfKnownPersons.length).toBeGreaterThan(0.97);
});
