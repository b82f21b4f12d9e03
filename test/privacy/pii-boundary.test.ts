/**
 * The PII boundary, proven on a whole run: the local pipeline on a generated state, then every
 * file of linked/, outcomes/ and published/, every report (validation, ledger, linkage,
 * disclosure), every log line the CLI printed and every answer of the Query API are scanned for
 * the names, birth dates, SSNs and source ids of the drops, as values and as column names.
 * The values to look for are read from the raw zone (restricted: it holds them by design); the
 * scanner is shown to find them there, so a leak could not go unseen. Failures name the file,
 * column and kind, never the value.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { openLocalQueryApi } from '../../adapters/api/local-query-api';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { allContracts } from '../../core/contracts/catalog';
import type { PiiKind } from '../../core/contracts/types';
import { sqlString } from '../../core/validation/sql';

const REPO = path.join(__dirname, '..', '..');
// By name, jest would resolve bin/c2c to bin/c2c.js (js comes first), which runs the CLI on jest's own argv.
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));

/** The personal values of the drops, normalized (upper case; SSNs as digits), by kind. */
interface PiiValues {
  readonly byKind: Readonly<Record<PiiKind, ReadonlySet<string>>>;
  /** `FIRST LAST` of each record. */
  readonly fullNames: ReadonlySet<string>;
  /** Names of PII fields in any contract (ssn, first_name, birth_date, ssid, ...). */
  readonly fieldNames: ReadonlySet<string>;
}

const normalize = (value: string): string => value.trim().toUpperCase();
const digits = (value: string): string => value.replace(/\D/g, '');

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** Read from the raw zone's Parquet, as the contracts declare the PII fields. */
async function piiOfDrops(engine: DuckDbEngine, lake: string): Promise<PiiValues> {
  const byKind: Record<PiiKind, Set<string>> = { ssn: new Set(), name: new Set(), birth_date: new Set(), source_id: new Set() };
  const fullNames = new Set<string>();
  const fieldNames = new Set<string>();
  for (const contract of allContracts()) {
    const pii = contract.schema.fields.filter((f) => f.pii);
    for (const field of pii) fieldNames.add(field.name);
    const parquet = (await files(path.join(lake, 'raw', contract.dataset))).filter((f) => f.endsWith('.parquet'));
    if (parquet.length === 0) continue;
    const source = `read_parquet([${parquet.map(sqlString).join(', ')}], union_by_name = true)`;
    for (const field of pii) {
      const kind = field.pii as PiiKind;
      const rows = await engine.query(`SELECT DISTINCT CAST("${field.name}" AS VARCHAR) AS v FROM ${source} WHERE "${field.name}" IS NOT NULL`);
      for (const { v } of rows) {
        const value = normalize(String(v));
        if (kind === 'ssn') byKind.ssn.add(digits(value));
        else if (kind === 'birth_date') {
          // As stored (ISO) and as partners write them.
          const [y, m, d] = value.split('-');
          for (const form of [value, `${y}${m}${d}`, `${m}/${d}/${y}`]) byKind.birth_date.add(form);
        } else if (kind === 'name' && value.length < 3) continue; // initials and two-letter names are words, not identifiers
        else byKind[kind].add(value);
      }
    }
    if (pii.some((f) => f.name === 'first_name') && pii.some((f) => f.name === 'last_name')) {
      for (const { v } of await engine.query(`SELECT DISTINCT upper(trim(first_name) || ' ' || trim(last_name)) AS v FROM ${source} WHERE first_name IS NOT NULL AND last_name IS NOT NULL`)) fullNames.add(String(v));
    }
  }
  return { byKind, fullNames, fieldNames };
}

