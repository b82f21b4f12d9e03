/**
 * A drop file against its contract: one streaming pass over its bytes (hash, compression,
 * encoding, structure, and every field rule on every value), then key uniqueness in SQL, ending
 * in a report. A file that passes the first pass is written as typed Parquet at once when the
 * caller wants it, and its keys are then checked on the Parquet, which is cheaper to read again
 * than the text.
 */
import type { Contract } from '../contracts/types';
import type { SqlEngine } from '../ports/sql-engine';
import { maskShape, maskValue } from './mask';
import { contractRef, legendFor, type ReportExample, type ValidationReport } from './report';
import { RULE_DESCRIPTIONS, type RuleId } from './rules';
import { scanDrop, type ScanResult } from './scan';
import { readCsvSql, sqlIdentifier, sqlString, typedValueSql } from './sql';
import { DEFAULT_STRUCTURE_LIMITS } from './structure';
import { ValueChecker } from './values';

export interface DropFile {
  /** The file's name as delivered (the last segment of its key). */
  readonly name: string;
  /** Where the engine can read it. */
  readonly localPath: string;
  /** Its bytes, for the streaming pass. */
  read(): AsyncIterable<Uint8Array>;
}

/** Where to write the typed Parquet of an accepted drop, and the object its lineage names. */
export interface ParquetTarget {
  readonly path: string;
  readonly sourceObject: string;
  /**
   * Write it on the engine's thread while the file is being checked, rather than after (default
   * true): nearly twice as fast with two cores, and work thrown away for a rejected file.
   */
  readonly concurrent?: boolean;
}

export interface ValidationOptions {
  readonly examplesPerRule?: number;
  readonly maxLineBytes?: number;
  readonly now?: () => Date;
  /** Write the records as Parquet here if the drop is accepted (what ingestion wants). */
  readonly parquet?: ParquetTarget;
}

export interface ValidatedDrop {
  readonly report: ValidationReport;
  readonly scan: ScanResult;
  /** The records written to the Parquet target: only for an accepted drop, when a target was given. */
  readonly parquetRecords?: number;
}

/** What the engine needs to know of a file to read its records with their lines. */
interface Reading {
  readonly compressed: boolean;
  /** The records the structural pass counted: needed only to leave out a control trailer. */
  readonly records?: number;
  /** See StructureResult.lineShifts. */
  readonly lineShifts: ReadonlyArray<readonly [number, number]>;
}

function readingOf(scan: ScanResult): Reading {
  return { compressed: scan.compression === 'gzip', records: scan.structure.records, lineShifts: scan.structure.lineShifts };
}

/**
 * The records as the engine reads them, numbered in file order and with their physical line.
 * A sequence numbers them as they stream by (a window function would hold the whole file in
 * memory); with one reading thread and insertion order kept, that is file order. Each call
 * restarts the numbering, so run the returned query once.
 */
async function numberedRecords(engine: SqlEngine, drop: DropFile, contract: Contract, reading: Reading): Promise<string> {
  await engine.run('CREATE OR REPLACE TEMP SEQUENCE c2c_record_number START 1');
  const source = readCsvSql(drop.localPath, contract, reading.compressed, reading.records);
  const numbered = `SELECT nextval('c2c_record_number') AS record_number, * FROM ${source}`;
  const shifts = reading.lineShifts;
  if (shifts.length === 0) return `SELECT record_number + 1 AS line, * FROM (${numbered})`;
  // Values spanning lines push later records down: the shift in force is the last one at or before the record.
  const values = shifts.map(([index, shift]) => `(${index + 1}, ${shift})`).join(', ');
  return `SELECT n.record_number + 1 + coalesce(s.shift, 0) AS line, n.* FROM (${numbered}) n ` +
    `ASOF LEFT JOIN (SELECT * FROM (VALUES ${values}) t(first_record, shift)) s ON n.record_number >= s.first_record`;
}

