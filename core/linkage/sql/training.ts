/**
 * Training (docs/linkage.md, "Training"): u from the comparison vectors of seeded random pairs of
 * records, then m and λ by expectation maximisation over the candidate pairs with u held fixed,
 * as in Splink; and the term-frequency tables that prediction uses.
 */
import { RECORD_ID, SOURCE, TRAINING_DEFAULTS, type Comparison, type LinkageSettings } from '../settings';
import { comparablePairs, rulePairsSql } from './blocking';
import { gamma, gammaColumns, levelGammas } from './comparison';
import { double, literal } from './expressions';
import { LAMBDA, matchProbability, PROBABILITY_FLOOR, weightedSql } from './prediction';
import { LINKAGE_TABLES } from './tables';

/** EM has converged when no m and not λ moved by this much in a pass (Splink's default). */
export const EM_CONVERGENCE = 1e-4;

const { standardized, randomPairs, parameters, training, comparisonPatterns, comparisonVectors, emExpectations, nextParameters, nextTraining } = LINKAGE_TABLES;

/** `tf_<column>`: each value of the column, and the share of the records with a value that have it. */
export function termFrequencySql(column: string): string {
  return [
    `SELECT ${column} AS value, COUNT(*) / SUM(COUNT(*)) OVER () AS tf`,
    `FROM ${standardized}`,
    `WHERE ${column} IS NOT NULL`,
    `GROUP BY ${column}`,
  ].join('\n');
}

/**
 * `random_pairs`: every comparable pair among a seeded random sample of the records, with its
 * comparison vector. Every pair is equally likely to be among them, and almost all are
 * non-matches. The sample is the records first in the order of md5(seed:record_id), which DuckDB
 * and Spark compute alike (their hash() functions differ), so one seed gives one sample.
 */
export function randomPairsSql(settings: LinkageSettings): string {
  const { uSamplePairs, seed } = { ...TRAINING_DEFAULTS, ...settings.training };
  return [
    'WITH sampled AS (',
    `  SELECT * FROM ${standardized}`,
    `  ORDER BY md5(concat(${literal(`${seed}:`)}, CAST(${RECORD_ID} AS STRING)))`,
    `  LIMIT ${sampledRecords(uSamplePairs)}`,
    ')',
    `SELECT\n  l.${RECORD_ID} AS ${RECORD_ID}_l,\n  r.${RECORD_ID} AS ${RECORD_ID}_r,\n  ${gammaColumns(settings).join(',\n  ')}`,
    'FROM sampled l',
    `JOIN sampled r ON ${comparablePairs(settings).join(' AND ')}`,
  ].join('\n');
}

/** The fewest records n whose n(n-1)/2 pairs are at least `pairs`. */
export function sampledRecords(pairs: number): number {
  return Math.ceil((1 + Math.sqrt(1 + 8 * pairs)) / 2);
}

/**
 * `parameters` before EM: for each level other than null, the starting m (startingM) and u, the
 * share of the random pairs with a value on both sides that fall in the level.
 */
export function startingParametersSql(settings: LinkageSettings): string {
  const levels = settings.comparisons.flatMap((c) => startingM(c).map(({ level, m }) => `(${literal(c.name)}, ${level}, ${double(m)})`));
  return [
    'WITH levels AS (',
    `  SELECT * FROM (VALUES\n    ${levels.join(',\n    ')}\n  ) AS t(comparison, level, m)`,
    '),',
    `u_shares AS (\n${levelSharesSql(settings, randomPairs, '1')}\n)`,
    `SELECT lv.comparison, lv.level, lv.m, ${floored('s.share')} AS u`,
    'FROM levels lv',
    'LEFT JOIN u_shares s ON s.comparison = lv.comparison AND s.level = lv.level',
  ].join('\n');
}

/**
 * EM's starting m: proportional to 4^gamma, so the closest level starts with most of the matches
 * (exact and else alone: 0.8 and 0.2). EM moves them; the start only has to rank the levels.
 */
export function startingM(comparison: Comparison): { level: number; m: number }[] {
  const levels = levelGammas(comparison).filter((g) => g >= 0);
  const total = levels.reduce((sum, g) => sum + 4 ** g, 0);
  return levels.map((level) => ({ level, m: 4 ** level / total }));
}

/** `comparison_patterns`: EM's E step depends on a pair only through its comparison vector. */
export function comparisonPatternsSql(settings: LinkageSettings): string {
  const gammas = settings.comparisons.map(gamma).join(', ');
  return `SELECT ${gammas}, COUNT(*) AS pairs\nFROM ${comparisonVectors}\nGROUP BY ${gammas}`;
}

/**
 * `training` before EM: λ from the prior, and the number of comparable pairs λ is a share of.
 * With a prior given as recall, λ is the pairs the deterministic rules find, divided by the
 * recall, as a share of the comparable pairs.
 */
