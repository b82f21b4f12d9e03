/**
 * Partner data contracts: Frictionless Table Schema + CSV Dialect, with a few `c2c` extensions
 * (PII marking, file naming, compression). Contracts are data (contracts/*.json); these types
 * describe them, and `contract.schema.json` checks them.
 */

export type FieldType = 'string' | 'integer' | 'number' | 'date' | 'boolean';

/** What kind of personal identifier a field holds; drives masking in reports and the PII boundary. */
export type PiiKind = 'ssn' | 'name' | 'birth_date' | 'source_id';

export interface FieldConstraints {
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly enum?: readonly string[];
  /** Anchored regular expression the raw text must match (Table Schema semantics: whole value). */
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Bounds on the typed value: numbers for integer/number, ISO dates (YYYY-MM-DD) for date. */
  readonly minimum?: number | string;
  readonly maximum?: number | string;
}

export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  readonly description: string;
  /**
   * For dates, a strptime pattern (`%Y%m%d`, `%m/%d/%Y`) or `default` (ISO 8601 `YYYY-MM-DD`).
   * For numbers, `default`. For booleans the accepted spellings are in trueValues/falseValues.
   */
  readonly format?: string;
  readonly trueValues?: readonly string[];
  readonly falseValues?: readonly string[];
  readonly constraints?: FieldConstraints;
  readonly pii?: PiiKind;
}

export interface CsvDialect {
  readonly delimiter: string;
  readonly quoteChar: string;
  readonly doubleQuote: boolean;
  readonly header: boolean;
  readonly lineTerminator: '\n' | '\r\n';
  /** `minimal` quotes only values that need it; `all` quotes every value (both are read the same way). */
  readonly quoting: 'minimal' | 'all';
  readonly encoding: 'utf-8';
  /** Some agencies' tools write a UTF-8 byte order mark; readers must tolerate it. */
  readonly byteOrderMark: boolean;
}

export interface FileConvention {
  /** Regular expression a drop's file name must match, e.g. `^k12_enrollment_\d{4}-\d{2}\.txt$`. */
  readonly namePattern: string;
  readonly compression: 'none' | 'gzip';
  /**
   * A control trailer the partner writes as the file's last line: its text, with `{records}`
   * where the number of records stands (`TRAILER,{records}`). The count is checked against the
   * records read; the trailer is no record.
   */
  readonly trailer?: string;
}

/** The policy areas partners' data belongs to: Lake Formation's `domain` tag values, a contract's `domain`. */
export const DOMAINS = ['k12', 'postsecondary', 'finaid', 'credentials', 'workforce', 'social_services'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface Contract {
  readonly id: string;
  readonly version: string;
  readonly partner: string;
  readonly dataset: string;
  readonly title: string;
  readonly description: string;
  readonly domain: Domain;
  readonly file: FileConvention;
  readonly dialect: CsvDialect;
  readonly schema: {
    readonly fields: readonly FieldDefinition[];
    readonly primaryKey: readonly string[];
    /** Texts that mean "no value" (Table Schema `missingValues`). */
    readonly missingValues: readonly string[];
  };
}
