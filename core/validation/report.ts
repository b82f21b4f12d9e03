/**
 * The validation report a partner receives: a JSON document (schema in
 * docs/schemas/validation-report.schema.json) and a short plain-text summary of it.
 */
import type { Contract } from '../contracts/types';
import { RULE_DESCRIPTIONS, type RuleId } from './rules';

export type Verdict = 'accepted' | 'rejected' | 'duplicate';

export interface ReportExample {
  readonly rule: RuleId;
  /** 1-based physical line in the (decompressed) file. */
  readonly line: number;
  /** The field concerned, where the problem is in one value. */
  readonly field?: string;
  /** The offending value, masked where the field holds PII. */
  readonly value?: string;
  readonly message: string;
}

export interface ValidationReport {
  readonly reportVersion: 1;
  readonly verdict: Verdict;
  readonly contract: { readonly id: string; readonly version: string };
  readonly file: {
    readonly name: string;
    readonly sha256: string;
    readonly bytes: number;
    readonly compression: 'gzip' | 'none';
    /** Bytes after decompression (equal to `bytes` for an uncompressed file). */
    readonly contentBytes: number;
  };
  readonly rows: { readonly read: number; readonly accepted: number; readonly rejected: number };
  /** Every rule broken, with how many times. */
  readonly counts: Readonly<Partial<Record<RuleId, number>>>;
  /** The first examples of each rule broken, in line order. */
  readonly examples: readonly ReportExample[];
  /** What each rule in `counts` means. */
  readonly rules: Readonly<Partial<Record<RuleId, string>>>;
  /** For a duplicate: the report of the earlier, identical file. */
  readonly duplicateOf?: { readonly sha256: string; readonly landingKey: string; readonly recordedAt: string };
  readonly validatedAt: string;
}

export function legendFor(counts: Readonly<Partial<Record<RuleId, number>>>): Partial<Record<RuleId, string>> {
  return Object.fromEntries(Object.keys(counts).map((rule) => [rule, RULE_DESCRIPTIONS[rule as RuleId]]));
}

export function contractRef(contract: Contract): ValidationReport['contract'] {
  return { id: contract.id, version: contract.version };
}

const number = (n: number): string => n.toLocaleString('en-US');

/** A few lines a person reads first: the verdict, the counts, and where to look. */
export function summaryText(report: ValidationReport): string {
  const head = `${report.file.name} (${report.contract.id} v${report.contract.version}): ${report.verdict.toUpperCase()}`;
  const lines = [head, `${number(report.rows.read)} records read, ${number(report.rows.accepted)} accepted, ${number(report.rows.rejected)} rejected.`];
  if (report.duplicateOf) {
    lines.push(`The same bytes (sha256 ${report.file.sha256.slice(0, 12)}…) were already received as ${report.duplicateOf.landingKey} on ${report.duplicateOf.recordedAt}; nothing was ingested twice.`);
  }
  const rules = Object.entries(report.counts) as Array<[RuleId, number]>;
  if (rules.length > 0) {
    lines.push('', 'Problems:');
    for (const [rule, count] of rules.sort((a, b) => b[1] - a[1])) {
      lines.push(`  ${rule}: ${number(count)} — ${RULE_DESCRIPTIONS[rule]}`);
      for (const example of report.examples.filter((e) => e.rule === rule).slice(0, 3)) {
        const where = `line ${number(example.line)}${example.field ? `, ${example.field}` : ''}`;
        lines.push(`    ${where}: ${example.message}${example.value !== undefined ? ` (value: ${JSON.stringify(example.value)})` : ''}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
