/**
 * The opt-out registry. A person who asks to be left out is registered by the identity fields
 * linkage needs to find them (names, birth date, optionally SSN and gender) and nothing else. The
 * requests are identity records of their own source, `optout:request`, so the linkage model links
 * each to the person's records in every dataset, now and in later runs as new drops arrive; every
 * person whose cluster holds a request is left out of the linked zone and so of everything derived
 * from it. docs/identity.md describes it.
 *
 * Requests live in the identity zone (restricted), which already holds the same fields for every
 * partner record; the partners' own records stay in raw/ (they are the partners' data), but no
 * fact about the person goes beyond the identity zone.
 */
import { compileDateFormat } from '../contracts/dates';
import type { LocationResolver } from '../plan/run';
import type { SqlEngine } from '../ports/sql-engine';
import { sqlString } from '../validation/sql';

export const OPT_OUT_SOURCE = 'optout:request';
/** A folder of Parquet files in the identity zone, one per registration. */
export const OPT_OUT_REQUESTS_LOCATION = 'identity/opt_out_requests';
export const OPT_OUT_REQUESTS_TABLE = 'opt_out_requests';

export interface OptOutRequest {
  readonly request_id: string;
  readonly first_name: string;
  readonly middle_name: string | null;
  readonly last_name: string;
  /** ISO date. */
  readonly birth_date: string;
  readonly ssn: string | null;
  readonly gender: 'M' | 'F' | 'X' | null;
}

/** The registry's columns, in order, with their DuckDB types. */
export const OPT_OUT_COLUMNS = [
  ['request_id', 'VARCHAR'], ['first_name', 'VARCHAR'], ['middle_name', 'VARCHAR'], ['last_name', 'VARCHAR'],
  ['birth_date', 'DATE'], ['ssn', 'VARCHAR'], ['gender', 'VARCHAR'], ['requested_at', 'DATE'],
] as const;

const REQUIRED = ['first_name', 'last_name', 'birth_date'] as const;
const OPTIONAL = ['middle_name', 'ssn', 'gender'] as const;

export class OptOutRequestError extends Error {}

const ISO_DATE = compileDateFormat('default');

/**
 * Checks the rows of a request file (header → value) and returns the requests. Every problem is
 * named by line and column, never by value: the file is PII. `newId` gives each request its id.
 */
export function parseOptOutRequests(header: readonly string[], rows: ReadonlyArray<Readonly<Record<string, string>>>, newId: () => string): OptOutRequest[] {
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !(REQUIRED as readonly string[]).includes(c) && !(OPTIONAL as readonly string[]).includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    throw new OptOutRequestError([
      missing.length > 0 ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')}` : '',
    ].filter((p) => p !== '').join('; ') + `; the columns are ${REQUIRED.join(', ')} and optionally ${OPTIONAL.join(', ')}`);
  }
  if (rows.length === 0) throw new OptOutRequestError('the file has no requests');
  const problems: string[] = [];
  const requests = rows.map((row, i) => {
    const line = i + 2;
    const text = (column: string): string | null => {
      const value = (row[column] ?? '').trim();
      return value === '' ? null : value;
    };
    for (const column of REQUIRED) if (text(column) === null) problems.push(`line ${line}: ${column} is empty`);
    const birth = text('birth_date');
    const birthIso = birth === null ? null : ISO_DATE.parse(birth);
    if (birth !== null && birthIso === null) problems.push(`line ${line}: birth_date must be a date written YYYY-MM-DD`);
    const ssnText = text('ssn');
    const ssn = ssnText === null ? null : ssnText.replace(/-/g, '');
    if (ssn !== null && !/^\d{9}$/.test(ssn)) problems.push(`line ${line}: ssn must be 9 digits (dashes allowed)`);
    const gender = text('gender');
    if (gender !== null && !['M', 'F', 'X'].includes(gender)) problems.push(`line ${line}: gender must be M, F or X`);
    return {
      request_id: newId(), first_name: text('first_name') ?? '', middle_name: text('middle_name'), last_name: text('last_name') ?? '',
      birth_date: birthIso ?? '', ssn, gender: gender as OptOutRequest['gender'],
    };
  });
  if (problems.length > 0) throw new OptOutRequestError(`${problems.length} problem${problems.length > 1 ? 's' : ''}, nothing registered: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? '; …' : ''}`);
  return requests;
}

/** The requests as identity rows (the shape of identity_records' identity_rows step). */
export function optOutRowsSql(): string {
  return `SELECT '${OPT_OUT_SOURCE}' AS source, request_id AS source_id, first_name, middle_name, last_name, birth_date, ssn, CAST(NULL AS STRING) AS ssid, gender, ` +
    `requested_at AS ingest_date FROM ${OPT_OUT_REQUESTS_TABLE}`;
}

/** The c2c_ids whose persons opted out, from a crosswalk table (record_id, c2c_id). */
export function optedOutSql(xwalk: string): string {
  return `SELECT c2c_id, COUNT(*) AS requests FROM ${xwalk} WHERE record_id LIKE '${OPT_OUT_SOURCE}|%' GROUP BY c2c_id`;
}

/**
 * Writes the requests to the registry (a new Parquet file under OPT_OUT_REQUESTS_LOCATION); they
 * take effect at the next linkage run. Returns the location written.
 */
export async function registerOptOutRequests(engine: SqlEngine, resolveLocation: LocationResolver, requests: readonly OptOutRequest[], requestedAt: Date): Promise<string> {
  const day = requestedAt.toISOString().slice(0, 10);
  const location = `${OPT_OUT_REQUESTS_LOCATION}/${day}-${(requests[0] as OptOutRequest).request_id}.parquet`;
  const value = (v: string | null, type: string): string => (v === null ? `CAST(NULL AS ${type})` : `CAST(${sqlString(v)} AS ${type})`);
  const rows = requests.map((r) => `(${OPT_OUT_COLUMNS.map(([column, type]) => value(column === 'requested_at' ? day : r[column], type)).join(', ')})`);
  await engine.run(`COPY (SELECT * FROM (VALUES ${rows.join(', ')}) AS t(${OPT_OUT_COLUMNS.map(([c]) => c).join(', ')})) TO ${sqlString(await resolveLocation(location, 'write'))} (FORMAT parquet)`);
  return location;
}
