/**
 * Standardization: one row per input record with record_id, source and each field's
 * standardized columns (docs/linkage.md). Two stages: `cleaned` turns raw text into comparable
 * text, and the final SELECT derives the rest from it (canonical given names, name parts,
 * date parts, identifiers nulled when known to be invalid).
 */
import { canonicalGivenNames } from '../nicknames';
import { RECORD_ID, SOURCE, type Field, type IdentifierField, type LinkageSettings } from '../settings';
import { literal } from './expressions';
import { LINKAGE_TABLES } from './tables';

export function standardizeSql(settings: LinkageSettings): string {
  const cleaned = [`${settings.recordId} AS ${RECORD_ID}`, `${settings.source} AS ${SOURCE}`, ...settings.fields.map((f) => `${cleanedValue(f)} AS ${f.name}`)];
  const nicknameFields = settings.fields.filter((f) => f.kind === 'name' && f.nicknames === true);
  const ctes = [
    ...(nicknameFields.length > 0 ? [`nicknames AS (\n  ${nicknamesTable()}\n)`] : []),
    `cleaned AS (\n  SELECT\n    ${cleaned.join(',\n    ')}\n  FROM ${LINKAGE_TABLES.records}\n)`,
  ];
  return [
    `WITH ${ctes.join(',\n')}`,
    `SELECT\n  ${[`c.${RECORD_ID}`, `c.${SOURCE}`, ...settings.fields.flatMap(derivedColumns)].join(',\n  ')}`,
    'FROM cleaned c',
    // A nickname maps to one canonical form, so the join keeps one row per record.
    ...nicknameFields.map((f) => `LEFT JOIN nicknames n_${f.name} ON n_${f.name}.name = c.${f.name}`),
  ].join('\n');
}

/**
 * Apostrophes are dropped (O'BRIEN → OBRIEN) and every other run of characters that are not
 * ASCII letters or digits separates words (hyphens, periods, commas, spaces), so a name becomes
 * upper-case words joined by single spaces, or NULL when none is left. Accents are stripped
 * before the filter, which would otherwise drop accented letters; upper-casing comes after it,
 * because the engines upper-case some non-ASCII letters differently (ß is SS in Spark, ẞ in DuckDB).
 */
function cleanedValue(field: Field): string {
  const input = field.column ?? field.name;
  switch (field.kind) {
    case 'name':
      return `upper(${words(`strip_accents(translate(${input}, concat(chr(39), '’‘\`'), ''))`, '[A-Za-z0-9]', ' ')})`;
    case 'date':
      return input;
    case 'identifier':
    case 'ssn':
      // Identifiers typed as numbers in a source are still compared as text.
      return words(`CAST(${input} AS STRING)`, '[0-9]', '');
  }
}

/**
 * The runs of `characters` in `text`, joined by `separator`; NULL when there are none.
 * (DuckDB's regexp_replace replaces only the first match unless told 'g', which Spark's reads
 * as a position, so the runs are extracted instead.)
 */
function words(text: string, characters: string, separator: string): string {
  return `NULLIF(array_to_string(regexp_extract_all(${text}, ${literal(`(${characters}+)`)}, 1), ${literal(separator)}), '')`;
}

function derivedColumns(field: Field): string[] {
  const value = `c.${field.name}`;
  switch (field.kind) {
    case 'name':
      return [
        value,
        ...(field.nicknames ? [`COALESCE(n_${field.name}.canonical, ${value}) AS ${field.name}_canonical`] : []),
        // A single word is both the first and the last part.
        ...(field.compound ? [`split_part(${value}, ' ', 1) AS ${field.name}_first`, `split_part(${value}, ' ', -1) AS ${field.name}_last`] : []),
      ];
    case 'date':
      return [value, `year(${value}) AS ${field.name}_year`, `month(${value}) AS ${field.name}_month`, `day(${value}) AS ${field.name}_day`];
    case 'identifier':
    case 'ssn': {
      const invalid = invalidIdentifier(field, value);
      return [invalid.length === 0 ? value : `CASE WHEN ${invalid.join(' OR ')} THEN NULL ELSE ${value} END AS ${field.name}`];
    }
  }
}

/**
 * Values that stand for a missing SSN without being never-issued numbers: repeated digits, a
 * counting sequence, and two numbers printed in advertisements (078-05-1120 on a wallet insert,
 * 219-09-9999 in a leaflet), which thousands of people then gave as their own.
 */
const SSN_PLACEHOLDERS = ['111111111', '222222222', '333333333', '444444444', '555555555', '777777777', '888888888', '123456789', '078051120', '219099999'];

/** Conditions under which an identifier is no identifier at all. */
function invalidIdentifier(field: IdentifierField, value: string): string[] {
  const placeholders = [...(field.kind === 'ssn' ? SSN_PLACEHOLDERS : []), ...(field.invalidValues ?? [])];
  return [
    // The Social Security Administration issues no number with area 000, 666 or 9xx, group 00 or serial 0000.
    ...(field.kind === 'ssn'
      ? [`length(${value}) <> 9`, `substr(${value}, 1, 3) IN ('000', '666')`, `substr(${value}, 1, 1) = '9'`, `substr(${value}, 4, 2) = '00'`, `substr(${value}, 6, 4) = '0000'`]
      : []),
    ...(placeholders.length > 0 ? [`${value} IN (${placeholders.map(literal).join(', ')})`] : []),
  ];
}

function nicknamesTable(): string {
  const rows = [...canonicalGivenNames()].map(([name, canonical]) => `(${literal(name)}, ${literal(canonical)})`);
  return `SELECT * FROM (VALUES\n    ${rows.join(',\n    ')}\n  ) AS t(name, canonical)`;
}
