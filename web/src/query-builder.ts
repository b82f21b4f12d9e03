/**
 * The query builder: a metric (with its definition and caveats), cohort years, up to two
 * breakdowns and filters on groups, offered only in the combinations the metric publishes
 * (its grouping sets), then the chart, the table and the CSV of the answer.
 * Every choice is a new page state: the URL changes with it, so the view can be shared.
 */
import type { Measure, MetricDetail, MetricSummary, Query } from './api';
import { columnsOf, isTrend } from './chart-data';
import { h, labelled, select, uniqueId, type Option } from './dom';
import { chartableMeasures, MEASURE_LABELS } from './format';
import { renderPanel } from './result-view';
import type { QueryPage } from './url-state';
import type { ViewContext } from './view';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** Whether a query may combine these breakdowns (its own and its filtered ones). */
function published(detail: MetricDetail, breakdowns: Iterable<string>): boolean {
  const set = [...new Set(breakdowns)];
  return detail.grouping_sets.some((g) => sameSet(g, set));
}

const groupsOf = (detail: MetricDetail, id: string): readonly string[] => detail.breakdowns.find((b) => b.id === id)?.groups ?? [];

/** The query cut back to what the metric publishes, so a stale or hand-edited URL still opens. */
function fitQuery(detail: MetricDetail, query: Query): Query {
  const years = query.years?.filter((y) => detail.cohort_years.includes(y));
  const breakdowns: string[] = [];
  for (const b of query.breakdowns) if (published(detail, [...breakdowns, b])) breakdowns.push(b);
  const filters: Record<string, string[]> = {};
  for (const [b, groups] of Object.entries(query.filters)) {
    const kept = groups.filter((g) => groupsOf(detail, b).includes(g));
    if (kept.length > 0 && published(detail, [...breakdowns, ...Object.keys(filters), b])) filters[b] = kept;
  }
  return { metric: detail.id, ...(years && years.length > 0 && years.length < detail.cohort_years.length ? { years } : {}), breakdowns, filters };
}

/** The measure the state asks for if the metric has it, else the metric's first. */
function chartedMeasure(detail: MetricDetail, state: QueryPage): Measure {
  const measures = chartableMeasures(detail.kind);
  return measures.find((m) => m === state.measure) ?? measures[0] ?? 'rate';
}

function definition(detail: MetricDetail): HTMLElement {
  return h('div', { class: 'definition' },
    h('p', {}, detail.description),
    h('dl', {},
      h('dt', {}, 'Cohort'), h('dd', {}, `${detail.cohort.title}: ${detail.cohort.description}`),
      h('dt', {}, 'Outcome'), h('dd', {}, detail.event),
      h('dt', {}, 'Window'), h('dd', {}, detail.window)),
    detail.caveats.length > 0 && h('div', { class: 'caveats' }, h('strong', {}, 'Caveats'), h('ul', {}, ...detail.caveats.map((c) => h('li', {}, c)))));
}

function metricOptions(metrics: readonly MetricSummary[], chosen: string, onChange: (id: string) => void): HTMLSelectElement {
  const element = h('select', { id: 'qb-metric' });
  const cohorts = new Map<string, MetricSummary[]>();
  for (const m of metrics) cohorts.set(m.cohort.title, [...(cohorts.get(m.cohort.title) ?? []), m]);
  for (const [cohort, members] of cohorts) {
    element.append(h('optgroup', { label: cohort }, ...members.map((m) => h('option', { value: m.id, selected: m.id === chosen }, m.title))));
  }
  element.addEventListener('change', () => onChange(element.value));
  return element;
}

