/**
 * Draws a chart model as SVG with d3-scale and d3-shape. SVG rather than canvas so that every
 * mark is an element: it can take keyboard focus, carry its value (or its suppression reason) as
 * its accessible name and tooltip, and be found by the browser tests. Colours and styles are SVG
 * attributes and classes, never inline style, so the page runs under `style-src 'self'`.
 *
 * A suppressed value is never drawn as a value: a line has a gap there, with a hatched marker
 * under the plot; a bar is a hatched, dashed outline across the plot's height, labelled.
 */
import { scaleBand, scaleLinear, scalePoint } from 'd3-scale';
import { area, line, symbol, symbolsFill } from 'd3-shape';
import type { PublishedValue } from './api';
import type { ChartModel, ChartPoint, ChartSeries } from './chart-data';
import { h, s, uniqueId } from './dom';
import { formatTick, SUPPRESSED_LABEL } from './format';

/** Each at least 4.5:1 against white, so lines, markers and bar edges stand out (WCAG 1.4.11). */
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7e22ce', '#be123c', '#0e7490', '#4d7c0f', '#9d174d', '#374151', '#a16207'];
/** Series differ by dash and marker shape too, not by colour alone (WCAG 1.4.1). */
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
const HEIGHT = 260;
const MARGIN = { top: 12, right: 12, left: 52 };
const SUPPRESSED_STRIP = 22;
const FONT_WIDTH = 6.5;
const MAX_LABEL = 22;

const colorOf = (index: number): string => PALETTE[index % PALETTE.length] as string;
const dashOf = (index: number): string | undefined => DASHES[index % DASHES.length] || undefined;
const symbolOf = (index: number): string => symbol(symbolsFill[index % symbolsFill.length], 56)() ?? '';
const short = (label: string): string => (label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label);
const known = (v: PublishedValue): v is PublishedValue & { value: number } => !v.suppressed && v.value !== null;

/** A focusable mark: its description is its accessible name and its tooltip. */
function mark<E extends SVGElement>(element: E, description: string): E {
  element.setAttribute('class', `${element.getAttribute('class') ?? ''} mark`.trim());
  element.setAttribute('tabindex', '-1');
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', description);
  element.setAttribute('data-tip', description);
  return element;
}

/**
 * One tab stop per chart: the arrow keys, Home and End move between its marks (a roving
 * tabindex), so a keyboard user reaches every value without tabbing through all of them.
 */
function roveFocus(svg: SVGSVGElement): void {
  const marks = [...svg.querySelectorAll<SVGElement>('.mark')];
  const first = marks[0];
  if (!first) return;
  first.setAttribute('tabindex', '0');
  const moveTo = (target: SVGElement): void => {
    for (const m of marks) m.setAttribute('tabindex', m === target ? '0' : '-1');
    target.focus();
  };
  svg.addEventListener('focusin', (event) => {
    if (event.target instanceof SVGElement && marks.includes(event.target)) {
      for (const m of marks) m.setAttribute('tabindex', m === event.target ? '0' : '-1');
    }
  });
  svg.addEventListener('keydown', (event) => {
    const at = marks.findIndex((m) => m === document.activeElement);
    if (at < 0) return;
    const next: Record<string, number> = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: marks.length - 1 };
    const index = next[event.key];
    if (index === undefined) return;
    event.preventDefault();
    const target = marks[Math.min(Math.max(index, 0), marks.length - 1)];
    if (target) moveTo(target);
  });
}

function hatch(id: string): SVGPatternElement {
  return s('pattern', { id, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
    s('rect', { width: 6, height: 6, fill: '#ffffff' }),
    s('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#9ca3af', 'stroke-width': 2 }));
}

function yDomainMax(model: ChartModel): number {
  const values = model.series.flatMap((series) => series.points.flatMap((p) => [p.value.value, p.range?.high.value ?? null]));
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  if (max === 0) return 1;
  return model.measure === 'rate' ? Math.min(1, max * 1.1) : max * 1.1;
}

/** Every `step`-th category keeps its label when they would overlap. */
function labelStep(categories: readonly string[], space: number): number {
  const widest = Math.max(...categories.map((c) => short(c).length)) * FONT_WIDTH + 8;
  return Math.max(1, Math.ceil((widest * categories.length) / space));
}

