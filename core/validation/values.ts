/**
 * The field rules over every record, as the structural pass reads it: each value is checked
 * from its bytes (compileByteFieldChecker), and each rule broken is counted, with its first
 * examples kept. Only a value of an example is ever made into text, and it is masked.
 */
import { compileByteFieldChecker, fieldRuleMessage, type ByteFieldChecker, type FieldRule } from '../contracts/field-check';
import type { Contract, FieldDefinition } from '../contracts/types';
import { maskValue } from './mask';
import type { ReportExample } from './report';
import { DOUBLED_QUOTE, QUOTED, type RecordSink } from './structure';

export class ValueChecker implements RecordSink {
  readonly counts: Partial<Record<FieldRule, number>> = {};
  readonly examples: ReportExample[] = [];
  private readonly checkers: readonly ByteFieldChecker[];
  private readonly fields: readonly FieldDefinition[];
  /** Value indexes in field-name order: a record's examples are taken in that order. */
  private readonly order: readonly number[];
  private readonly doubledQuote: string;
  private readonly quote: string;

  constructor(contract: Contract, private readonly examplesPerRule: number) {
    const { fields, missingValues } = contract.schema;
    this.quote = contract.dialect.quoteChar;
    this.doubledQuote = this.quote + this.quote;
    this.fields = fields;
    this.checkers = fields.map((f) => compileByteFieldChecker(f, missingValues));
    this.order = fields.map((f, i) => [f.name, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
  }

  record(bytes: Uint8Array, origin: number, ends: Int32Array, quoting: Uint8Array, line: number): void {
    const { checkers, order } = this;
    for (let n = 0; n < order.length; n++) {
      const k = order[n] as number;
      let start = origin + (k === 0 ? 0 : (ends[k - 1] as number) + 1);
      let end = origin + (ends[k] as number);
      const quoted = quoting[k] as number;
      let rule: FieldRule | null;
      if (quoted === 0) {
        rule = (checkers[k] as ByteFieldChecker)(bytes, start, end);
      } else {
        start++;
        end--;
        rule = (quoted & DOUBLED_QUOTE) === 0 ? (checkers[k] as ByteFieldChecker)(bytes, start, end) : this.checkUnescaped(k, bytes, start, end);
      }
      if (rule !== null) this.violation(rule, k, line, bytes, start, end, quoted);
    }
  }

  /** A quoted value holding doubled quotes: checked as the text it stands for. */
  private checkUnescaped(k: number, bytes: Uint8Array, start: number, end: number): FieldRule | null {
    const value = Buffer.from(this.text(bytes, start, end, QUOTED | DOUBLED_QUOTE), 'utf8');
    return (this.checkers[k] as ByteFieldChecker)(value, 0, value.length);
  }

  private text(bytes: Uint8Array, start: number, end: number, quoted: number): string {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
    return (quoted & DOUBLED_QUOTE) === 0 ? text : text.replaceAll(this.doubledQuote, this.quote);
  }

  private violation(rule: FieldRule, k: number, line: number, bytes: Uint8Array, start: number, end: number, quoted: number): void {
    const count = (this.counts[rule] ?? 0) + 1;
    this.counts[rule] = count;
    if (count > this.examplesPerRule) return;
    const field = this.fields[k] as FieldDefinition;
    const value = this.text(bytes, start, end, quoted);
    this.examples.push({
      rule, line, field: field.name,
      // An empty value is shown as none, as for a missing one.
      ...(value === '' ? {} : { value: maskValue(value, field.pii) }),
      message: fieldRuleMessage(field, rule),
    });
  }
}
