/**
 * The whole pipeline through the CLI, as the README's quick start runs it: generate, land,
 * ingest, link (measured against the truth), outcome cube, disclosure control, publish. Then what
 * reached published/ is checked as a reader of it would: no person ids, no small counts, every
 * hidden value with its reason, metadata beside it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { parse } from 'csv-parse/sync';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { METRICS } from '../../core/outcomes/metrics';
import { PUBLISHED_COLUMNS } from '../../core/outcomes/published-table';
import { SUPPRESSION_REASONS } from '../../core/outcomes/protect';
import { sqlString } from '../../core/validation/sql';

const REPO = path.join(__dirname, '..', '..');
// By name, jest would resolve bin/c2c to bin/c2c.js (js comes first), which runs the CLI on jest's own argv.
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true),
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true),
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void (out += format(...args) + '\n')),
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (err += format(...args) + '\n')),
  ];
  try {
    return { code: await main(argv), out, err };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

let tmp: string;
let demo: { code: number; out: string; err: string };
const published = (file: string): string => path.join(tmp, 'demo', 'lake', 'published', 'outcomes', file);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-demo-'));
  demo = await run('demo', '--dir', path.join(tmp, 'demo'), '--people', '3000', '--seed', '4', '--no-serve');
}, 300_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('the demo runs to the end, links with F1 above 0.97 against the truth, and passes the disclosure audit', () => {
  expect(demo.err).toBe('');
  expect(demo.code).toBe(0);
  const f1 = Number(/F1 (\d\.\d+)/.exec(demo.out)?.[1]);
  expect(f1).toBeGreaterThan(0.97);
  expect(demo.out).toMatch(/the LP audit passed/);
  expect(demo.out).toMatch(/^College-going within 12 months of high school, cohort \d{4}/m);
});

test('published/ holds the cube as CSV and Parquet, with the documented columns and no person id', async () => {
  const csv = await readFile(published('outcomes.csv'), 'utf8');
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  expect(Object.keys(rows[0] ?? {})).toEqual(PUBLISHED_COLUMNS.map(([name]) => name));
  expect(csv).not.toMatch(/c2c_id|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  expect(new Set(rows.map((r) => r.metric_id))).toEqual(new Set(METRICS.map((m) => m.id)));
  const engine = await DuckDbEngine.open();
  try {
    const [parquet] = await engine.query(`SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE grouping_set = '') AS totals FROM read_parquet(${sqlString(published('table/outcomes.parquet'))})`);
    expect(Number(parquet?.n)).toBe(rows.length);
    expect(Number(parquet?.totals)).toBe(rows.filter((r) => r.grouping_set === '').length);
  } finally {
    engine.close();
  }
});

test('every published count is zero or at least 11, every hidden value has a documented reason, rates only with both counts', async () => {
  const rows = parse(await readFile(published('outcomes.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  const reasons = Object.keys(SUPPRESSION_REASONS);
  let hidden = 0;
  for (const row of rows) {
    for (const measure of ['cohort_count', 'event_count'] as const) {
      const value = row[measure] as string;
      const reason = row[`${measure}_suppressed`] as string;
      expect(value === '' ? reasons.includes(reason) : reason === '').toBe(true);
      if (value !== '') expect(Number(value) === 0 || Number(value) >= 11).toBe(true);
      else hidden += 1;
    }
    expect(row.rate === '').toBe(row.cohort_count === '' || row.event_count === '');
  }
  expect(hidden).toBeGreaterThan(0);
});

test('the withheld breakdowns are listed, without counts, and none of them is in the published rows', async () => {
  const withheld = parse(await readFile(published('withheld.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  expect(withheld.length).toBeGreaterThan(0);
  expect(Object.keys(withheld[0] ?? {})).toEqual(['metric_id', 'cohort_year', 'grouping_set', 'reason']);
  expect(new Set(withheld.map((w) => w.reason))).toEqual(new Set(['sparse', 'finer_than_sparse']));
  expect(withheld.every((w) => w.grouping_set !== '')).toBe(true);
  const rows = parse(await readFile(published('outcomes.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  const publishedSets = new Set(rows.map((r) => `${r.metric_id}|${r.cohort_year}|${r.grouping_set}`));
  expect(withheld.filter((w) => publishedSets.has(`${w.metric_id}|${w.cohort_year}|${w.grouping_set}`))).toEqual([]);
});

test('metadata describes every metric, the rule and the reasons; the restricted summary stays in outcomes/', async () => {
  const metadata = JSON.parse(await readFile(published('metadata.json'), 'utf8')) as { metrics: Array<{ id: string; caveats: string[] }>; disclosureControl: { threshold: number; reasons: Record<string, string> }; dataThroughYear: number };
  expect(metadata.metrics.map((m) => m.id)).toEqual(METRICS.map((m) => m.id));
  expect(metadata.disclosureControl.threshold).toBe(11);
  expect(Object.keys(metadata.disclosureControl.reasons)).toEqual(Object.keys(SUPPRESSION_REASONS));
  expect(metadata.dataThroughYear).toBeGreaterThan(2020);
  const summary = JSON.parse(await readFile(path.join(tmp, 'demo', 'lake', 'outcomes', 'disclosure_summary.json'), 'utf8')) as { auditPassed: boolean; exactlyRecovered: number; underProtected: number };
  expect(summary).toMatchObject({ auditPassed: true, exactlyRecovered: 0, underProtected: 0 });
});

test('publish on a lake that was never linked is a usage error', async () => {
  const result = await run('publish', '--lake', tmp);
  expect(result.code).toBe(2);
  expect(result.err).toContain('has no linked tables; run c2c link');
  expect(existsSync(path.join(tmp, 'published'))).toBe(false);
});