export function renderChart(model: ChartModel, width: number, label: string): SVGSVGElement {
  const hasSuppressed = model.series.some((series) => series.points.some((p) => p.value.suppressed));
  const plotRight = width - MARGIN.right;
  const plotWidth = plotRight - MARGIN.left;
  // Bars with long group names get slanted labels, and the room for them.
  const widestLabel = Math.max(0, ...model.categories.map((c) => short(c).length)) * FONT_WIDTH;
  const slanted = model.kind === 'bar' && widestLabel + 6 > plotWidth / Math.max(1, model.categories.length);
  const xLabelRoom = slanted ? Math.min(140, widestLabel * 0.7 + 16) : 26;
  const strip = model.kind === 'line' && hasSuppressed ? SUPPRESSED_STRIP : 0;
  const plotBottom = HEIGHT - xLabelRoom - strip;
  const y = scaleLinear().domain([0, yDomainMax(model)]).nice().range([plotBottom, MARGIN.top]);
  const patternId = uniqueId('hatch');

  const svg = s('svg', { class: 'chart', width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`, role: 'group', 'aria-label': label });
  svg.append(s('defs', {}, hatch(patternId)));

  // The value axis: gridlines with their labels.
  const axis = s('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const tick of y.ticks(5)) {
    axis.append(
      s('line', { x1: MARGIN.left, x2: plotRight, y1: y(tick), y2: y(tick), class: tick === 0 ? 'baseline' : 'grid' }),
      s('text', { x: MARGIN.left - 6, y: y(tick), dy: '0.32em', 'text-anchor': 'end' }, formatTick(model.measure, tick)),
    );
  }
  svg.append(axis);

  const xLabels = s('g', { class: 'axis', 'aria-hidden': 'true' });
  const labelAt = (x: number, text: string): SVGTextElement => (slanted
    ? s('text', { transform: `translate(${x},${plotBottom + strip + 10}) rotate(-35)`, 'text-anchor': 'end', dy: '0.32em' }, short(text))
    : s('text', { x, y: plotBottom + strip + 16, 'text-anchor': 'middle' }, short(text)));

  if (model.kind === 'line') {
    const x = scalePoint<string>().domain(model.categories).range([MARGIN.left, plotRight]).padding(0.4);
    const step = labelStep(model.categories, plotWidth);
    model.categories.forEach((c, i) => { if (i % step === 0) xLabels.append(labelAt(x(c) ?? 0, c)); });
    const at = (p: ChartPoint): number => x(p.x) ?? 0;
    model.series.forEach((series, index) => svg.append(lineSeries(series, index, model.series.length === 1, at, y)));
    // Marks in reading order, year by year: its points, then one hatched marker under the plot
    // (never on the value axis) for the values hidden that year.
    const size = Math.min(12, (x.step() || 12) - 2);
    for (const category of model.categories) {
      const here = model.series.map((series) => series.points.find((p) => p.x === category));
      here.forEach((point, index) => {
        if (!point || !known(point.value)) return;
        svg.append(mark(s('path', { d: symbolOf(index), transform: `translate(${at(point)},${y(point.value.value)})`, fill: colorOf(index), class: 'point' }), point.description));
      });
      const hidden = here.filter((p): p is ChartPoint => p !== undefined && p.value.suppressed);
      if (hidden.length === 0) continue;
      svg.append(mark(s('rect', {
        x: (x(category) ?? 0) - size / 2, y: plotBottom + 5, width: size, height: size, rx: 2,
        fill: `url(#${patternId})`, class: 'suppressed-marker',
      }), hidden.map((p) => p.description).join('; ')));
    }
  } else {
    const x0 = scaleBand<string>().domain(model.categories).range([MARGIN.left, plotRight]).paddingInner(0.2).paddingOuter(0.1);
    const x1 = scaleBand<number>().domain(model.series.map((_, i) => i)).range([0, x0.bandwidth()]).padding(0.08);
    model.categories.forEach((c) => xLabels.append(labelAt((x0(c) ?? 0) + x0.bandwidth() / 2, c)));
    // Group by group, in reading order.
    for (const category of model.categories) {
      model.series.forEach((series, index) => {
        const point = series.points.find((p) => p.x === category);
        if (point) svg.append(bar(point, (x0(category) ?? 0) + (x1(index) ?? 0), x1.bandwidth(), index, y, patternId));
      });
    }
  }
  svg.append(xLabels);
  roveFocus(svg);
  return svg;
}

