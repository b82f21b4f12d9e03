/**
 * Fellegi-Sunter scoring, shared by EM's E step and by prediction: a pair's match weight is
 * log2(λ / (1 - λ)) plus, for each comparison, log2(m / u) of the level the pair falls in (a null
 * level adds 0: a missing value is no evidence either way); its match probability is
 * 2^w / (1 + 2^w). At prediction, an exact level marked `termFrequency` uses the frequency of
 * the agreed value in place of the level's u (docs/linkage.md, "Term frequencies").
 */
import { RECORD_ID, SOURCE, type Comparison, type LinkageSettings } from '../settings';
import { gamma, levelGammas } from './comparison';
import { double, literal } from './expressions';
import { LINKAGE_TABLES, termFrequencyTable } from './tables';

/** The smallest m, u or term frequency used: a level never seen would otherwise weigh ±infinity. */
export const PROBABILITY_FLOOR = 1e-6;

/** The column of `training` that holds λ, the probability that two random records match. */
export const LAMBDA = 'probability_two_random_records_match';

/**
 * `predictions`: every candidate pair, scored with the trained parameters and term frequencies.
 * Without term frequencies a pair's weight depends only on its comparison vector, so it is
 * computed once per pattern, as EM does (`comparison_patterns`, a few hundred rows), and joined
 * to the pairs on their gammas, which are never NULL; the term-frequency terms are then added in
 * the order weightedSql would add them, so the weights are the same doubles. (On a million
 * identity records, 7.3 million pairs, predictions went from 16 s to about 7 s: a join on
 * `parameters` and a logarithm per comparison per pair are saved.)
 */
export function predictionSql(settings: LinkageSettings): string {
  const { comparisonVectors, comparisonPatterns, parameters, standardized } = LINKAGE_TABLES;
  const gammas = settings.comparisons.map(gamma);
  const joins = [`JOIN pattern_weights w ON ${gammas.map((g) => `w.${g} = v.${g}`).join(' AND ')}`];
  const terms = ['w.match_weight'];
  const adjusted = termFrequencyLevels(settings);
  if (adjusted.length > 0) joins.push(`JOIN ${standardized} l ON l.${RECORD_ID} = v.${RECORD_ID}_l`);
  for (const column of new Set(adjusted.map((a) => a.column))) {
    const tf = termFrequencyTable(column);
    joins.push(`LEFT JOIN ${tf} ${tf} ON ${tf}.value = l.${column}`);
  }
  for (const { comparison, gamma: level, column } of adjusted) {
    // log2(m / u) + log2(u / tf) = log2(m / tf): the agreed value's frequency replaces u.
    const u = `u_${comparison.name}_${level}`;
    joins.push(`CROSS JOIN (SELECT u FROM ${parameters} WHERE comparison = ${literal(comparison.name)} AND level = ${level}) ${u}`);
    const tf = `GREATEST(${termFrequencyTable(column)}.tf, ${double(PROBABILITY_FLOOR)})`;
    terms.push(`CASE WHEN v.${gamma(comparison)} = ${level} THEN log2(${u}.u / ${tf}) ELSE 0 END`);
  }
  const selected = [
    `${RECORD_ID}_l`, `${RECORD_ID}_r`, 'match_weight', `${matchProbability('match_weight')} AS match_probability`,
    `${SOURCE}_l`, `${SOURCE}_r`, 'blocking_rule', ...gammas,
  ];
  return [
    `WITH pattern_weights AS (\n${weightedSql(settings, comparisonPatterns)}\n),`,
    `weighted AS (\nSELECT v.*, ${terms.join('\n  + ')} AS match_weight\nFROM ${comparisonVectors} v\n${joins.join('\n')}\n)`,
    `SELECT\n  ${selected.join(',\n  ')}`,
    'FROM weighted',
  ].join('\n');
}

/**
 * The rows of `from` (which has a gamma column per comparison) with their `match_weight` under
 * the current `parameters` and the λ of `training`, before any term-frequency adjustment.
 */
export function weightedSql(settings: LinkageSettings, from: string): string {
  const { parameters, training } = LINKAGE_TABLES;
  const joins = [`CROSS JOIN ${training} t`];
  const terms = [`log2(t.${LAMBDA} / (1 - t.${LAMBDA}))`];
  for (const comparison of settings.comparisons) {
    const p = `p_${comparison.name}`;
    joins.push(`LEFT JOIN ${parameters} ${p} ON ${p}.comparison = ${literal(comparison.name)} AND ${p}.level = v.${gamma(comparison)}`);
    // A null level has no row in parameters.
    terms.push(`COALESCE(log2(${p}.m / ${p}.u), 0)`);
  }
  return [
    `SELECT v.*, ${terms.join('\n  + ')} AS match_weight`,
    `FROM ${from} v`,
    ...joins,
  ].join('\n');
}

/** 2^w / (1 + 2^w), written as 1 / (1 + 2^-w) so that a large weight of either sign gives 1 or 0, never infinity / infinity. */
export function matchProbability(weight: string): string {
  return `1 / (1 + power(2, -${weight}))`;
}

export interface TermFrequencyLevel {
  readonly comparison: Comparison;
  /** The level's gamma. */
  readonly gamma: number;
  /** The standardized column whose value frequencies adjust it. */
  readonly column: string;
}

/** The exact levels marked `termFrequency`, in the order of the comparisons. */
export function termFrequencyLevels(settings: LinkageSettings): TermFrequencyLevel[] {
  return settings.comparisons.flatMap((comparison) => {
    const gammas = levelGammas(comparison);
    return comparison.levels.flatMap((level, i) => (level.kind === 'exact' && level.termFrequency === true
      ? [{ comparison, gamma: gammas[i] as number, column: level.column ?? comparison.column }]
      : []));
  });
}
