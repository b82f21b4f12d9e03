/**
 * Linkage quality against a truth (synthetic data, a clerical sample): how well the clusters
 * match the true persons, as one row. Pairwise counts come from the table of cluster × person
 * cells, so no pair is listed: a cell of n records holds n(n-1)/2 pairs. Only records that have
 * a truth are counted. Engine-neutral SQL (docs/plans.md).
 *
 * - precision: of the pairs the clusters put together, the share that are one person;
 * - recall: of the pairs that are one person, the share the clusters put together;
 * - f1: 2·tp / (linked + true pairs), their harmonic mean;
 * - exact_persons: persons whose records are one cluster holding nothing else;
 * - split_persons: persons spread over more than one cluster; merged_clusters: clusters holding
 *   more than one person.
 */
import type { Plan, SqlStep } from '../plan/plan';

export const QUALITY_TABLES = {
  /** Input: `record_id`, `cluster_id`. */
  clusters: 'clusters',
  /** Input: `record_id`, `person_id` (the true person). */
  truth: 'truth',
  /** Output: one row of counts and rates. */
  linkageQuality: 'linkage_quality',
} as const;

const pairs = (n: string): string => `CAST(${n} AS DOUBLE) * (${n} - 1) / 2`;

export function linkageQualitySteps(): SqlStep[] {
  const { clusters, truth, linkageQuality } = QUALITY_TABLES;
  return [
    {
      kind: 'sql',
      name: 'quality_cells',
      sql: `SELECT c.cluster_id, t.person_id, COUNT(*) AS n FROM ${clusters} c JOIN ${truth} t ON t.record_id = c.record_id GROUP BY c.cluster_id, t.person_id`,
    },
    {
      kind: 'sql',
      name: linkageQuality,
      sql: [
        'WITH by_cluster AS (SELECT cluster_id, SUM(n) AS n, COUNT(*) AS persons FROM quality_cells GROUP BY cluster_id),',
        'by_person AS (SELECT person_id, SUM(n) AS n, COUNT(*) AS clusters FROM quality_cells GROUP BY person_id),',
        'counts AS (',
        '  SELECT',
        '    (SELECT SUM(n) FROM by_cluster) AS records,',
        '    (SELECT COUNT(*) FROM by_person) AS persons,',
        '    (SELECT COUNT(*) FROM by_cluster) AS clusters,',
        `    (SELECT COALESCE(SUM(${pairs('n')}), 0) FROM by_cluster) AS linked_pairs,`,
        `    (SELECT COALESCE(SUM(${pairs('n')}), 0) FROM by_person) AS true_pairs,`,
        `    (SELECT COALESCE(SUM(${pairs('n')}), 0) FROM quality_cells) AS true_positive_pairs,`,
        '    (SELECT COUNT(*) FROM quality_cells q JOIN by_cluster c ON c.cluster_id = q.cluster_id JOIN by_person p ON p.person_id = q.person_id',
        '      WHERE q.n = c.n AND q.n = p.n) AS exact_persons,',
        '    (SELECT COUNT(*) FROM by_person WHERE clusters > 1) AS split_persons,',
        '    (SELECT COUNT(*) FROM by_cluster WHERE persons > 1) AS merged_clusters',
        ')',
        'SELECT *,',
        '  true_positive_pairs / NULLIF(linked_pairs, 0) AS pair_precision,',
        '  true_positive_pairs / NULLIF(true_pairs, 0) AS pair_recall,',
        '  2 * true_positive_pairs / NULLIF(linked_pairs + true_pairs, 0) AS pair_f1',
        'FROM counts',
      ].join('\n'),
    },
  ];
}

/** The quality of clusters against a truth, both in Parquet. */
export function linkageQualityPlan(inputs: { readonly clusters: string; readonly truth: string }, output: string): Plan {
  const { clusters, truth, linkageQuality } = QUALITY_TABLES;
  return {
    name: 'linkage_quality',
    description: 'Pairwise precision, recall and F1 and cluster-level counts of clusters against the true persons.',
    inputs: { [clusters]: { format: 'parquet', location: inputs.clusters }, [truth]: { format: 'parquet', location: inputs.truth } },
    steps: linkageQualitySteps(),
    outputs: { [linkageQuality]: { format: 'parquet', location: output } },
  };
}