/** What a text holds of the PII, by kind: identifiers and dates as whole tokens, names as `FIRST LAST` word pairs. */
function piiInText(text: string, pii: PiiValues): PiiKind[] {
  const found = new Set<PiiKind>();
  const upper = text.toUpperCase();
  for (const token of upper.match(/[0-9][0-9-]{8,10}[0-9]/g) ?? []) if (pii.byKind.ssn.has(digits(token))) found.add('ssn');
  for (const token of upper.match(/[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}\/[0-9]{2}\/[0-9]{4}|\b[0-9]{8}\b/g) ?? []) if (pii.byKind.birth_date.has(token)) found.add('birth_date');
  for (const token of upper.match(/[A-Z0-9]{5,}/g) ?? []) if (pii.byKind.source_id.has(token)) found.add('source_id');
  const words = upper.match(/[A-Z][A-Z'-]+/g) ?? [];
  for (let i = 0; i + 1 < words.length; i++) if (pii.fullNames.has(`${words[i]} ${words[i + 1]}`)) found.add('name');
  return [...found];
}

/**
 * What a Parquet file holds of the PII, by column: a PII field's name as a column; any SSN or
 * source id as a value; birth dates or names making up most of a column's values (a single
 * value may coincide: a date of enrollment, a surname that is also a word).
 */
async function piiInParquet(engine: DuckDbEngine, file: string, pii: PiiValues): Promise<string[]> {
  const source = `read_parquet(${sqlString(file)})`;
  const columns = (await engine.query(`DESCRIBE SELECT * FROM ${source}`)).map((c) => String(c.column_name));
  const problems: string[] = columns.filter((c) => pii.fieldNames.has(c)).map((c) => `column ${c} is a PII field`);
  for (const column of columns) {
    const values = (await engine.query(`SELECT DISTINCT CAST("${column}" AS VARCHAR) AS v FROM ${source} WHERE "${column}" IS NOT NULL`)).map((r) => normalize(String(r.v)));
    const share = (set: ReadonlySet<string>): number => values.filter((v) => set.has(v)).length / Math.max(values.length, 1);
    if (values.some((v) => pii.byKind.ssn.has(digits(v)) && digits(v).length === 9)) problems.push(`${column}: an SSN`);
    if (values.some((v) => pii.byKind.source_id.has(v))) problems.push(`${column}: a source id`);
    if (values.length >= 5 && share(pii.byKind.birth_date) > 0.5) problems.push(`${column}: birth dates`);
    if (values.length >= 5 && (share(pii.byKind.name) > 0.5 || share(pii.fullNames) > 0)) problems.push(`${column}: names`);
  }
  return problems;
}

let tmp: string;
let lake: string;
let engine: DuckDbEngine;
let pii: PiiValues;
let logLines = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-pii-'));
  lake = path.join(tmp, 'demo', 'lake');
  const capture = (...args: unknown[]): void => void (logLines += format(...args) + '\n');
  const write = (chunk: string | Uint8Array): boolean => ((logLines += chunk.toString()), true);
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(write),
    jest.spyOn(process.stderr, 'write').mockImplementation(write),
    jest.spyOn(console, 'log').mockImplementation(capture),
    jest.spyOn(console, 'warn').mockImplementation(capture),
    jest.spyOn(console, 'error').mockImplementation(capture),
  ];
  try {
    expect(await main(['demo', '--dir', path.join(tmp, 'demo'), '--people', '2000', '--seed', '11', '--no-serve'])).toBe(0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  engine = await DuckDbEngine.open({ memoryLimit: '1GB' });
  pii = await piiOfDrops(engine, lake);
}, 300_000);

afterAll(async () => {
  engine?.close();
  await rm(tmp, { recursive: true, force: true });
});

it('knows the PII of the drops, and finds it where it is allowed to be (the raw zone)', async () => {
  for (const kind of ['ssn', 'name', 'birth_date', 'source_id'] as const) expect(pii.byKind[kind].size).toBeGreaterThan(100);
  const raw = (await files(path.join(lake, 'raw', 'k12_enrollment'))).find((f) => f.endsWith('.parquet')) as string;
  expect(await piiInParquet(engine, raw, pii)).toEqual(expect.arrayContaining(['column ssid is a PII field', 'ssid: a source id', 'birth_date: birth dates', 'last_name: names']));
  const [someone] = pii.fullNames;
  expect(piiInText(`report: ${someone ?? ''} was seen`, pii)).toEqual(['name']);
});

it('leaves no PII in linked/, outcomes/ or published/, as values or columns', async () => {
  const zones = (await Promise.all(['linked', 'outcomes', 'published'].map((zone) => files(path.join(lake, zone))))).flat();
  expect(zones.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(10);
  const problems: string[] = [];
  for (const file of zones) {
    const where = path.relative(lake, file);
    if (file.endsWith('.parquet')) problems.push(...(await piiInParquet(engine, file, pii)).map((p) => `${where}: ${p}`));
    else problems.push(...piiInText(await readFile(file, 'utf8'), pii).map((kind) => `${where}: ${kind}`));
  }
  expect(problems).toEqual([]);
});

it('puts no PII in any report: validation, ledger, linkage, disclosure', async () => {
  const reports = (await files(lake)).filter((f) => /\.(json|txt|html)$/.test(f) && !f.includes(`${path.sep}landing${path.sep}`));
  expect(reports.filter((f) => f.includes(`${path.sep}raw${path.sep}`)).length).toBeGreaterThan(10);
  expect(reports.some((f) => f.includes(`${path.sep}identity${path.sep}`))).toBe(true);
  const problems: string[] = [];
  for (const report of reports) problems.push(...piiInText(await readFile(report, 'utf8'), pii).map((kind) => `${path.relative(lake, report)}: ${kind}`));
  expect(problems).toEqual([]);
});

it('prints no PII in any log line of the run', () => {
  expect(logLines).toMatch(/Published \d/);
  expect(piiInText(logLines, pii)).toEqual([]);
});

it('answers no PII from the Query API, whatever is asked', async () => {
  const api = await openLocalQueryApi(lake);
  try {
    const get = async (target: string): Promise<string> => {
      const [pathname, query = ''] = target.split('?') as [string, string?];
      return (await api.handler({ method: 'GET', path: pathname, query, headers: {}, body: undefined })).body;
    };
    const bodies = [await get('/v1/health'), await get('/v1/metrics')];
    const { metrics } = JSON.parse(bodies[1] as string) as { metrics: Array<{ id: string }> };
    for (const { id } of metrics) {
      const detail = await get(`/v1/metrics/${id}`);
      bodies.push(detail);
      for (const set of (JSON.parse(detail) as { grouping_sets: string[][] }).grouping_sets) {
        const breakdowns = set.length > 0 ? `&breakdowns=${set.join(',')}` : '';
        bodies.push(await get(`/v1/query?metric=${id}${breakdowns}&limit=5000`), await get(`/v1/query?metric=${id}${breakdowns}&limit=5000&format=csv`));
      }
    }
    expect(bodies.length).toBeGreaterThan(100);
    expect(bodies.flatMap((body, i) => piiInText(body, pii).map((kind) => `answer ${i}: ${kind}`))).toEqual([]);
  } finally {
    api.close();
  }
});
