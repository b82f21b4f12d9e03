/**
 * The dashboards: fixed sets of panels over named metrics, each panel one chart (or one per
 * metric) with its table, broken down by one breakdown and narrowed to one cohort year at the
 * reader's choice. The teacher pipeline comes first.
 */
import type { Measure, MetricDetail, Query } from './api';
import { h, labelled, select } from './dom';
import { renderPanel } from './result-view';
import { pageSearch, type DashboardPage } from './url-state';
import type { ViewContext } from './view';

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  /** Each metric with the short label it has in this panel's charts. */
  readonly metrics: ReadonlyArray<{ readonly id: string; readonly label: string }>;
  readonly measure: Measure;
  /** One chart per metric even without a breakdown (wages: each with its quartile band). */
  readonly chartPerMetric?: boolean;
}

export interface DashboardSpec {
  /** The `view` of the page URL. */
  readonly id: string;
  readonly title: string;
  readonly intro: string;
  readonly panels: readonly PanelSpec[];
}

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    id: 'teachers',
    title: 'Teacher pipeline',
    intro: 'From a first teaching credential to the classroom: of the people issued their first teaching credential each year, how many teach in a California public school within a year, and how many of those new teachers still teach 3 and 5 years later.',
    panels: [
      {
        title: 'From credential to classroom',
        description: 'Teaching within a year of the credential, then still teaching 3 and 5 years after it, by the year of the credential.',
        metrics: [
          { id: 'teacher_employed_1y', label: 'Teaching within 1 year' },
          { id: 'teacher_retention_3y', label: 'Still teaching after 3 years' },
          { id: 'teacher_retention_5y', label: 'Still teaching after 5 years' },
        ],
        measure: 'rate',
      },
      {
        title: 'New teaching credential holders',
        description: 'How many people were issued their first teaching credential each year: the start of the pipeline.',
        metrics: [{ id: 'teacher_employed_1y', label: 'New credential holders' }],
        measure: 'cohort_count',
      },
    ],
  },
  {
    id: 'college',
    title: 'College-going',
    intro: 'Of each year\'s high-school graduates, how many enrolled at a California college or university within 12 months, and in which segment they enrolled first.',
    panels: [
      {
        title: 'College-going within 12 months of high school',
        description: 'Enrolled anywhere in California\'s public or private colleges and universities within 12 months of completing high school.',
        metrics: [{ id: 'hs_college_going_12m', label: 'Any college' }],
        measure: 'rate',
      },
      {
        title: 'Where they enrolled first',
        description: 'The segment of the first enrollment within 12 months: community colleges, the California State University, the University of California, private colleges.',
        metrics: [
          { id: 'hs_college_going_12m_ccc', label: 'Community college' },
          { id: 'hs_college_going_12m_csu', label: 'CSU' },
          { id: 'hs_college_going_12m_uc', label: 'UC' },
          { id: 'hs_college_going_12m_private', label: 'Private college' },
        ],
        measure: 'rate',
      },
    ],
  },
  {
    id: 'wages',
    title: 'Wages after completion',
    intro: 'Of the people who completed a certificate or degree each year, the annual wages of those with wages reported 1, 3 and 5 years later: the median and the middle half (25th to 75th percentile).',
    panels: [
      {
        title: 'Annual wages after completion',
        description: 'Median annual wage, with the 25th and 75th percentiles, of completers with wages in the calendar year 1, 3 and 5 years after their award.',
        metrics: [
          { id: 'employment_wages_1y', label: '1 year after' },
          { id: 'employment_wages_3y', label: '3 years after' },
          { id: 'employment_wages_5y', label: '5 years after' },
        ],
        measure: 'wage_median',
        chartPerMetric: true,
      },
      {
        title: 'Completers with wages',
        description: 'The share of completers with wages reported to California\'s unemployment insurance program (a lower bound on employment: see the notes).',
        metrics: [
          { id: 'employment_wages_1y', label: '1 year after' },
          { id: 'employment_wages_3y', label: '3 years after' },
          { id: 'employment_wages_5y', label: '5 years after' },
        ],
        measure: 'rate',
      },
    ],
  },
];

const publishesAlone = (detail: MetricDetail, breakdown: string): boolean =>
  detail.grouping_sets.some((set) => set.length === 1 && set[0] === breakdown) && (detail.breakdowns.find((b) => b.id === breakdown)?.groups.length ?? 0) > 0;

