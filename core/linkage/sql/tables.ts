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
  /** The comparison vectors of seeded random pairs of records, which u is estimated from. */
  randomPairs: 'random_pairs',
  /** comparison, level, m, u: one row per level of each comparison other than a null level. */
  parameters: 'parameters',
  /** One row: λ (probability_two_random_records_match), the pairs it is a share of, and how EM went. */
  training: 'training',
  /** Each distinct comparison vector of the candidate pairs, with its number of pairs: what EM works on. */
  comparisonPatterns: 'comparison_patterns',
  /** An EM pass: each pattern's match probability under the current parameters (the E step). */
  emExpectations: 'em_expectations',
  /** An EM pass: m re-estimated from the expected matches (the M step). */
  nextParameters: 'next_parameters',
  /** An EM pass: λ re-estimated, and the largest change of any parameter. */
  nextTraining: 'next_training',
  /** Each candidate pair's match weight and probability, with its comparison vector. */
  predictions: 'predictions',
  /** The links clustering follows: predictions at or above the threshold, less weak same-source ones. */
  clusterEdges: 'cluster_edges',
  /** node, label: each linked record and the smallest record id it is known to be connected to. */
  clusterLabels: 'cluster_labels',
  /** A propagation pass: the labels after one more step along the links. */
  nextClusterLabels: 'next_cluster_labels',
  /** record_id, cluster_id: every record, with the smallest record id of its cluster. */
  clusters: 'clusters',
  /** Two records of one source in one cluster without a link of their own: merged through others. */
  clusterConflicts: 'cluster_conflicts',
} as const;

/** The term-frequency table of a standardized column: value, tf (the share of records with it). */
export function termFrequencyTable(column: string): string {
  return `tf_${column}`;
}
