/**
 * A drop file against its contract: the byte-level pass (hash, compression, encoding,
 * structure), then, for a structurally sound file, the field rules and key uniqueness in SQL,
 * ending in a report. Writing the accepted records as typed Parquet uses the same reading.
 */
import { fieldRuleMessage, type FieldRule } from '../contracts/field-check';
import type { Contract } from '../contracts/types';
import type { SqlEngine } from '../ports/sql-engine';
import { maskShape, maskValue } from './mask';
import { contractRef, legendFor, type ReportExample, type ValidationReport } from './report';
import { RULE_DESCRIPTIONS, type RuleId } from './rules';
import { scanDrop, type ScanResult } from './scan';
import { fieldRuleSql, readCsvSql, sqlIdentifier, sqlString, typedValueSql } from './sql';
import { DEFAULT_STRUCTURE_LIMITS } from './structure';

export interface DropFile {
  /** The file's name as delivered (the last segment of its key). */
  readonly name: string;
  /** Where the engine can read it. */
  readonly localPath: string;
  /** Its bytes, for the streaming pass. */
  read(): AsyncIterable<Uint8Array>;
}

export interface ValidationOptions {
  readonly examplesPerRule?: number;
  readonly maxLineBytes?: number;
  readonly now?: () => Date;
}

export interface ValidatedDrop {
  readonly report: ValidationReport;
  readonly scan: ScanResult;
}

/**
 * The records as the engine reads them, numbered in file order and with their physical line.
 * A sequence numbers them as they stream by (a window function would hold the whole file in
 * memory); with one reading thread and insertion order kept, that is file order. Each call
 * restarts the numbering, so run the returned query once.
 */
async function numberedRecords(engine: SqlEngine, drop: DropFile, contract: Contract, scan: ScanResult): Promise<string> {
  await engine.run('CREATE OR REPLACE TEMP SEQUENCE c2c_record_number START 1');
  const source = readCsvSql(drop.localPath, contract, scan.compression === 'gzip');
  const numbered = `SELECT nextval('c2c_record_number') AS record_number, * FROM ${source}`;
  const shifts = scan.structure.lineShifts;
  if (shifts.length === 0) return `SELECT record_number + 1 AS line, * FROM (${numbered})`;
  // Values spanning lines push later records down: the shift in force is the last one at or before the record.
  const values = shifts.map(([index, shift]) => `(${index + 1}, ${shift})`).join(', ');
  return `SELECT n.record_number + 1 + coalesce(s.shift, 0) AS line, n.* FROM (${numbered}) n ` +
    `ASOF LEFT JOIN (SELECT * FROM (VALUES ${values}) t(first_record, shift)) s ON n.record_number >= s.first_record`;
}

export async function validateDrop(drop: DropFile, contract: Contract, engine: SqlEngine, options: ValidationOptions = {}): Promise<ValidatedDrop> {
  const examplesPerRule = options.examplesPerRule ?? 10;
  const now = options.now ?? (() => new Date());
  const scan = await scanDrop(drop.read(), contract, { maxLineBytes: options.maxLineBytes ?? DEFAULT_STRUCTURE_LIMITS.maxLineBytes, examplesPerRule });
  const counts: Partial<Record<RuleId, number>> = {};
  const examples: ReportExample[] = [];
  const add = (rule: RuleId, count: number): void => {
    counts[rule] = (counts[rule] ?? 0) + count;
  };

  if (!new RegExp(contract.file.namePattern).test(drop.name)) {
    add('file_name', 1);
    examples.push({ rule: 'file_name', line: 1, message: `${RULE_DESCRIPTIONS.file_name} Expected a name matching ${contract.file.namePattern}.` });
  }
  const structure = scan.structure;
  for (const [rule, count] of Object.entries(structure.counts) as Array<[RuleId, number]>) add(rule, count);
  for (const finding of structure.findings) {
    const field = finding.column !== undefined ? contract.schema.fields[finding.column - 1]?.name : undefined;
    examples.push({ rule: finding.rule, line: finding.line, ...(field ? { field } : {}), message: RULE_DESCRIPTIONS[finding.rule] });
  }
  const expectedHeader = contract.schema.fields.map((f) => f.name);
  if (structure.header !== null && structure.header.join('\u0000') !== expectedHeader.join('\u0000')) {
    add('header_mismatch', 1);
    examples.push({ rule: 'header_mismatch', line: 1, message: headerProblem(structure.header, expectedHeader) });
  }

  // A misnamed file is still read: the steward learns everything wrong with it at once.
  const structurallySound = Object.keys(structure.counts).length === 0 && counts.header_mismatch === undefined;
  if (structurallySound) {
    await checkValues(drop, contract, engine, scan, examplesPerRule, add, examples);
  }
  const accepted = Object.keys(counts).length === 0;
  const report: ValidationReport = {
    reportVersion: 1,
    verdict: accepted ? 'accepted' : 'rejected',
    contract: contractRef(contract),
    file: { name: drop.name, sha256: scan.sha256, bytes: scan.bytes, compression: scan.compression, contentBytes: structure.bytes },
    rows: {
      read: structure.records,
      accepted: accepted ? structure.records : 0,
      // A file is accepted or rejected whole; which records broke which rules is in counts and examples.
      rejected: accepted ? 0 : structure.records,
    },
    counts,
    examples: examples.sort((a, b) => a.line - b.line),
    rules: legendFor(counts),
    validatedAt: now().toISOString(),
  };
  return { report, scan };
}

/** A header name as a partner would type it (the contracts' names are all like this). */
const FIELD_NAME = /^[a-z][a-z0-9_]*$/;