export async function validateDrop(drop: DropFile, contract: Contract, engine: SqlEngine, options: ValidationOptions = {}): Promise<ValidatedDrop> {
  const examplesPerRule = options.examplesPerRule ?? 10;
  const now = options.now ?? (() => new Date());
  const values = new ValueChecker(contract, examplesPerRule);
  const limits = { maxLineBytes: options.maxLineBytes ?? DEFAULT_STRUCTURE_LIMITS.maxLineBytes, examplesPerRule };
  // The Parquet is written while the file is checked, as if it will be accepted and no value
  // spans lines (true of nearly every file); it is written again if a value did, and left unused
  // if the file is rejected. A trailer's file is written after: the engine must be told where
  // the records end.
  const early = options.parquet && options.parquet.concurrent !== false && contract.file.trailer === undefined
    ? settled(writeParquet(drop, contract, { compressed: contract.file.compression === 'gzip', lineShifts: [] }, engine, options.parquet))
    : null;
  const scanned = settled(scanDrop(drop.read(), contract, limits, values));
  // The engine is used for nothing else, nor handed back, until its write is done, even if the scan failed.
  const written = early === null ? null : await early;
  const scanOutcome = await scanned;
  if ('error' in scanOutcome) throw scanOutcome.error;
  const scan = scanOutcome.value;
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
  if (scan.trailer !== null && Object.keys(structure.counts).length === 0) {
    const line = structure.lines + 1;
    if (scan.trailer.records === null) {
      add('trailer_missing', 1);
      examples.push({ rule: 'trailer_missing', line, message: `${RULE_DESCRIPTIONS.trailer_missing} Expected a last line like ${contract.file.trailer}.` });
    } else if (scan.trailer.records !== structure.records) {
      add('trailer_count', 1);
      examples.push({ rule: 'trailer_count', line, message: `The trailer states ${scan.trailer.records} records; the file has ${structure.records}.` });
    }
  }
  const expectedHeader = contract.schema.fields.map((f) => f.name);
  if (structure.header !== null && structure.header.join('\u0000') !== expectedHeader.join('\u0000')) {
    add('header_mismatch', 1);
    examples.push({ rule: 'header_mismatch', line: 1, message: headerProblem(structure.header, expectedHeader) });
  }

  // A misnamed file is still read: the steward learns everything wrong with it at once.
  const structurallySound = Object.keys(structure.counts).length === 0 && counts.header_mismatch === undefined;
  let parquetRecords: number | undefined;
  if (structurallySound) {
    for (const [rule, count] of Object.entries(values.counts) as Array<[RuleId, number]>) add(rule, count);
    examples.push(...values.examples);
    let keys: KeySource;
    if (Object.keys(counts).length === 0 && options.parquet) {
      parquetRecords = written !== null && 'value' in written && structure.lineShifts.length === 0
        ? written.value
        : await writeParquet(drop, contract, readingOf(scan), engine, options.parquet);
      keys = parquetKeys(options.parquet.path);
    } else {
      keys = csvKeys(drop, contract, scan);
    }
    await checkKeys(contract, engine, keys, examplesPerRule, add, examples);
  }
  const accepted = Object.keys(counts).length === 0;
  const report: ValidationReport = {
    reportVersion: 1,
    verdict: accepted ? 'accepted' : 'rejected',
    contract: contractRef(contract),
    file: { name: drop.name, sha256: scan.sha256, bytes: scan.bytes, compression: scan.compression, contentBytes: structure.bytes + (scan.trailer?.bytes ?? 0) },
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
  return accepted && parquetRecords !== undefined ? { report, scan, parquetRecords } : { report, scan };
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

/** Where the engine reads a drop's keys: a relation of its records, and one that adds each record's line. */
interface KeySource {
  readonly records: string;
  lines(engine: SqlEngine): Promise<string>;
  /** The condition that a key column has a value (a key with a missing part equals no other, as NULL in SQL). */
  present(column: string): string;
}

function csvKeys(drop: DropFile, contract: Contract, scan: ScanResult): KeySource {
  const reading = readingOf(scan);
  return {
    records: readCsvSql(drop.localPath, contract, reading.compressed, reading.records),
    lines: async (engine) => `(${await numberedRecords(engine, drop, contract, reading)})`,
    present: (column) => {
      const missing = contract.schema.missingValues;
      return `${column} IS NOT NULL` + (missing.length > 0 ? ` AND ${column} NOT IN (${missing.map(sqlString).join(', ')})` : '');
    },
  };
}

function parquetKeys(path: string): KeySource {
  const records = `read_parquet(${sqlString(path)})`;
  return {
    records,
    lines: async () => `(SELECT _source_line AS line, _source_line AS record_number, * FROM ${records})`,
    // Missing values are NULL in the typed Parquet.
    present: (column) => `${column} IS NOT NULL`,
  };
}

/** Primary key uniqueness, in SQL: how many records repeat a key, and the first of them. */
async function checkKeys(
  contract: Contract, engine: SqlEngine, source: KeySource, examplesPerRule: number,
  add: (rule: RuleId, count: number) => void, examples: ReportExample[],
): Promise<void> {
  const { fields, primaryKey } = contract.schema;
  const byField = new Map(fields.map((f) => [f.name, f]));

  // Keys seen more than once, counted in one streaming aggregate (which spills to disk if the
  // keys outgrow memory); only for those keys are the lines fetched, in a second pass.
  const keys = primaryKey.map(sqlIdentifier).join(', ');
  const complete = primaryKey.map((name) => source.present(sqlIdentifier(name))).join(' AND ');
  await engine.run(
    `CREATE OR REPLACE TEMP TABLE repeated_keys AS SELECT ${keys}, count(*) AS n FROM ${source.records} ` +
    `WHERE ${complete} GROUP BY ${keys} HAVING count(*) > 1`,
  );
  const [{ repeated }] = (await engine.query('SELECT count(*) AS repeated FROM repeated_keys')) as [{ repeated: number }];
  await engine.run(repeated === 0
    ? 'CREATE OR REPLACE TEMP TABLE duplicate_keys AS SELECT 0::BIGINT AS n, []::BIGINT[] AS lines WHERE false'
    : `CREATE OR REPLACE TEMP TABLE duplicate_keys AS SELECT ${keys}, count(*) AS n, list(line ORDER BY record_number) AS lines ` +
      `FROM ${await source.lines(engine)} SEMI JOIN repeated_keys USING (${keys}) GROUP BY ${keys}`);
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

/** Writes the file's records, typed, with lineage columns, as Parquet. Returns the records written. */
async function writeParquet(drop: DropFile, contract: Contract, reading: Reading, engine: SqlEngine, target: ParquetTarget): Promise<number> {
  const { fields, missingValues } = contract.schema;
  const columns = fields.map((f) => `${typedValueSql(f, missingValues)} AS ${sqlIdentifier(f.name)}`).join(', ');
  const rows = await engine.query(
    // No ORDER BY: it would sort the whole file; one thread with insertion order kept writes file order.
    `COPY (SELECT ${columns}, ${sqlString(target.sourceObject)} AS _source_object, line AS _source_line FROM (${await numberedRecords(engine, drop, contract, reading)})) ` +
    `TO ${sqlString(target.path)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  return Number(rows[0]?.Count ?? rows[0]?.count ?? NaN);
}

/** A promise's outcome, kept rather than thrown, so that it can be waited for before the error is. */
async function settled<T>(promise: Promise<T>): Promise<{ readonly value: T } | { readonly error: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}
