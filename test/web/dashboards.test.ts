/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core), served by the
 * local server over a lake the pipeline published: building a query, its chart and table, a
 * suppressed value and its reason by hover and keyboard, the CSV download against the API's,
 * a shared URL, each dashboard, a phone-sized screen, and an axe-core scan of every view.
 * The screenshots in docs/screenshots/ are written here, so they always show the app as it is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openLocalQueryApi, type LocalQueryApi } from '../../adapters/api/local-query-api';
import { startApiServer, type RunningApiServer } from '../../adapters/api/local-server';
import { buildWebApp } from '../../web/build';

const REPO = path.join(__dirname, '..', '..');
const SCREENSHOTS = path.join(REPO, 'docs', 'screenshots');
const CHROMIUM = process.env.C2C_CHROMIUM ?? '/usr/bin/chromium';
/** Large enough that the college-going and wage dashboards show values beside suppressed ones. */
const PEOPLE = 12000;
const DESKTOP = { width: 1100, height: 1000 };
const PHONE = { width: 390, height: 844 };

interface Value { value: number | null; suppressed: boolean; reason: string | null }
interface ApiRows {
  rows: Array<{ cohort_year: number; groups: Record<string, string>; rate: Value }>;
  footnotes: Array<{ code: string; text: string }>;
}

let tmp: string;
let api: LocalQueryApi;
let server: RunningApiServer;
let browser: Browser;
let context: BrowserContext;