function headerProblem(actual: readonly string[], expected: readonly string[]): string {
  // A first line that names none of the fields is most likely a record (the header is missing):
  // its texts may be names, SSNs or birth dates, so none is shown.
  if (!actual.some((name) => expected.includes(name))) {
    return `${RULE_DESCRIPTIONS.header_mismatch} Expected ${expected.join(', ')}; the first line names none of them ` +
      '(is the header missing?). Its texts are not shown: they may be personal data.';
  }
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  // A name that does not look like one may be a value (a record run into the header): only its shape is shown.
  const shown = (name: string): string => (FIELD_NAME.test(name) ? maskValue(name, undefined) : maskShape(name));
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `not in the contract: ${extra.map((n) => JSON.stringify(shown(n))).join(', ')}` : '',
    missing.length === 0 && extra.length === 0 ? 'the fields are in a different order' : '',
  ].filter(Boolean);
  return `${RULE_DESCRIPTIONS.header_mismatch} Expected ${expected.join(', ')}; ${parts.join('; ')}.`;
}

/** Field rules and primary key uniqueness, in SQL: counts and examples of every rule broken. */
async function checkValues(
  drop: DropFile, contract: Contract, engine: SqlEngine, scan: ScanResult, examplesPerRule: number,
  add: (rule: RuleId, count: number) => void, examples: ReportExample[],
): Promise<void> {
  const { fields, missingValues, primaryKey } = contract.schema;
  const rules = fields.map((f) => fieldRuleSql(f, missingValues));
  const checks = fields.map((f, i) => `{'field': ${sqlString(f.name)}, 'rule': ${rules[i]}, 'value': ${sqlIdentifier(f.name)}}`).join(', ');
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE violations AS SELECT line, record_number, unnest(list_filter([${checks}], c -> c.rule IS NOT NULL), recursive := true) ` +
    `FROM (${await numberedRecords(engine, drop, contract, scan)}) WHERE ${rules.map((r) => `(${r}) IS NOT NULL`).join(' OR ')}`,
  );
  for (const row of await engine.query('SELECT rule, count(*) AS n FROM violations GROUP BY rule ORDER BY rule')) add(row.rule as RuleId, row.n as number);
  const byField = new Map(fields.map((f) => [f.name, f]));
  const sample = await engine.query(
    `SELECT line, field, rule, value FROM (SELECT *, row_number() OVER (PARTITION BY rule ORDER BY record_number, field) AS k FROM violations) ` +
    `WHERE k <= ${examplesPerRule} ORDER BY record_number, field`,
  );
  for (const row of sample) {
    const field = byField.get(row.field as string);
    if (!field) continue;
    examples.push({
      rule: row.rule as FieldRule, line: row.line as number, field: field.name,
      ...(row.value === null ? {} : { value: maskValue(String(row.value), field.pii) }),
      message: fieldRuleMessage(field, row.rule as FieldRule),
    });
  }

  // Keys seen more than once, counted in one streaming aggregate (which spills to disk if the
  // keys outgrow memory); only for those keys are the lines fetched, in a second pass.
  const keys = primaryKey.map(sqlIdentifier).join(', ');
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE repeated_keys AS SELECT ${keys}, count(*) AS n FROM ${readCsvSql(drop.localPath, contract, scan.compression === 'gzip')} ` +
    `GROUP BY ${keys} HAVING count(*) > 1`,
  );
  const [{ repeated }] = (await engine.query('SELECT count(*) AS repeated FROM repeated_keys')) as [{ repeated: number }];
  await engine.run(repeated === 0
    ? 'CREATE OR REPLACE TEMP TABLE duplicate_keys AS SELECT 0::BIGINT AS n, []::BIGINT[] AS lines WHERE false'
    : `CREATE OR REPLACE TEMP TABLE duplicate_keys AS SELECT ${keys}, count(*) AS n, list(line ORDER BY record_number) AS lines ` +
      `FROM (${await numberedRecords(engine, drop, contract, scan)}) SEMI JOIN repeated_keys USING (${keys}) GROUP BY ${keys}`);
  const [{ duplicates }] = (await engine.query('SELECT coalesce(sum(n - 1), 0) AS duplicates FROM duplicate_keys')) as [{ duplicates: number }];
  if (duplicates > 0) {
    add('duplicate_key', duplicates);
    const keyFields = primaryKey.map((name) => byField.get(name));
    for (const row of await engine.query(`SELECT * FROM duplicate_keys ORDER BY lines[1] LIMIT ${examplesPerRule}`)) {
      const lines = String(row.lines).replace(/[[\]]/g, '').split(',').map((l) => Number(l.trim()));
      const key = keyFields.map((f) => `${f?.name}=${maskValue(String(row[f?.name ?? ''] ?? ''), f?.pii)}`).join(', ');
      examples.push({ rule: 'duplicate_key', line: lines[1] ?? 0, message: `Same primary key (${key}) as line ${lines[0]}.` });
    }
  }
}

/** Writes the accepted file's records, typed, with lineage columns, as Parquet. Returns the records written. */
export async function writeParquet(drop: DropFile, contract: Contract, scan: ScanResult, engine: SqlEngine, target: string, sourceObject: string): Promise<number> {
  const { fields, missingValues } = contract.schema;
  const columns = fields.map((f) => `${typedValueSql(f, missingValues)} AS ${sqlIdentifier(f.name)}`).join(', ');
  const rows = await engine.query(
    // No ORDER BY: it would sort the whole file; one thread with insertion order kept writes file order.
    `COPY (SELECT ${columns}, ${sqlString(sourceObject)} AS _source_object, line AS _source_line FROM (${await numberedRecords(engine, drop, contract, scan)})) ` +
    `TO ${sqlString(target)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return Number(rows[0]?.Count ?? rows[0]?.count ?? NaN);
}