function controls(spec: DashboardSpec, state: DashboardPage, details: ReadonlyMap<string, MetricDetail>, context: ViewContext): HTMLElement {
  const all = [...details.values()];
  // Every breakdown of the metrics, those no metric publishes (too few people in every year) disabled.
  const breakdowns = new Map(all.flatMap((d) => d.breakdowns.map((b): [string, string] => [b.id, b.title])));
  const usable = (id: string): boolean => all.some((d) => publishesAlone(d, id));
  const years = [...new Set(all.flatMap((d) => d.cohort_years))].sort((a, b) => a - b);
  const go = (change: Partial<DashboardPage>): void => context.navigate({ page: 'dashboard', dashboard: spec.id, by: state.by, year: state.year, ...change });
  const by = select(`${spec.id}-by`, [
    { value: '', label: 'Nothing (totals)' },
    ...[...breakdowns].map(([id, title]) => ({ value: id, label: usable(id) ? title : `${title} (withheld: too few people)`, disabled: !usable(id) })),
  ], state.by ?? '', (value) => go({ by: value || undefined }));
  const year = select(`${spec.id}-year`, [
    { value: '', label: 'Every year (trends)' },
    ...years.map((y) => ({ value: String(y), label: String(y) })),
  ], state.year === undefined ? '' : String(state.year), (value) => go({ year: value ? Number(value) : undefined }));
  return h('form', { class: 'dashboard-controls', 'aria-label': `${spec.title}: view` }, labelled('Break down by', by), labelled('Cohort year', year));
}

/** The panel's queries for the state, and what it leaves out and why. */
function panelQueries(spec: PanelSpec, state: DashboardPage, details: ReadonlyMap<string, MetricDetail>): { queries: Query[]; left: string[] } {
  const queries: Query[] = [];
  const left: string[] = [];
  for (const { id, label } of spec.metrics) {
    const detail = details.get(id);
    if (!detail) continue;
    if (state.by && !publishesAlone(detail, state.by)) left.push(`${label}: not published by this breakdown.`);
    else if (state.year !== undefined && !detail.cohort_years.includes(state.year)) left.push(`${label}: no published cohort ${state.year}.`);
    else queries.push({ metric: id, ...(state.year !== undefined ? { years: [state.year] } : {}), breakdowns: state.by ? [state.by] : [], filters: {} });
  }
  return { queries, left };
}

export async function renderDashboard(root: HTMLElement, spec: DashboardSpec, state: DashboardPage, context: ViewContext): Promise<void> {
  const ids = [...new Set(spec.panels.flatMap((p) => p.metrics.map((m) => m.id)))];
  const details = new Map((await Promise.all(ids.map((id) => context.api.metric(id)))).map((d) => [d.id, d]));
  const title = (id: string): string => [...details.values()].flatMap((d) => d.breakdowns).find((b) => b.id === id)?.title ?? id;
  const plans = spec.panels.map((panel) => ({ panel, ...panelQueries(panel, state, details) }));
  const answers = await Promise.all(plans.map(({ queries }) => Promise.all(queries.map((q) => context.api.query(q)))));
  if (!context.current()) return;

  const sections = plans.map(({ panel, queries, left }, index) => {
    const headingId = `${spec.id}-panel-${index}`;
    const results = answers[index] ?? [];
    const label = (metric: string): string => panel.metrics.find((m) => m.id === metric)?.label ?? metric;
    const builder = queries[0] && pageSearch({ page: 'query', query: queries[0], measure: panel.measure });
    return h('section', { class: 'panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, panel.title),
      h('p', { class: 'description' }, panel.description),
      ...left.map((text) => h('p', { class: 'hint' }, text)),
      queries.length > 0 && renderPanel({
        id: headingId, title: panel.title, queries, results, measure: panel.measure, metricLabel: label, breakdownTitle: title,
        year: state.year, chartPerMetric: panel.chartPerMetric === true || state.by !== undefined, tableOpen: false, api: context.api,
      }),
      builder && h('p', {}, h('a', { href: builder, 'data-nav': '' }, `Open ${label(queries[0]?.metric ?? '')} in the query builder`)));
  });
  root.replaceChildren(h('h1', {}, spec.title), h('p', { class: 'intro' }, spec.intro), controls(spec, state, details, context), ...sections);
  context.restoreFocus();
}
