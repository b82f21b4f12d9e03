/**
 * A panel of results, as the query builder and the dashboards show them: the chart (with its
 * key), the same numbers as a table (the chart's text alternative, every hidden value marked and
 * linked to its reason), the notes the API sent, and the API's CSV of each query.
 */
import type { Footnote, Measure, Query, QueryApi, QueryResult } from './api';
import { chartModel, columnsOf, describeValue, reasonTexts, type ChartInput, type ChartModel } from './chart-data';
import { renderChart, renderLegend } from './chart-svg';
import { h } from './dom';
import { formatValue, MEASURE_LABELS, measuresOf, SUPPRESSED_LABEL } from './format';

export interface Panel {
  /** Prefix of the panel's element ids: unique on the page. */
  readonly id: string;
  readonly title: string;
  readonly queries: readonly Query[];
  /** The answers to `queries`, in the same order. */
  readonly results: readonly QueryResult[];
  readonly measure: Measure;
  readonly metricLabel: ChartInput['metricLabel'];
  readonly breakdownTitle: ChartInput['breakdownTitle'];
  readonly year?: number;
  /** Several metrics over several years by group: one chart per metric, or the lines tangle. */
  readonly chartPerMetric?: boolean;
  /** Dashboards fold their tables away; the query builder shows its table open. */
  readonly tableOpen: boolean;
  readonly api: QueryApi;
}

function caption(panel: Panel, model: ChartModel, subject: string): string {
  const by = model.kind === 'line' ? 'by cohort year' : `by ${model.xTitle.toLowerCase()}`;
  const year = model.year !== undefined ? `, cohort ${model.year} (the table has every year)` : '';
  return `${subject}: ${MEASURE_LABELS[panel.measure].toLowerCase()} ${by}${year}`;
}

/** A chart that redraws at its box's width (a phone, a rotated phone, a resized window). */
function figure(panel: Panel, model: ChartModel, subject: string): HTMLElement {
  const text = caption(panel, model, subject);
  const box = h('div', { class: 'chart-box' });
  let drawnWidth = 0;
  new ResizeObserver(() => {
    const width = Math.floor(box.clientWidth);
    if (width === 0 || width === drawnWidth) return;
    drawnWidth = width;
    box.replaceChildren(renderChart(model, width, text));
  }).observe(box);
  const allHidden = model.series.every((series) => series.points.every((p) => p.value.suppressed || p.value.value === null));
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, text),
    allHidden && h('p', { class: 'hint' }, 'Every value of this chart is suppressed; the hatched marks and the notes say why.'),
    renderLegend(model), box);
}

function charts(panel: Panel): HTMLElement[] {
  const input = { measure: panel.measure, metricLabel: panel.metricLabel, breakdownTitle: panel.breakdownTitle, year: panel.year };
  const withRows = panel.results.filter((r) => r.rows.length > 0);
  if (withRows.length === 0) return [h('p', { class: 'empty' }, 'No rows are published for this choice; the notes below say why.')];
  const together = chartModel({ ...input, results: withRows });
  if (!panel.chartPerMetric || withRows.length === 1 || together.kind === 'bar') return [figure(panel, together, panel.title)];
  return withRows.map((result) => figure(panel, chartModel({ ...input, results: [result] }), panel.metricLabel(result.metric.id)));
}

const footnoteId = (panel: Panel, code: string): string => `${panel.id}-note-${code}`;

function table(panel: Panel): HTMLElement {
  const several = panel.results.length > 1;
  const first = panel.results[0];
  const columns = first ? columnsOf(first) : [];
  const measures = measuresOf(panel.results.some((r) => r.metric.kind === 'employment') ? 'employment' : 'rate');
  const reasons = reasonTexts(panel.results);
  const head = h('tr', {},
    ...(several ? [h('th', { scope: 'col' }, 'Metric')] : []),
    h('th', { scope: 'col' }, 'Cohort year'),
    ...columns.map((c) => h('th', { scope: 'col' }, panel.breakdownTitle(c))),
    ...measures.map((m) => h('th', { scope: 'col', class: 'number' }, MEASURE_LABELS[m])));
  const body = panel.results.flatMap((result) => result.rows.map((row) => h('tr', {},
    ...(several ? [h('td', {}, panel.metricLabel(result.metric.id))] : []),
    h('th', { scope: 'row' }, String(row.cohort_year)),
    ...columns.map((c) => h('td', {}, row.groups[c] ?? '')),
    ...measures.map((m) => {
      const value = row[m];
      if (!value) return h('td', { class: 'number' }, '');
      if (!value.suppressed) return h('td', { class: 'number' }, formatValue(m, value));
      // A link to the reason's note: focusable, so the reason shows on focus as on hover.
      const note = footnoteId(panel, value.reason ?? 'suppressed');
      return h('td', { class: 'number suppressed' },
        h('a', { href: `#${note}`, 'data-tip': describeValue(m, value, reasons), 'aria-describedby': note }, SUPPRESSED_LABEL));
    }))));
  const rows = body.length;
  const scroller = h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${panel.title}: table` },
    h('table', {}, h('caption', {}, `${panel.title}: ${rows} row${rows === 1 ? '' : 's'}`), h('thead', {}, head), h('tbody', {}, ...body)));
  return h('details', { class: 'table-details', open: panel.tableOpen }, h('summary', {}, 'Table of the numbers'), scroller);
}

/** A reason code means the same in every metric; caveats and withheld years are each metric's own. */
const isReason = (code: string): boolean => !code.startsWith('caveat_') && !code.startsWith('withheld_');

function notes(panel: Panel): HTMLElement {
  const reasons = new Map<string, Footnote>();
  const others = new Map<string, { note: Footnote; metrics: string[] }>();
  for (const result of panel.results) {
    for (const note of result.footnotes) {
      if (isReason(note.code)) {
        if (!reasons.has(note.code)) reasons.set(note.code, note);
        continue;
      }
      // Metrics of one panel often share a caveat: said once, naming them.
      const key = `${note.text}|${note.cohort_years?.join(',') ?? ''}`;
      const entry = others.get(key) ?? { note, metrics: [] };
      entry.metrics.push(panel.metricLabel(result.metric.id));
      others.set(key, entry);
    }
  }
  const several = panel.results.length > 1;
  return h('div', { class: 'notes' }, h('h3', {}, 'Notes'), h('ul', {},
    ...[...reasons.values()].map((note) => h('li', { id: footnoteId(panel, note.code) },
      h('strong', {}, `${SUPPRESSED_LABEL} (${note.code.replaceAll('_', ' ')}): `), note.text)),
    ...[...others.values()].map(({ note, metrics }) => h('li', {},
      several ? `${metrics.join(', ')}: ` : '', note.text, note.cohort_years ? ` Cohort years: ${note.cohort_years.join(', ')}.` : ''))));
}

export function renderPanel(panel: Panel): HTMLElement {
  const truncated = panel.results.some((r) => r.page.next_cursor !== null);
  const downloads = panel.queries.map((query, i) => h('a', { href: panel.api.csvUrl(query), download: `${query.metric}.csv`, class: 'download' },
    `Download CSV${panel.queries.length > 1 ? `: ${panel.metricLabel(panel.results[i]?.metric.id ?? query.metric)}` : ''}`));
  return h('div', { class: 'panel-body' },
    ...charts(panel),
    truncated && h('p', { class: 'warning' }, 'More rows than one page: the table and the CSV hold the first page. Choose fewer years or a filter to see them all.'),
    table(panel),
    notes(panel),
    h('p', { class: 'downloads' }, ...downloads));
}