export function startingTrainingSql(settings: LinkageSettings): string {
  const { probabilityTwoRandomRecordsMatch: probability, recall, deterministicRules } = settings.prior;
  const ctes = [`comparable AS (\n${comparablePairCountSql(settings)}\n)`];
  const from = ['FROM comparable c'];
  let lambda: string;
  if (probability !== undefined) {
    lambda = double(probability);
  } else {
    // parseLinkageSettings admits this form only with both recall and rules.
    ctes.push(`deterministic AS (\n  SELECT COUNT(*) AS pairs FROM (\n${rulePairsSql(settings, deterministicRules ?? [])}\n  ) d\n)`);
    from.push('CROSS JOIN deterministic d');
    lambda = probabilityOf(`d.pairs / ${double(recall ?? 1)}`, 'c.comparable_pairs');
  }
  return [
    `WITH ${ctes.join(',\n')}`,
    `SELECT ${lambda} AS ${LAMBDA}, c.comparable_pairs, 0 AS iteration, CAST(NULL AS DOUBLE) AS max_change, FALSE AS converged`,
    ...from,
  ].join('\n');
}

/** All pairs the model could compare, as a DOUBLE: with link_only, pairs across sources only. */
function comparablePairCountSql(settings: LinkageSettings): string {
  return settings.linkType === 'link_only'
    ? `  SELECT (SUM(n) * SUM(n) - SUM(n * n)) / 2 AS comparable_pairs\n  FROM (SELECT COUNT(*) AS n FROM ${standardized} GROUP BY ${SOURCE}) s`
    : `  SELECT COUNT(*) * (COUNT(*) - 1) / 2 AS comparable_pairs FROM ${standardized}`;
}

/**
 * λ from a number of matches: taken to be at least one match (log2 of 0 is an error in DuckDB)
 * and at most half of all pairs (log2(λ / (1 - λ)) would be infinite at 1, and a model where
 * most pairs match is not one linkage is for).
 */
function probabilityOf(matches: string, comparable: string): string {
  return `LEAST(GREATEST(${matches}, 1), ${comparable} / 2) / ${comparable}`;
}

/** EM's E step, `em_expectations`: each comparison pattern with its match probability. */
export function expectationSql(settings: LinkageSettings): string {
  return [
    `WITH weighted AS (\n${weightedSql(settings, comparisonPatterns)}\n)`,
    `SELECT weighted.*, ${matchProbability('match_weight')} AS match_probability`,
    'FROM weighted',
  ].join('\n');
}

/** EM's M step, `next_parameters`: m is the share of the expected matches at each level; u stays. */
export function maximisationSql(settings: LinkageSettings): string {
  return [
    `WITH m_shares AS (\n${levelSharesSql(settings, emExpectations, 'pairs * match_probability')}\n)`,
    `SELECT p.comparison, p.level, ${floored('s.share')} AS m, p.u`,
    `FROM ${parameters} p`,
    'LEFT JOIN m_shares s ON s.comparison = p.comparison AND s.level = p.level',
  ].join('\n');
}

/**
 * `next_training`: λ re-estimated as the expected matches among the candidate pairs over all
 * comparable pairs (blocking is taken to find nearly every match), and the largest change of
 * any parameter in the pass.
 */
export function nextTrainingSql(): string {
  return [
    `WITH expected AS (SELECT SUM(pairs * match_probability) AS matches FROM ${emExpectations}),`,
    'm_change AS (',
    '  SELECT MAX(ABS(n.m - p.m)) AS change',
    `  FROM ${nextParameters} n`,
    `  JOIN ${parameters} p ON p.comparison = n.comparison AND p.level = n.level`,
    '),',
    'updated AS (',
    `  SELECT ${probabilityOf('e.matches', 't.comparable_pairs')} AS probability, t.${LAMBDA} AS previous, t.comparable_pairs, t.iteration + 1 AS iteration, c.change`,
    `  FROM ${training} t CROSS JOIN expected e CROSS JOIN m_change c`,
    '),',
    'changes AS (',
    '  SELECT probability, comparable_pairs, iteration, GREATEST(change, ABS(probability - previous)) AS max_change FROM updated',
    ')',
    `SELECT probability AS ${LAMBDA}, comparable_pairs, iteration, max_change, max_change < ${double(EM_CONVERGENCE)} AS converged`,
    'FROM changes',
  ].join('\n');
}

/**
 * EM stops when it has converged, or after maxIterations passes. Unlike labels half propagated,
 * parameters after maxIterations are usable (each pass raises the likelihood), so, as in Splink,
 * running out of passes is not an error: `training.converged` says it happened.
 */
export function emStopSql(settings: LinkageSettings): string {
  const { maxIterations } = { ...TRAINING_DEFAULTS, ...settings.training };
  return `SELECT converged OR iteration >= ${maxIterations} AS done FROM ${nextTraining}`;
}

/**
 * For each level other than null of each comparison: SUM(weight) over the rows of `table` in the
 * level, as a share of the comparison's total (a missing value tells nothing of m or u).
 */
function levelSharesSql(settings: LinkageSettings, table: string, weight: string): string {
  const totals = settings.comparisons.map((c) => {
    const g = gamma(c);
    return `  SELECT ${literal(c.name)} AS comparison, ${g} AS level, SUM(${weight}) AS total FROM ${table} WHERE ${g} <> -1 GROUP BY ${g}`;
  });
  return [
    'SELECT comparison, level, total / NULLIF(SUM(total) OVER (PARTITION BY comparison), 0) AS share',
    `FROM (\n${totals.join('\n  UNION ALL\n')}\n) totals`,
  ].join('\n');
}

/** A share as a probability the weights can take the log of: a level never seen gets the floor. */
function floored(share: string): string {
  return `GREATEST(COALESCE(${share}, 0), ${double(PROBABILITY_FLOOR)})`;
}
