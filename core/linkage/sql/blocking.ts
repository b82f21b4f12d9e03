/**
 * Blocking: the candidate pairs, each found by at least one rule. A rule is a set of equalities
 * on standardized columns; the pairs of all rules are UNIONed, and each rule leaves out the pairs
 * an earlier rule finds, so a pair is compared once and `blocking_rule` is the first (from 1)
 * that found it, without a de-duplicating GROUP BY over every pair.
 */
import { RECORD_ID, SOURCE, standardizedColumns, type BlockingCondition, type BlockingRule, type LinkageSettings, type StandardizedColumn } from '../settings';
import { asText } from './expressions';
import { LINKAGE_TABLES } from './tables';

export function blockingSql(settings: LinkageSettings): string {
  return rulePairsSql(settings, settings.blockingRules);
}

/**
 * The pairs any of `rules` finds (the blocking rules, or the deterministic rules of the prior),
 * each once, with the first rule (from 1) that finds it.
 */
export function rulePairsSql(settings: LinkageSettings, rules: readonly BlockingRule[], extraFilters: readonly string[] = []): string {
  const columns = standardizedColumns(settings);
  const conditions = rules.map((rule) => rule.on.map((c) => equality(c, columns)).join(' AND '));
  return conditions.map((condition, i) => {
    const filters = [
      ...comparablePairs(settings),
      ...extraFilters,
      // An equality on a NULL is NULL, which must count as "not found by that rule".
      ...conditions.slice(0, i).map((earlier) => `NOT COALESCE(${earlier}, FALSE)`),
    ];
    return [
      `SELECT l.${RECORD_ID} AS ${RECORD_ID}_l, r.${RECORD_ID} AS ${RECORD_ID}_r, ${i + 1} AS blocking_rule`,
      `FROM ${LINKAGE_TABLES.standardized} l`,
      `JOIN ${LINKAGE_TABLES.standardized} r ON ${condition}`,
      `WHERE ${filters.join('\n  AND ')}`,
    ].join('\n');
  }).join('\nUNION ALL\n');
}

/** The pairs of records of different sources that any of `rules` finds (deterministic links). */
export function crossSourceRulePairsSql(settings: LinkageSettings, rules: readonly BlockingRule[]): string {
  return rulePairsSql(settings, rules, [`l.${SOURCE} <> r.${SOURCE}`]);
}

/**
 * The conditions on records `l` and `r` under which the model compares them at all: one
 * orientation per pair, no record paired with itself, and with link_only, different sources.
 */
export function comparablePairs(settings: LinkageSettings): string[] {
  return [`l.${RECORD_ID} < r.${RECORD_ID}`, ...(settings.linkType === 'link_only' ? [`l.${SOURCE} <> r.${SOURCE}`] : [])];
}

function equality(condition: BlockingCondition, columns: ReadonlyMap<string, StandardizedColumn>): string {
  const { column, prefix } = condition;
  if (prefix === undefined) return `l.${column} = r.${column}`;
  return `substr(${asText('l', column, columns)}, 1, ${prefix}) = substr(${asText('r', column, columns)}, 1, ${prefix})`;
}
