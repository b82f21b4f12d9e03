/**
 * The run report of a linkage run: counts, the learned parameters, diagnostics and the match-weight
 * histogram as a chart, in one self-contained HTML page (no script, no external resource). It
 * holds counts, weights and parameters only, never a record or a value of one.
 */
import type { ComparisonLevel, LinkageSettings } from './settings';

export interface LinkageReportData {
  readonly settings: LinkageSettings;
  readonly counts: ReadonlyArray<readonly [label: string, value: number | string]>;
  /** m and u of each comparison level. */
  readonly parameters: ReadonlyArray<{ readonly comparison: string; readonly level: number; readonly m: number; readonly u: number }>;
  /** Candidate pairs by match weight, in bins of width 1 (`bin` is the bin's lower end). */
  readonly histogram: ReadonlyArray<{ readonly bin: number; readonly pairs: number }>;
  /** Persons by how many identity records they have. */
  readonly clusterSizes: ReadonlyArray<{ readonly size: number; readonly persons: number }>;
}

/** Pairs of the predictions table by whole-number match-weight bin (the report's histogram). */
export function matchWeightHistogramSql(predictions: string): string {
  return `SELECT CAST(FLOOR(match_weight) AS INTEGER) AS bin, COUNT(*) AS pairs FROM ${predictions} GROUP BY 1 ORDER BY 1`;
}

/** Persons by size, from a crosswalk table (record_id, c2c_id). */
export function clusterSizesSql(xwalk: string): string {
  return `SELECT size, COUNT(*) AS persons FROM (SELECT c2c_id, COUNT(*) AS size FROM ${xwalk} GROUP BY c2c_id) s GROUP BY size ORDER BY size`;
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const number = (value: number): string => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toPrecision(4));

function levelText(level: ComparisonLevel | undefined): string {
  if (level === undefined) return '?';
  switch (level.kind) {
    case 'jaro_winkler': return `Jaro-Winkler ≥ ${level.threshold}`;
    case 'damerau_levenshtein': case 'levenshtein': return `${level.kind.replace('_', '-')} ≤ ${level.maxDistance}`;
    case 'within_days': return `within ${level.days} days`;
    case 'exact': return level.termFrequency ? 'exact (term-frequency adjusted)' : 'exact';
    case 'custom': return 'custom condition';
    default: return level.kind.replace(/_/g, ' ');
  }
}

/** The histogram as an SVG bar chart, the match threshold's weight marked. */
function histogramSvg(histogram: LinkageReportData['histogram'], thresholdWeight: number): string {
  if (histogram.length === 0) return '<p>No candidate pairs.</p>';
  const width = 720;
  const height = 260;
  const pad = { left: 56, right: 12, top: 12, bottom: 36 };
  const lo = Math.min(...histogram.map((h) => h.bin), Math.floor(thresholdWeight));
  const hi = Math.max(...histogram.map((h) => h.bin), Math.ceil(thresholdWeight)) + 1;
  // Counts span orders of magnitude: a log scale shows the few pairs between the two humps.
  const top = Math.log10(Math.max(...histogram.map((h) => h.pairs)) + 1);
  const x = (weight: number): number => pad.left + ((weight - lo) / (hi - lo)) * (width - pad.left - pad.right);
  const y = (pairs: number): number => height - pad.bottom - (Math.log10(pairs + 1) / top) * (height - pad.top - pad.bottom);
  const bars = histogram.map((h) => `<rect x="${x(h.bin).toFixed(1)}" y="${y(h.pairs).toFixed(1)}" width="${Math.max(1, x(h.bin + 1) - x(h.bin) - 1).toFixed(1)}" ` +
    `height="${(height - pad.bottom - y(h.pairs)).toFixed(1)}" fill="#3b6ea5"><title>weight ${h.bin} to ${h.bin + 1}: ${number(h.pairs)} pairs</title></rect>`);
  const ticks = [];
  for (let w = Math.ceil(lo / 5) * 5; w <= hi; w += 5) ticks.push(`<text x="${x(w).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle">${w}</text>`);
  const yTicks = [];
  for (let p = 0; p <= Math.ceil(top); p++) yTicks.push(`<text x="${pad.left - 6}" y="${y(10 ** p - 1).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${number(10 ** p)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Candidate pairs by match weight (log scale), match threshold at weight ${thresholdWeight.toFixed(1)}" font-family="sans-serif" font-size="11">`,
    ...bars,
    `<line x1="${x(thresholdWeight).toFixed(1)}" x2="${x(thresholdWeight).toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
    `<text x="${(x(thresholdWeight) + 4).toFixed(1)}" y="${pad.top + 10}" fill="#c0392b">match threshold</text>`,
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#333"/>`,
    ...ticks, ...yTicks,
    `<text x="${(width + pad.left) / 2}" y="${height - 4}" text-anchor="middle">match weight (log2 of the odds of a match)</text>`,
    '</svg>',
  ].join('\n');
}

export function linkageReportHtml(data: LinkageReportData): string {
  const { settings } = data;
  const thresholdWeight = Math.log2(settings.matchThreshold / (1 - settings.matchThreshold));
  const table = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string =>
    `<table><thead><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const parameterRows = data.parameters.map((p) => {
    const levels = settings.comparisons.find((c) => c.name === p.comparison)?.levels;
    const weight = p.m > 0 && p.u > 0 ? Math.log2(p.m / p.u).toFixed(2) : '';
    return [p.comparison, String(p.level), levelText(levels?.[p.level]), p.m.toPrecision(4), p.u.toPrecision(4), weight];
  });
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Linkage run report</title>',
    '<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}td:nth-child(n+2){font-variant-numeric:tabular-nums}</style>',
    '</head><body>',
    `<h1>Linkage run report: ${escape(settings.name)}</h1>`,
    '<h2>Counts</h2>',
    table(['', ''], data.counts.map(([label, value]) => [label, typeof value === 'number' ? number(value) : value])),
    '<h2>Match weights of the candidate pairs</h2>',
    `<p>Pairs at or above the threshold (probability ${settings.matchThreshold}, weight ${thresholdWeight.toFixed(1)}) are links. A clear valley between the two humps means the model separates matches from non-matches; many pairs near the threshold deserve a clerical review.</p>`,
    histogramSvg(data.histogram, thresholdWeight),
    table(['weight from', 'pairs'], data.histogram.map((h) => [String(h.bin), number(h.pairs)])),
    '<h2>Persons by number of identity records</h2>',
    table(['records', 'persons'], data.clusterSizes.map((c) => [String(c.size), number(c.persons)])),
    '<h2>Learned parameters</h2>',
    '<p>m: how often true matches agree at the level; u: how often random pairs do; the weight log2(m/u) is what agreeing at the level adds.</p>',
    table(['comparison', 'level', 'meaning', 'm', 'u', 'weight'], parameterRows),
    '</body></html>',
    '',
  ].join('\n');
}
