/**
 * `c2c link-files`: linking FEBRL 4's two files (docs/febrl.md), deduplicating one CSV of
 * synthetic people, and the errors a user meets, none of which quotes a value from the files.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { linkFiles } from '../../bin/cli/link-files';
import { Progress } from '../../bin/cli/progress';
import { exampleDocument } from '../linkage/fixtures';
import { entityOf, syntheticRecords } from '../linkage/synthetic';

const REPO = path.join(__dirname, '..', '..');
// By name, jest would resolve bin/c2c to bin/c2c.js (js comes first), which runs the CLI on jest's own argv.
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));

const FEBRL = path.join(REPO, 'reference-data', 'febrl');
const FEBRL_SETTINGS = path.join(REPO, 'docs', 'examples', 'febrl4-settings.json');

const RECORDS = syntheticRecords({ entities: 300, seed: 11 });
let dir: string;

/** Progress goes to stderr; a test's output stays quiet. */
const quiet = (): Progress => {
  const progress = new Progress();
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return progress;
};

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const capture = (...args: unknown[]): void => void (out += format(...args) + '\n');
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(capture),
    jest.spyOn(console, 'error').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true)),
  ];
  try {
    return { code: await main(argv), out };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-link-files-'));
  // Headers as a person would write them: spaces, capitals; link-files makes them identifiers.
  const cell = (value: string | null | undefined): string => value ?? '';
  const lines = ['Record ID, First Name, Last Name, DOB, SSN, SSID, Entity',
    ...RECORDS.map((r) => [r.id, cell(r.first), cell(r.last), cell(r.dob), cell(r.ssn), cell(r.ssid), entityOf(r.id)].join(', '))];
  writeFileSync(path.join(dir, 'people.csv'), lines.join('\n') + '\n');
  // In one file every link is within one source, so sameSourceThreshold is the threshold that counts:
  // a dedupe sets it to the match threshold.
  writeFileSync(path.join(dir, 'example-settings.json'), JSON.stringify({ ...exampleDocument(), clustering: { sameSourceThreshold: 0.95 } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

test('FEBRL 4: the two files linked with docs/examples/febrl4-settings.json reach pairwise F1 0.99', async () => {
  const summary = await linkFiles({
    inputs: [path.join(FEBRL, 'dataset4a.csv'), path.join(FEBRL, 'dataset4b.csv')],
    settings: FEBRL_SETTINGS,
    out: path.join(dir, 'febrl'),
    truthColumn: 'rec_id',
    truthPattern: 'rec-(\\d+)-',
  }, quiet());
  console.log(`FEBRL 4: ${JSON.stringify(summary.quality)}`);
  expect(summary.records).toBe(10_000);
  expect(summary.linkType).toBe('link_only');
  expect(summary.converged).toBe(true);
  expect(summary.quality?.persons).toBe(5_000);
  expect(summary.quality?.f1).toBeGreaterThanOrEqual(0.99);
});

test('one file is deduplicated: the summary counts what was done, and clusters.csv places each record in its file', async () => {
  const out = path.join(dir, 'dedupe');
  const { code, out: printed } = await run('link-files', '--input', path.join(dir, 'people.csv'), '--settings', path.join(dir, 'example-settings.json'),
    '--out', out, '--truth-column', 'Entity', '--threads', '1');
  expect(code).toBe(0);
  expect(printed).toMatch(new RegExp(`${RECORDS.length.toLocaleString('en-US')} records deduplicated \\(link_and_dedupe\\): [\\d,]+ candidate pairs; EM converged`));
  const f1 = Number(/F1 (\d\.\d+)/.exec(printed)?.[1]);
  expect(f1).toBeGreaterThanOrEqual(0.95);
  const [header, ...rows] = readFileSync(path.join(out, 'clusters.csv'), 'utf8').trim().split('\n');
  expect(header).toBe('source,file_row,record_id,cluster_id');
  expect(rows).toHaveLength(RECORDS.length);
  expect(rows[0]).toBe('people.csv,1,1,1');
  for (const file of ['predictions.parquet', 'clusters.parquet', 'parameters.parquet', 'training.parquet', 'cluster_conflicts.parquet', 'linkage_quality.parquet']) {
    expect(existsSync(path.join(out, file))).toBe(true);
  }
  // Nothing printed quotes a value: no name, date or number of the records.
  const values = new Set(RECORDS.flatMap((r) => [r.first, r.last, r.dob, r.ssn, r.ssid]).filter((v): v is string => typeof v === 'string' && v.length > 3));
  const shown = printed.toUpperCase();
  expect([...values].filter((v) => shown.includes(v.toUpperCase()))).toEqual([]);
});

test.each([
  ['a missing input', ['--input', 'nowhere.csv'], /c2c: input nowhere\.csv is not a file/],
  ['a missing settings file', ['--settings', 'nowhere.json'], /c2c: settings file nowhere\.json does not exist/],
])('%s is a usage error', async (_what, change, message) => {
  const argv = ['link-files', '--input', path.join(dir, 'people.csv'), '--settings', path.join(dir, 'example-settings.json'), '--out', path.join(dir, 'x')];
  for (let i = 0; i < change.length; i += 2) argv[argv.indexOf(change[i] as string) + 1] = change[i + 1] as string;
  const { code, out } = await run(...argv);
  expect(code).toBe(2);
  expect(out).toMatch(message);
});

test('settings that are not valid are named by their JSON path', async () => {
  const document = exampleDocument() as { comparisons: { levels: Record<string, unknown>[] }[] };
  (document.comparisons[0] as { levels: Record<string, unknown>[] }).levels[3] = { kind: 'jaro_winkler', threshold: 2 };
  const file = path.join(dir, 'bad-settings.json');
  writeFileSync(file, JSON.stringify(document));
  const { code, out } = await run('link-files', '--input', path.join(dir, 'people.csv'), '--settings', file, '--out', path.join(dir, 'x'));
  expect(code).toBe(2);
  expect(out).toContain(`c2c: settings file ${file}: linkage settings example_people are invalid: /comparisons/0/levels/3/threshold`);

  writeFileSync(file, '{ "name": ');
  expect((await run('link-files', '--input', path.join(dir, 'people.csv'), '--settings', file, '--out', path.join(dir, 'x'))).out).toContain(`settings file ${file} is not JSON`);
});

test('a CSV without a column the settings read names the column, the field and the columns it has', async () => {
  const file = path.join(dir, 'no-ssid.csv');
  writeFileSync(file, 'first_name,last_name,dob,ssn\nAda,Byron,1990-01-02,123456780\n');
  const { code, out } = await run('link-files', '--input', file, '--settings', path.join(dir, 'example-settings.json'), '--out', path.join(dir, 'x'));
  expect(code).toBe(2);
  expect(out).toContain('c2c: no-ssid.csv has no column ssid (needed by field student_id); its columns are first_name, last_name, dob, ssn');
  expect(out).not.toContain('Byron');
});
