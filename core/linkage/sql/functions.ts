/**
 * The functions the linkage SQL calls by their DuckDB names that Spark SQL 3.5 lacks. The Spark
 * runner registers a UDF under each name, so the same SQL runs on both engines (DESIGN.md §3);
 * the examples are its acceptance test, and test/linkage checks them against DuckDB.
 */
export interface SparkFunction {
  readonly name: string;
  /** Spark SQL types of the arguments, in order. */
  readonly arguments: readonly string[];
  readonly returns: string;
  /** What DuckDB 1.5 computes, which the UDF must match on every input the linkage SQL gives it. */
  readonly semantics: string;
  readonly examples: readonly { readonly arguments: readonly (string | readonly string[])[]; readonly result: string | number }[];
}

export const FUNCTIONS_SPARK_MUST_REGISTER: readonly SparkFunction[] = [
  {
    name: 'strip_accents',
    arguments: ['STRING'],
    returns: 'STRING',
    semantics: 'Canonical decomposition (NFD) with the combining marks removed; characters without a decomposition (Ø, ß) are kept. NULL gives NULL. ' +
      'Standardization keeps only ASCII letters and digits afterwards, so what matters is that accented Latin letters become their base letter.',
    examples: [
      { arguments: ['José Núñez-García'], result: 'Jose Nunez-Garcia' },
      { arguments: ['Ñandú Øre'], result: 'Nandu Øre' },
    ],
  },
  {
    name: 'array_to_string',
    arguments: ['ARRAY<STRING>', 'STRING'],
    returns: 'STRING',
    semantics: "The elements joined by the separator; an empty array gives '', NULL gives NULL (Spark's concat_ws(separator, array) for the arrays here, which have no NULL elements).",
    examples: [
      { arguments: [['JOSE', 'MARIA'], ' '], result: 'JOSE MARIA' },
      { arguments: [[], ' '], result: '' },
    ],
  },
  {
    name: 'jaro_winkler_similarity',
    arguments: ['STRING', 'STRING'],
    returns: 'DOUBLE',
    semantics: 'Jaro similarity (characters match within max(len)/2 - 1 positions; half the out-of-order matches are transpositions), ' +
      'plus the Winkler boost 0.1 × common prefix length (at most 4) × (1 - Jaro) only when Jaro exceeds 0.7. ' +
      '0 when either string is empty, NULL when either is NULL. DuckDB compares bytes; the values compared are ASCII after standardization.',
    examples: [
      { arguments: ['MARTHA', 'MARHTA'], result: 0.9611111111111111 },
      { arguments: ['DIXON', 'DICKSONX'], result: 0.8133333333333332 },
      // Jaro is 2/3 here, so the common prefix ABCD earns no boost.
      { arguments: ['ABCDXYZW', 'ABCDQRST'], result: 0.6666666666666666 },
      { arguments: ['', ''], result: 0 },
    ],
  },
  {
    name: 'damerau_levenshtein',
    arguments: ['STRING', 'STRING'],
    returns: 'BIGINT',
    semantics: 'The unrestricted Damerau-Levenshtein distance: insertions, deletions, substitutions and transpositions of adjacent characters, ' +
      'where a transposed pair may be edited again (CA to ABC is 2; optimal string alignment would say 3). NULL when either is NULL.',
    examples: [
      { arguments: ['SMITH', 'SMIHT'], result: 1 },
      { arguments: ['CA', 'ABC'], result: 2 },
      { arguments: ['', 'AB'], result: 2 },
    ],
  },
];
