/**
 * Comparison vectors: for each candidate pair, one gamma column per comparison holding the level
 * the pair falls in. As in Splink, the null level is -1 and the other levels count down to the
 * else level, 0, so a larger gamma means more alike. Levels are tried in order (a CASE), and the
 * pair's records are joined as `l` and `r`, which custom levels refer to.
 */
import {
  RECORD_ID, SOURCE, standardizedColumns,
  type Comparison, type ComparisonLevel, type LinkageSettings, type StandardizedColumn,
} from '../settings';
import { asText } from './expressions';
import { LINKAGE_TABLES } from './tables';

export function comparisonVectorSql(settings: LinkageSettings): string {
  const { standardized, candidatePairs } = LINKAGE_TABLES;
  const selected = [
    `p.${RECORD_ID}_l`,
    `p.${RECORD_ID}_r`,
    `l.${SOURCE} AS ${SOURCE}_l`,
    `r.${SOURCE} AS ${SOURCE}_r`,
    'p.blocking_rule',
    ...gammaColumns(settings),
  ];
  return [
    `SELECT\n  ${selected.join(',\n  ')}`,
    `FROM ${candidatePairs} p`,
    `JOIN ${standardized} l ON l.${RECORD_ID} = p.${RECORD_ID}_l`,
    `JOIN ${standardized} r ON r.${RECORD_ID} = p.${RECORD_ID}_r`,
  ].join('\n');
}

/**
 * One `CASE … END AS gamma_<name>` per comparison, over a pair of standardized records joined as
 * `l` and `r`: the comparison vectors of candidate pairs and of the random pairs u is estimated
 * from are computed by the same expressions.
 */
export function gammaColumns(settings: LinkageSettings): string[] {
  const columns = standardizedColumns(settings);
  return settings.comparisons.map((c) => gammaSql(c, columns));
}

/** The gamma column of a comparison. */
export function gamma(comparison: Comparison): string {
  return `gamma_${comparison.name}`;
}

/** The gamma of each of the comparison's levels, in order: -1 for a null level, then counting down to 0 for else. */
export function levelGammas(comparison: Comparison): number[] {
  // A graded level's gamma is the number of levels after it (a null level can only come first).
  const last = comparison.levels.length - 1;
  return comparison.levels.map((level, i) => (level.kind === 'null' ? -1 : last - i));
}

function gammaSql(comparison: Comparison, columns: ReadonlyMap<string, StandardizedColumn>): string {
  const gammas = levelGammas(comparison);
  const branches = comparison.levels.map((level, i) => {
    if (level.kind === 'else') return 'ELSE 0';
    return `WHEN ${levelCondition(level, comparison.column, columns)} THEN ${gammas[i]}`;
  });
  return `CASE\n    ${branches.join('\n    ')}\n  END AS ${gamma(comparison)}`;
}

/** The condition under which a pair falls in the level (the else level has none). */
function levelCondition(level: Exclude<ComparisonLevel, { kind: 'else' }>, comparisonColumn: string, columns: ReadonlyMap<string, StandardizedColumn>): string {
  if (level.kind === 'custom') return `(${level.sql})`;
  const column = level.column ?? comparisonColumn;
  const [l, r] = [`l.${column}`, `r.${column}`];
  const [lText, rText] = [asText('l', column, columns), asText('r', column, columns)];
  switch (level.kind) {
    case 'null':
      return `${l} IS NULL OR ${r} IS NULL`;
    case 'exact':
      return `${l} = ${r}`;
    case 'jaro_winkler':
      return `jaro_winkler_similarity(${lText}, ${rText}) >= ${level.threshold}`;
    case 'damerau_levenshtein':
      // The same pairs, faster: DuckDB's damerau_levenshtein costs about five times its
      // levenshtein, and a transposition is two substitutions, so a distance of at most k implies
      // a Levenshtein distance of at most 2k. The cheap test first leaves the costly one a few
      // pairs (on a million identity records, comparison vectors went from 44 s to about 18 s).
      return `levenshtein(${lText}, ${rText}) <= ${2 * level.maxDistance} AND damerau_levenshtein(${lText}, ${rText}) <= ${level.maxDistance}`;
    case 'levenshtein':
      return `levenshtein(${lText}, ${rText}) <= ${level.maxDistance}`;
    case 'day_month_transposed':
      return `${l}_year = ${r}_year AND ${l}_month = ${r}_day AND ${l}_day = ${r}_month`;
    case 'same_year_month':
      return `${l}_year = ${r}_year AND ${l}_month = ${r}_month`;
    case 'same_year':
      return `${l}_year = ${r}_year`;
    case 'within_days':
      // Date arithmetic both engines share: DuckDB compares with timestamps, Spark with dates.
      return `${l} BETWEEN ${r} - INTERVAL ${level.days} DAY AND ${r} + INTERVAL ${level.days} DAY`;
  }
}
