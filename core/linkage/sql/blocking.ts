/**
 * Blocking: the candidate pairs, each found by at least one rule. A rule is a set of equalities
 * on standardized columns; the pairs of all rules are UNIONed, and each rule leaves out the pairs
 * an earlier rule finds, so a pair is compared once and `blocking_rule` is the first (from 1)
 * that found it, without a de-duplicating GROUP BY over every pair.
 */
import { RECORD_ID, SOURCE, standardizedColumns, type BlockingCondition, type LinkageSettings, type StandardizedColumn } from '../settings';
import { asText } from './expressions';
import { LINKAGE_TABLES } from './tables';

export function blockingSql(settings: LinkageSettings): string {
  const columns = standardizedColumns(settings);
  const rules = settings.blockingRules.map((rule) => rule.on.map((c) => equality(c, columns)).join(' AND '));
  return rules.map((rule, i) => {
    const filters = [
      // One orientation per pair, and no record paired with itself.
      `l.${RECORD_ID} < r.${RECORD_ID}`,
      ...(settings.linkType === 'link_only' ? [`l.${SOURCE} <> r.${SOURCE}`] : []),
      // An equality on a NULL is NULL, which must count as "not found by that rule".
      ...rules.slice(0, i).map((earlier) => `NOT COALESCE(${earlier}, FALSE)`),
    ];
    return [
      `SELECT l.${RECORD_ID} AS ${RECORD_ID}_l, r.${RECORD_ID} AS ${RECORD_ID}_r, ${i + 1} AS blocking_rule`,
      `FROM ${LINKAGE_TABLES.standardized} l`,
      `JOIN ${LINKAGE_TABLES.standardized} r ON ${rule}`,
      `WHERE ${filters.join('\n  AND ')}`,
    ].join('\n');
  }).join('\nUNION ALL\n');
}

function equality(condition: BlockingCondition, columns: ReadonlyMap<string, StandardizedColumn>): string {
  const { column, prefix } = condition;
  if (prefix === undefined) return `l.${column} = r.${column}`;
  return `substr(${asText('l', column, columns)}, 1, ${prefix}) = substr(${asText('r', column, columns)}, 1, ${prefix})`;
}
