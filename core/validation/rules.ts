/**
 * Every rule a drop file is checked against, with the words a partner's data steward reads in
 * the report. Any violation rejects the file: nothing malformed may reach the linked data.
 */
import type { FieldRule } from '../contracts/field-check';

export type StructureRule =
  | 'empty_file'
  | 'not_gzip'
  | 'unexpected_gzip'
  | 'corrupt_gzip'
  | 'utf16'
  | 'invalid_utf8'
  | 'nul_byte'
  | 'control_character'
  | 'cr_line_ending'
  | 'line_too_long'
  | 'header_mismatch'
  | 'header_only'
  | 'unterminated_quote'
  | 'stray_quote'
  | 'text_after_quote'
  | 'too_few_columns'
  | 'too_many_columns';

export type FileRule = 'file_name' | 'duplicate_key' | 'trailer_missing' | 'trailer_count';

export type RuleId = StructureRule | FieldRule | FileRule;

/** What each rule means, for the report's legend and the plain-text summary. */
export const RULE_DESCRIPTIONS: Readonly<Record<RuleId, string>> = {
  empty_file: 'The file is empty (zero bytes after decompression).',
  not_gzip: 'The contract declares gzip, but the file is not gzip-compressed.',
  unexpected_gzip: 'The file is gzip-compressed, but the contract declares no compression.',
  corrupt_gzip: 'The gzip data is truncated or corrupt.',
  utf16: 'The file is UTF-16; the contract requires UTF-8.',
  invalid_utf8: 'Bytes that are not valid UTF-8 (for example Latin-1 or Windows-1252 text).',
  nul_byte: 'NUL bytes: the file is binary or in a wide encoding.',
  control_character: 'Control characters other than tab, CR and LF.',
  cr_line_ending: 'A line ends with a bare CR (classic Mac line endings); use LF or CRLF.',
  line_too_long: 'A line (or a record whose quoted values span lines) longer than the limit; probably missing line breaks or a quote left open.',
  header_mismatch: 'The header does not name the contract\'s fields in the contract\'s order.',
  header_only: 'The file has a header but no records.',
  unterminated_quote: 'A quoted value opens here and never closes.',
  stray_quote: 'A quote character inside an unquoted value; quote the whole value and double the quote.',
  text_after_quote: 'Text follows the closing quote of a quoted value.',
  too_few_columns: 'A record has fewer values than the contract has fields.',
  too_many_columns: 'A record has more values than the contract has fields.',
  required: 'A required value is missing.',
  type: 'A value is not of the field\'s type.',
  format: 'A date is not in the contract\'s format, or is no calendar date.',
  enum: 'A value is not one of the allowed codes.',
  pattern: 'A value does not match the field\'s pattern.',
  min_length: 'A value is shorter than the field allows.',
  max_length: 'A value is longer than the field allows.',
  minimum: 'A value is below the field\'s minimum.',
  maximum: 'A value is above the field\'s maximum.',
  file_name: 'The file name does not follow the contract\'s naming convention.',
  duplicate_key: 'Two records share a primary key.',
  trailer_missing: 'The contract requires a control trailer as the last line, with the number of records; the last line is not one.',
  trailer_count: 'The number of records the trailer states differs from the records in the file.',
};
