/** The tables the linkage SQL reads and makes; plan steps are named after them (core/linkage/plan.ts). */
export const LINKAGE_TABLES = {
  /** The input records, as the settings describe them. */
  records: 'records',
  /** One row per record: record_id, source and the standardized columns. */
  standardized: 'standardized',
  /** record_id_l < record_id_r, and the first blocking rule that found the pair. */
  candidatePairs: 'candidate_pairs',
  /** One gamma column per comparison for each candidate pair. */
  comparisonVectors: 'comparison_vectors',
} as const;
