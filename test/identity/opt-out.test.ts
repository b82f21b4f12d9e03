/**
 * The opt-out registry: requests are checked without echoing them, registered through the CLI,
 * linked to the person's records by the next run, and the person is then absent from every
 * linked table while everyone else stays.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { landDrops } from '../../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, type LocalLake } from '../../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { LINK_LOCATIONS, linkIdentities, type LinkSummary } from '../../core/identity/link';
import { OptOutRequestError, parseOptOutRequests } from '../../core/identity/opt-out';
import { ingestLandingZone } from '../../core/ingest/ingest';
import { LINKED_TABLE_NAMES } from '../../core/linked/plan';
import { sqlString } from '../../core/validation/sql';
import { generateState, recordsOf, type GeneratedState } from '../generator/generated-state';

const REPO = path.join(__dirname, '..', '..');
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));

describe('parsing a request file', () => {
  let next = 0;
  const newId = (): string => `r${next++}`;

  test('reads names, an ISO birth date and the optional fields', () => {
    const requests = parseOptOutRequests(['first_name', 'last_name', 'birth_date', 'ssn', 'gender'], [
      { first_name: ' Ana ', last_name: 'Lopez', birth_date: '2004-02-29', ssn: '123-45-6789', gender: 'F' },
      { first_name: 'Bo', last_name: 'Chen', birth_date: '2003-11-02', ssn: '', gender: '' },
    ], newId);
    expect(requests).toEqual([
      { request_id: 'r0', first_name: 'Ana', middle_name: null, last_name: 'Lopez', birth_date: '2004-02-29', ssn: '123456789', gender: 'F' },
      { request_id: 'r1', first_name: 'Bo', middle_name: null, last_name: 'Chen', birth_date: '2003-11-02', ssn: null, gender: null },
    ]);
  });

  test('names every problem by line and column, never by value, and registers nothing', () => {
    const attempt = (): unknown => parseOptOutRequests(['first_name', 'last_name', 'birth_date', 'ssn'], [
      { first_name: 'Zelda', last_name: '', birth_date: '02/29/2004', ssn: '12345' },
      { first_name: 'Yusuf', last_name: 'Okafor', birth_date: '2003-02-29', ssn: '987654321' },
    ], newId);
    expect(attempt).toThrow(OptOutRequestError);
    expect(attempt).toThrow('4 problems, nothing registered: line 2: last_name is empty; line 2: birth_date must be a date written YYYY-MM-DD; line 2: ssn must be 9 digits (dashes allowed); line 3: birth_date must be a date written YYYY-MM-DD');
    const message = (() => { try { attempt(); return ''; } catch (e) { return (e as Error).message; } })();
    for (const value of ['Zelda', '02/29/2004', '12345', 'Okafor', '2003-02-29']) expect(message).not.toContain(value);
    expect(() => parseOptOutRequests(['first_name', 'surname'], [], newId)).toThrow('missing columns last_name, birth_date; unknown column "surname"');
  });
});

describe('a registered person leaves the linked zone at the next run', () => {
  let state: GeneratedState;
  let lake: LocalLake;
  let before: LinkSummary;
  let after: LinkSummary;
  let optedOut: string[];
  const link = (): Promise<LinkSummary> => linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation: lakeLocations(lake.store.root) });
  const c2cIdsOf = async (table: string): Promise<Set<string>> =>
    new Set((await lake.engine.query(`SELECT DISTINCT c2c_id FROM read_parquet(${sqlString(path.join(lake.store.root, 'linked', `${table}.parquet`))})`)).map((r) => r.c2c_id as string));

  beforeAll(async () => {
    state = await generateState({ people: 300, seed: 21, noise: 'low' }, 1);
    lake = await openLocalLake(path.join(state.dir, 'lake'));
    await landDrops(path.join(state.dir, 'drops'), lake.store);
    await ingestLandingZone(lake);
    before = await link();

    // Three graduates, as they would write to the registry: name and birth date from the truth and their diploma.
    const graduates = recordsOf(state, 'cde/k12_graduation').slice(0, 3);
    optedOut = graduates.map((g) => g.personId);
    const births = new Map(state.persons.map((p) => [p.person_id, p.birth_date]));
    const csv = ['first_name,last_name,birth_date', ...graduates.map((g) => `${g.record.first_name},${g.record.last_name},${births.get(g.personId)}`)].join('\n');
    const file = path.join(state.dir, 'opt-outs.csv');
    writeFileSync(file, csv + '\n');
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
    try {
      expect(await main(['opt-out', 'add', '--lake', lake.store.root, '--file', file])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(logs.join('\n')).toMatch(/Registered 3 opt-out requests in identity\/opt_out_requests\//);
    after = await link();
  }, 180_000);
  afterAll(async () => {
    await lake?.close();
    state?.remove();
  });

  test('the requests link to the three persons, who are recorded as opted out', async () => {
    expect(before.optedOut).toBe(0);
    expect(after.optedOut).toBe(3);
    const rows = await lake.engine.query(`SELECT c2c_id FROM read_parquet(${sqlString(path.join(lake.store.root, LINK_LOCATIONS.optedOut))})`);
    expect(rows).toHaveLength(3);
  });

  test('no linked table holds them; everyone else keeps their id and stays', async () => {
    const xwalk = new Map((await lake.engine.query(`SELECT record_id, c2c_id FROM read_parquet(${sqlString(path.join(lake.store.root, LINK_LOCATIONS.personXwalk))})`)).map((r) => [r.record_id as string, r.c2c_id as string]));
    const theirIds = new Set(recordsOf(state, 'cde/k12_graduation').filter((g) => optedOut.includes(g.personId)).map((g) => xwalk.get(`cde:ssid|${g.record.ssid}`) as string));
    expect(theirIds.size).toBe(3);
    for (const table of LINKED_TABLE_NAMES) {
      const ids = await c2cIdsOf(table);
      expect({ table, leaked: [...theirIds].filter((id) => ids.has(id)) }).toEqual({ table, leaked: [] });
    }
    const persons = await c2cIdsOf('persons');
    expect(persons.size).toBe(before.persons - 3);
    expect(after.keptIds).toBe(before.persons);
    const others = recordsOf(state, 'cde/k12_graduation').filter((g) => !optedOut.includes(g.personId)).map((g) => xwalk.get(`cde:ssid|${g.record.ssid}`) as string);
    expect(others.every((id) => persons.has(id))).toBe(true);
  });
});