function form(state: QueryPage, query: Query, detail: MetricDetail, metrics: readonly MetricSummary[], context: ViewContext): HTMLElement {
  const go = (next: Partial<QueryPage> & { query?: Query }): void => context.navigate({ ...state, query, ...next });
  const withQuery = (change: Partial<Query>): void => go({ query: { ...query, ...change } });
  const title = (id: string): string => detail.breakdowns.find((b) => b.id === id)?.title ?? id;
  const breakdownOption = (id: string): Option => {
    const empty = groupsOf(detail, id).length === 0;
    return { value: id, label: empty ? `${title(id)} (withheld: too few people)` : title(id), disabled: empty };
  };

  // Years: all checked means every year (the URL then names none).
  const chosenYears = query.years ?? detail.cohort_years;
  const yearBoxes = detail.cohort_years.map((year) => {
    const box = h('input', { type: 'checkbox', id: `qb-year-${year}`, value: year, checked: chosenYears.includes(year) });
    box.addEventListener('change', () => {
      const years = detail.cohort_years.filter((y) => (y === year ? box.checked : chosenYears.includes(y)));
      if (years.length === 0) {
        box.checked = true;
        return;
      }
      withQuery({ years: years.length === detail.cohort_years.length ? undefined : years });
    });
    return h('label', { class: 'check' }, box, String(year));
  });
  const allYears = h('button', { type: 'button', id: 'qb-all-years' }, 'All years');
  allYears.addEventListener('click', () => withQuery({ years: undefined }));
  const latestYear = h('button', { type: 'button', id: 'qb-latest-year' }, 'Latest year only');
  latestYear.addEventListener('click', () => withQuery({ years: detail.cohort_years.slice(-1) }));

  // Breakdowns: the second only among those published together with the first and the filters.
  const filtered = Object.keys(query.filters);
  const [first = '', second = ''] = query.breakdowns;
  const firstOptions = detail.breakdowns.filter((b) => published(detail, [b.id, ...filtered.filter((f) => f !== first && f !== second)]) || b.id === first).map((b) => breakdownOption(b.id));
  const secondOptions = first === '' ? [] : detail.breakdowns
    .filter((b) => b.id !== first && (published(detail, [first, b.id, ...filtered]) || b.id === second)).map((b) => breakdownOption(b.id));
  const setBreakdowns = (breakdowns: string[]): void => go({ query: fitQuery(detail, { ...query, breakdowns: breakdowns.filter(Boolean) }) });
  const firstSelect = select('qb-breakdown-1', [{ value: '', label: 'None (totals)' }, ...firstOptions], first, (v) => setBreakdowns(v === '' ? [] : [v, second]));
  const secondSelect = select('qb-breakdown-2', [{ value: '', label: 'None' }, ...secondOptions], second, (v) => setBreakdowns([first, v]));
  secondSelect.disabled = first === '';

  // Filters: a fieldset of group check boxes per filtered breakdown, and one more if it fits.
  const filterSets = Object.entries(query.filters).map(([b, groups]) => {
    const legendId = uniqueId('qb-filter');
    const boxes = groupsOf(detail, b).map((group, index) => {
      // An id that survives the redraw, so focus stays on the box just changed.
      const box = h('input', { type: 'checkbox', id: `qb-filter-${b}-${index}`, value: group, checked: groups.includes(group) });
      box.addEventListener('change', () => {
        const kept = groupsOf(detail, b).filter((g) => (g === group ? box.checked : groups.includes(g)));
        if (kept.length === 0) {
          box.checked = true;
          return;
        }
        withQuery({ filters: { ...query.filters, [b]: kept } });
      });
      return h('label', { class: 'check' }, box, group);
    });
    const remove = h('button', { type: 'button', 'aria-describedby': legendId }, 'Remove this filter');
    remove.addEventListener('click', () => withQuery({ filters: Object.fromEntries(Object.entries(query.filters).filter(([k]) => k !== b)) }));
    return h('fieldset', { class: 'filter' }, h('legend', { id: legendId }, `Only these groups of ${title(b)}`), h('div', { class: 'checks' }, ...boxes), remove);
  });
  const addable = detail.breakdowns.filter((b) => !filtered.includes(b.id) && groupsOf(detail, b.id).length > 0 && published(detail, [...query.breakdowns, ...filtered, b.id]));
  const addFilter = addable.length > 0 && select('qb-add-filter', [{ value: '', label: 'Choose a breakdown…' }, ...addable.map((b) => ({ value: b.id, label: b.title }))], '',
    (b) => { if (b) withQuery({ filters: { ...query.filters, [b]: [...groupsOf(detail, b)] } }); });

  const measures = chartableMeasures(detail.kind);
  const measure = select('qb-measure', measures.map((m) => ({ value: m, label: MEASURE_LABELS[m] })), chartedMeasure(detail, state),
    (m) => go({ measure: measures.find((x) => x === m) }));

  return h('form', { class: 'builder', 'aria-label': 'Query' },
    // Another metric keeps the choices it also publishes (fitQuery cuts the rest).
    labelled('Metric', metricOptions(metrics, detail.id, (id) => go({ query: { ...query, metric: id } }))),
    definition(detail),
    h('fieldset', { class: 'years' }, h('legend', {}, 'Cohort years'), h('div', { class: 'checks' }, ...yearBoxes), h('div', { class: 'buttons' }, allYears, latestYear)),
    h('fieldset', {}, h('legend', {}, 'Breakdowns (up to two)'), h('div', { class: 'row' }, labelled('Break down by', firstSelect), labelled('and by', secondSelect))),
    h('fieldset', {}, h('legend', {}, 'Filters'), ...filterSets,
      addFilter ? labelled('Add a filter on', addFilter) : h('p', { class: 'hint' }, 'No other breakdown can be combined with these.')),
    labelled('Measure charted', measure));
}

export async function renderQueryBuilder(root: HTMLElement, state: QueryPage, context: ViewContext): Promise<void> {
  const metrics = await context.api.metrics();
  const chosen = state.query ?? { metric: metrics[0]?.id ?? '', breakdowns: [], filters: {} };
  const detail = await context.api.metric(chosen.metric);
  const query = fitQuery(detail, chosen);
  const heading = h('h2', { id: 'qb-result-title' }, detail.title);
  const results = h('section', { class: 'panel', 'aria-labelledby': heading.id }, heading, h('p', { role: 'status', class: 'status' }, 'Loading…'));
  root.replaceChildren(h('h1', {}, 'Query builder'), form(state, query, detail, metrics, context), results);
  context.restoreFocus();

  const result = await context.api.query(query);
  if (!context.current()) return;
  const years = result.query.years;
  // Bars of one year when the rows have two breakdowns: which year is the reader's choice.
  const chartYear = state.chartYear !== undefined && years.includes(state.chartYear) ? state.chartYear : years[years.length - 1];
  const yearChoice = !isTrend(columnsOf(result).length, years.length) && years.length > 1
    && labelled('Year charted', select('qb-chart-year', years.map((y) => ({ value: String(y), label: String(y) })), String(chartYear),
      (y) => context.navigate({ ...state, query, chartYear: Number(y) })));
  const rows = result.rows.length;
  results.replaceChildren(heading, h('p', { role: 'status', class: 'status' }, `${rows} row${rows === 1 ? '' : 's'}.`), yearChoice || '', renderPanel({
    id: 'qb', title: detail.title, queries: [query], results: [result], measure: chartedMeasure(detail, state),
    metricLabel: () => detail.title, breakdownTitle: (id) => detail.breakdowns.find((b) => b.id === id)?.title ?? id,
    year: chartYear, tableOpen: true, api: context.api,
  }));
  context.restoreFocus();
}
