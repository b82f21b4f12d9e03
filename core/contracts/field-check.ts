/**
 * Checks one field's text against its contract definition. Compiled once per field so checking a
 * billion values costs a few comparisons each. Messages describe the rule, never the value: the
 * caller decides whether (and how masked) a value may be shown.
 */
import { compileDateFormat } from './dates';
import type { Contract, FieldDefinition } from './types';

export type FieldRule =
  | 'required'
  | 'type'
  | 'format'
  | 'enum'
  | 'pattern'
  | 'min_length'
  | 'max_length'
  | 'minimum'
  | 'maximum';

export interface FieldViolation {
  readonly rule: FieldRule;
  readonly message: string;
}

/** Returns the first rule the text breaks, or null when it conforms. */
export type FieldChecker = (text: string) => FieldViolation | null;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function compileFieldChecker(field: FieldDefinition, missingValues: readonly string[]): FieldChecker {
  const c = field.constraints ?? {};
  const missing = new Set(missingValues);
  const enumValues = c.enum ? new Set(c.enum) : undefined;
  const pattern = c.pattern !== undefined ? new RegExp(`^(?:${c.pattern})$`, 'u') : undefined;
  const toTyped = typedReader(field);

  const violation = (rule: FieldRule): FieldViolation => ({ rule, message: fieldRuleMessage(field, rule) });
  return (text: string): FieldViolation | null => {
    if (missing.has(text)) return c.required ? violation('required') : null;
    const typed = toTyped(text);
    if (typed === undefined) return violation(field.type === 'date' ? 'format' : 'type');
    if (enumValues && !enumValues.has(text)) return violation('enum');
    if (pattern && !pattern.test(text)) return violation('pattern');
    const length = [...text].length;
    if (c.minLength !== undefined && length < c.minLength) return violation('min_length');
    if (c.maxLength !== undefined && length > c.maxLength) return violation('max_length');
    if (c.minimum !== undefined && typed < c.minimum) return violation('minimum');
    if (c.maximum !== undefined && typed > c.maximum) return violation('maximum');
    return null;
  };
}

/** What breaking a rule means for this field, in words (never the value). */
export function fieldRuleMessage(field: FieldDefinition, rule: FieldRule): string {
  const c = field.constraints ?? {};
  switch (rule) {
    case 'required': return `${field.name} is required`;
    case 'format': return `${field.name} is not a date in format ${field.format ?? 'default'}`;
    case 'type': return `${field.name} is not a valid ${field.type}`;
    case 'enum': return `${field.name} is not one of the allowed codes (${(c.enum ?? []).join(', ')})`;
    case 'pattern': return `${field.name} does not match the pattern ${c.pattern ?? ''}`;
    case 'min_length': return `${field.name} is shorter than ${c.minLength ?? 0} characters`;
    case 'max_length': return `${field.name} is longer than ${c.maxLength ?? 0} characters`;
    case 'minimum': return `${field.name} is below the minimum ${c.minimum ?? ''}`;
    case 'maximum': return `${field.name} is above the maximum ${c.maximum ?? ''}`;
  }
}

/**
 * The typed value used for range checks (a number, or an ISO date string which orders correctly
 * as text), or undefined when the text is not of the field's type. Strings and booleans have no
 * range, so they compare as their own text.
 */
function typedReader(field: FieldDefinition): (text: string) => number | string | undefined {
  switch (field.type) {
    case 'integer':
      return (text) => (INTEGER.test(text) ? Number(text) : undefined);
    case 'number':
      return (text) => (NUMBER.test(text) ? Number(text) : undefined);
    case 'date': {
      const format = compileDateFormat(field.format ?? 'default');
      return (text) => format.parse(text) ?? undefined;
    }
    case 'boolean': {
      const accepted = new Set([...(field.trueValues ?? ['true']), ...(field.falseValues ?? ['false'])]);
      return (text) => (accepted.has(text) ? text : undefined);
    }
    case 'string':
      return (text) => text;
  }
}

/** One checker per field of the contract, in field order. */
export function compileRecordCheckers(contract: Contract): FieldChecker[] {
  return contract.schema.fields.map((f) => compileFieldChecker(f, contract.schema.missingValues));
}