async function run(command: string, args: readonly string[]): Promise<void> {
  const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`);
}

beforeAll(async () => {
  const setup = spawnSync('bash', [path.join(__dirname, 'setup.sh')], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`test/web/setup.sh failed:\n${setup.stderr}`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-web-'));
  await run(process.execPath, [path.join(REPO, 'bin', 'c2c.js'), 'demo', '--dir', path.join(tmp, 'demo'), '--people', String(PEOPLE), '--seed', '4', '--no-serve']);
  api = await openLocalQueryApi(path.join(tmp, 'demo', 'lake'));
  server = await startApiServer({ handler: api.handler, port: 0, site: await buildWebApp() });
  browser = await chromium.launch({ executablePath: CHROMIUM });
  context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  await mkdir(SCREENSHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  api?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Opens a page of the app and waits until its view has drawn (or failed, which fails the test). */
async function open(target: string, on: BrowserContext = context): Promise<Page> {
  const page = await on.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.goto(`${server.url}/${target}`);
  await ready(page);
  expect(errors).toEqual([]);
  return page;
}

async function ready(page: Page): Promise<void> {
  await page.locator('body[data-state="ready"], body[data-state="error"]').waitFor();
  expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
}

async function apiJson<T>(target: string): Promise<T> {
  return (await (await fetch(`${server.url}${target}`)).json()) as T;
}

/** axe-core's serious and critical findings on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the app's CSP allows no inline script, and stays on.
  await page.evaluate(await readFile(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate('axe.run(document, { resultTypes: ["violations"] })') as {
    violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

async function openTables(page: Page): Promise<void> {
  const closed = page.locator('details:not([open]) > summary');
  while (await closed.count() > 0) await closed.first().click();
}

describe('the query builder', () => {
  let page: Page;

  beforeAll(async () => {
    page = await open('?view=query');
    await page.getByLabel('Metric').selectOption('hs_college_going_12m');
    await ready(page);
    await page.getByLabel('Break down by').selectOption('gender');
    await ready(page);
  });

  it('puts the query in the URL and shows its chart and table, hidden values marked, never zero', async () => {
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ view: 'query', metric: 'hs_college_going_12m', breakdowns: 'gender' });
    const answer = await apiJson<ApiRows>('/v1/query?metric=hs_college_going_12m&breakdowns=gender');
    const shown = answer.rows.filter((r) => !r.rate.suppressed);
    const hidden = answer.rows.filter((r) => r.rate.suppressed);
    expect([shown.length, hidden.length].every((n) => n > 0)).toBe(true);

    // The table: one row per API row; each hidden rate says "Suppressed", never a number.
    const table = page.locator('.panel table');
    expect(await table.locator('tbody tr').count()).toBe(answer.rows.length);
    const rateCells = await table.locator('tbody tr td:last-child').allTextContents();
    expect(rateCells.filter((t) => t === 'Suppressed')).toHaveLength(hidden.length);

    // The chart: trend lines by gender; a point per shown rate, hidden ones only as hatched markers under the plot.
    const chart = page.locator('svg.chart').first();
    expect(await chart.locator('path.point').count()).toBe(shown.length);
    const markers = chart.locator('.suppressed-marker');
    expect(await markers.count()).toBe(new Set(hidden.map((r) => r.cohort_year)).size);
    const first = hidden[0];
    if (!first) throw new Error('no hidden rate');
    const reason = answer.footnotes.find((f) => f.code === first.rate.reason)?.text ?? '';
    expect(reason).not.toBe('');
    expect(await markers.first().getAttribute('aria-label')).toContain(reason);
  });

  it('gives a suppressed value\'s reason on hover and on keyboard focus', async () => {
    const cell = page.locator('td.suppressed a').first();
    const note = await cell.getAttribute('aria-describedby') ?? '';
    const reason = (await page.locator(`[id="${note}"]`).textContent()) ?? '';
    expect(reason).toMatch(/^Suppressed \(/);
    const tooltip = page.locator('.tooltip');

    await cell.hover();
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain(reason.replace(/^Suppressed \([^)]*\): /, ''));
    await page.keyboard.press('Escape');
    expect(await tooltip.isVisible()).toBe(false);

    // The chart is one tab stop; the arrow keys walk its marks, each telling its value or why it is hidden.
    await page.mouse.move(0, 0);
    await page.locator('svg.chart .mark[tabindex="0"]').first().focus();
    const firstMark = await page.evaluate('document.activeElement.getAttribute("aria-label")') as string;
    expect(await tooltip.textContent()).toBe(firstMark);
    await page.keyboard.press('End');
    const lastMark = await page.evaluate('document.activeElement.getAttribute("aria-label")') as string;
    expect(lastMark).not.toBe(firstMark);
    expect(await tooltip.textContent()).toBe(lastMark);
    await page.keyboard.press('Home');
    const hiddenYears = await page.locator('svg.chart .suppressed-marker').count();
    let hiddenSeen = 0;
    for (let step = 0; step < await page.locator('svg.chart .mark').count(); step += 1) {
      const label = await page.evaluate('document.activeElement.getAttribute("aria-label")') as string;
      expect(await tooltip.textContent()).toBe(label);
      if (await page.evaluate('document.activeElement.classList.contains("suppressed-marker")')) {
        expect(label).toMatch(/suppressed \(.+\)/);
        hiddenSeen += 1;
      }
      await page.keyboard.press('ArrowRight');
    }
    expect(hiddenSeen).toBe(hiddenYears);
    expect(await page.locator('svg.chart .mark[tabindex="0"]').count()).toBe(1);

    // And by Tab alone: the table's hidden values are links to their reasons.
    await cell.focus();
    expect(await tooltip.isVisible()).toBe(true);
    expect(await tooltip.textContent()).toBe(await cell.getAttribute('data-tip'));
  });

  it('downloads the API\'s CSV of the query', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const file = await readFile(await download.path(), 'utf8');
    const fromApi = await (await fetch(`${server.url}/v1/query?metric=hs_college_going_12m&breakdowns=gender&format=csv`)).text();
    expect(file).toBe(fromApi);
    expect(file.trim().split('\n')).toHaveLength(1 + await page.locator('.panel table tbody tr').count());
  });

  it('reopens the same view from a shared URL', async () => {
    await page.getByLabel('2009', { exact: true }).uncheck();
    await ready(page);
    await page.getByLabel('Add a filter on').selectOption('disability');
    await ready(page);
    await page.locator('fieldset.filter').getByLabel('NO', { exact: true }).uncheck();
    await ready(page);
    const shared = page.url();
    expect(new URL(shared).searchParams.getAll('filter')).toEqual(['disability:YES']);

    const other = await browser.newContext({ viewport: DESKTOP });
    const reopened = await open(shared.slice(server.url.length + 1), other);
    for (const label of ['Metric', 'Break down by', 'and by', 'Measure charted']) {
      expect(await reopened.getByLabel(label, { exact: true }).inputValue()).toBe(await page.getByLabel(label, { exact: true }).inputValue());
    }
    expect(await reopened.getByLabel('2009', { exact: true }).isChecked()).toBe(false);
    expect(await reopened.locator('.panel table').textContent()).toBe(await page.locator('.panel table').textContent());
    const marks = (p: Page): Promise<string[]> => p.locator('svg.chart .mark').evaluateAll((all) => all.map((m) => m.getAttribute('aria-label') ?? ''));
    expect(await marks(reopened)).toEqual(await marks(page));
    await other.close();

    await page.goBack();
    await ready(page);
    expect(new URL(page.url()).searchParams.getAll('filter')).toEqual(['disability:NO', 'disability:YES']);
  });

  it('draws bars by group for one year, a hidden value as a labelled hatched bar', async () => {
    // The latest year with both shown and hidden rates by race/ethnicity.
    const { cohort_years: years } = await apiJson<{ cohort_years: number[] }>('/v1/metrics/hs_college_going_12m');
    let year = 0;
    let answer: ApiRows = { rows: [], footnotes: [] };
    for (const candidate of [...years].reverse()) {
      answer = await apiJson<ApiRows>(`/v1/query?metric=hs_college_going_12m&years=${candidate}&breakdowns=race_ethnicity`);
      year = candidate;
      if (answer.rows.some((r) => r.rate.suppressed) && answer.rows.some((r) => !r.rate.suppressed)) break;
    }
    const bars = await open(`?view=query&metric=hs_college_going_12m&years=${year}&breakdowns=race_ethnicity`);
    const chart = bars.locator('svg.chart');
    expect(await chart.locator('g.bar').count()).toBe(answer.rows.filter((r) => !r.rate.suppressed).length);
    const hidden = chart.locator('g.suppressed-bar');
    expect(await hidden.count()).toBe(answer.rows.filter((r) => r.rate.suppressed).length);
    expect(await hidden.first().locator('text').textContent()).toBe('Suppressed');
    const first = answer.rows.find((r) => r.rate.suppressed);
    expect(await hidden.first().getAttribute('aria-label')).toContain(answer.footnotes.find((f) => f.code === first?.rate.reason)?.text);
    await bars.locator('section.panel').screenshot({ path: path.join(SCREENSHOTS, 'query-builder.png') });
    expect(await axeViolations(bars)).toEqual([]);
    await bars.close();
  });

  it('has no serious accessibility violations, with its table open', async () => {
    await openTables(page);
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('the dashboards', () => {
  it('opens on the teacher pipeline', async () => {
    const page = await open('');
    expect(await page.locator('h1').textContent()).toBe('Teacher pipeline');
    expect(await page.getByRole('link', { name: 'Teacher pipeline' }).getAttribute('aria-current')).toBe('page');
    await page.close();
  });

  // The views' ids are part of every shared dashboard URL.
  it.each([
    ['teachers', 'Teacher pipeline'],
    ['college', 'College-going'],
    ['wages', 'Wages after completion'],
  ])('%s: each panel has its chart and its table, and no serious accessibility violations', async (id, title) => {
    // A fresh context each, so the first view is measured with nothing cached.
    const fresh = await browser.newContext({ viewport: DESKTOP });
    const page = await open(`?view=${id}`, fresh);
    const firstView = await page.evaluate('performance.getEntriesByName("c2c-view-ready")[0].startTime') as number;
    console.log(`${id}: first view drawn ${Math.round(firstView)} ms after navigation start`);
    expect(await page.locator('h1').textContent()).toBe(title);
    const panels = page.locator('section.panel');
    expect(await panels.count()).toBeGreaterThan(0);
    for (const panel of await panels.all()) {
      expect(await panel.locator('svg.chart').count()).toBeGreaterThan(0);
      expect(await panel.locator('table tbody tr').count()).toBeGreaterThan(0);
    }
    // The first screen of it (the whole page would be several hundred kB a picture).
    await page.screenshot({ path: path.join(SCREENSHOTS, `dashboard-${id}.png`) });
    await openTables(page);
    expect(await axeViolations(page)).toEqual([]);

    // Broken down by the first breakdown published (if any) for the latest year every metric has: bars, the choice in the URL.
    const years = (await page.getByLabel('Cohort year', { exact: true }).locator('option').allTextContents()).filter((y) => /^\d{4}$/.test(y));
    const metrics = await Promise.all((await page.locator('a.download').evaluateAll((links) => links.map((a) => new URL(a.getAttribute('href') ?? '', 'http://x').searchParams.get('metric') ?? '')))
      .map((metric) => apiJson<{ cohort_years: number[] }>(`/v1/metrics/${metric}`)));
    const common = years.filter((y) => metrics.every((m) => m.cohort_years.includes(Number(y))));
    const by = page.getByLabel('Break down by', { exact: true });
    const breakdown = (await by.locator('option:not([disabled])').evaluateAll((options) => options.map((o) => o.getAttribute('value') ?? ''))).find((v) => v !== '');
    if (breakdown) {
      await by.selectOption(breakdown);
      await ready(page);
    }
    await page.getByLabel('Cohort year', { exact: true }).selectOption(common[common.length - 1] ?? '');
    await ready(page);
    expect([...new URL(page.url()).searchParams.keys()]).toEqual(['view', ...(breakdown ? ['by'] : []), 'year']);
    expect(await page.locator('svg.chart g.bar, svg.chart g.suppressed-bar').count()).toBeGreaterThan(0);
    await openTables(page);
    expect(await axeViolations(page)).toEqual([]);
    await fresh.close();
  });

  it('fits a phone: nothing wider than the screen, and a tap shows a hidden value\'s reason', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const page = await open('?view=wages', phone);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    for (const chart of await page.locator('svg.chart').all()) {
      expect((await chart.boundingBox())?.width).toBeLessThanOrEqual(PHONE.width);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-wages.png') });
    expect(await axeViolations(page)).toEqual([]);
    const marker = page.locator('svg.chart .suppressed-marker').first();
    await marker.tap();
    expect(await page.locator('.tooltip').textContent()).toBe(await marker.getAttribute('aria-label'));
    await phone.close();
  });
});