type YScale = ReturnType<typeof scaleLinear<number, number>>;

function lineSeries(series: ChartSeries, index: number, withBand: boolean, at: (p: ChartPoint) => number, y: YScale): SVGGElement {
  const g = s('g', { class: 'series', 'aria-hidden': 'true' });
  if (withBand) {
    const band = area<ChartPoint>().defined((p) => p.range !== undefined && known(p.range.low) && known(p.range.high))
      .x(at).y0((p) => y(p.range?.low.value ?? 0)).y1((p) => y(p.range?.high.value ?? 0));
    g.append(s('path', { d: band(series.points) ?? '', fill: colorOf(index), 'fill-opacity': 0.15, class: 'band' }));
  }
  // `defined` breaks the line at hidden values: a gap, never a dip to zero.
  const path = line<ChartPoint>().defined((p) => known(p.value)).x(at).y((p) => y(p.value.value ?? 0));
  g.append(s('path', { d: path(series.points) ?? '', fill: 'none', stroke: colorOf(index), 'stroke-width': 2, 'stroke-dasharray': dashOf(index), class: 'line' }));
  return g;
}

function bar(point: ChartPoint, left: number, width: number, index: number, y: YScale, patternId: string): SVGElement {
  const [bottom, top] = y.range() as [number, number];
  if (!known(point.value)) {
    const g = mark(s('g', { class: 'suppressed-bar' }), point.description);
    g.append(s('rect', { x: left, y: top, width, height: bottom - top, fill: `url(#${patternId})`, stroke: colorOf(index), 'stroke-dasharray': '4 3' }));
    if (width >= 14) {
      g.append(s('text', { transform: `translate(${left + width / 2},${(top + bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle', dy: '0.32em', class: 'suppressed-label' }, SUPPRESSED_LABEL));
    }
    return g;
  }
  const g = mark(s('g', { class: 'bar' }), point.description);
  g.append(s('rect', { x: left, y: y(point.value.value), width, height: Math.max(0, bottom - y(point.value.value)), fill: colorOf(index) }));
  const { range } = point;
  if (range && range.low.value !== null && range.high.value !== null) {
    const middle = left + width / 2;
    const cap = Math.min(8, width / 3);
    g.append(s('path', {
      d: `M${middle},${y(range.low.value)}V${y(range.high.value)}M${middle - cap},${y(range.low.value)}h${2 * cap}M${middle - cap},${y(range.high.value)}h${2 * cap}`,
      class: 'whisker',
    }));
  }
  return g;
}

/** The chart's key, as HTML: it wraps on a phone and is read as a list. */
export function renderLegend(model: ChartModel): HTMLElement {
  // A single series is what the caption names: no key needed for it.
  const items = (model.series.length > 1 ? model.series : []).map((series, index) => h('li', {},
    model.kind === 'line'
      ? s('svg', { width: 28, height: 12, 'aria-hidden': 'true' },
        s('line', { x1: 0, x2: 28, y1: 6, y2: 6, stroke: colorOf(index), 'stroke-width': 2, 'stroke-dasharray': dashOf(index) }),
        s('path', { d: symbolOf(index), transform: 'translate(14,6)', fill: colorOf(index) }))
      : s('svg', { width: 14, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 14, height: 12, fill: colorOf(index) })),
    series.label));
  const hasSuppressed = model.series.some((series) => series.points.some((p) => p.value.suppressed));
  if (hasSuppressed) {
    const id = uniqueId('hatch');
    items.push(h('li', {},
      s('svg', { width: 14, height: 12, 'aria-hidden': 'true' }, s('defs', {}, hatch(id)), s('rect', { width: 14, height: 12, fill: `url(#${id})`, stroke: '#6b7280' })),
      'Suppressed (hover or focus it for the reason)'));
  }
  if (model.measure === 'wage_median' && (model.kind === 'bar' || model.series.length === 1)) {
    items.push(h('li', {}, model.kind === 'bar' ? 'Whiskers: 25th to 75th percentile' : 'Shaded: 25th to 75th percentile'));
  }
  return h('ul', { class: 'legend' }, ...items);
}
