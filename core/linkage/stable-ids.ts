/**
 * Stable pseudonymous person ids: each cluster of records (one person) gets a `c2c_id` that is a
 * random UUID, so nothing about the person can be derived from it, and that survives re-runs.
 *
 * A cluster keeps the id of the previous run's person it shares most records with, when that
 * person also shares most of its records with this cluster (a mutual best match): an unchanged
 * person keeps its id; when two persons merge, the larger keeps its id; when a person splits,
 * the larger part keeps it; the rest get new ids. Ties go to the smaller id or cluster, so the
 * outcome does not depend on the engine's row order. `id_lineage` records, without any personal
 * data, which previous ids went into which current ones, for downstream tables and audits.
 *
 * Engine-neutral SQL (docs/plans.md). `uuid()` is random in both engines; each step is
 * materialized, so every cluster draws its new id once.
 */
import type { InputBinding, Plan, SqlStep } from '../plan/plan';

export const STABLE_ID_TABLES = {
  /** Input: one row per record, `record_id` and `cluster_id` (the clustering's output). */
  clusters: 'clusters',
  /** Input, optional: the previous run's `person_xwalk`. */
  previousXwalk: 'previous_xwalk',
  /** Output: `record_id`, `c2c_id`. Restricted: it ties source records to persons. */
  personXwalk: 'person_xwalk',
  /** Output: `previous_c2c_id`, `current_c2c_id`, `records`. */
  idLineage: 'id_lineage',
} as const;

/** The steps that turn `clusters` (and `previous_xwalk`, when there was a previous run) into stable ids. */
export function stableIdSteps(hasPrevious: boolean): SqlStep[] {
  const { clusters, previousXwalk, personXwalk, idLineage } = STABLE_ID_TABLES;
  const sql = (name: string, text: string): SqlStep => ({ kind: 'sql', name, sql: text });
  return [
    sql('previous_ids', hasPrevious
      ? `SELECT record_id, c2c_id FROM ${previousXwalk}`
      : `SELECT record_id, CAST(NULL AS STRING) AS c2c_id FROM ${clusters} WHERE 1 = 0`),
    sql('id_votes', `SELECT c.cluster_id, p.c2c_id, COUNT(*) AS n FROM ${clusters} c JOIN previous_ids p ON p.record_id = c.record_id GROUP BY c.cluster_id, p.c2c_id`),
    sql('kept_ids', [
      'SELECT cluster_id, c2c_id FROM (',
      '  SELECT cluster_id, c2c_id,',
      '    ROW_NUMBER() OVER (PARTITION BY cluster_id ORDER BY n DESC NULLS LAST, c2c_id ASC NULLS LAST) AS best_id_of_cluster,',
      '    ROW_NUMBER() OVER (PARTITION BY c2c_id ORDER BY n DESC NULLS LAST, cluster_id ASC NULLS LAST) AS best_cluster_of_id',
      '  FROM id_votes',
      ') v WHERE best_id_of_cluster = 1 AND best_cluster_of_id = 1',
    ].join('\n')),
    sql('new_ids', [
      'SELECT c.cluster_id, CAST(uuid() AS STRING) AS c2c_id',
      `FROM (SELECT DISTINCT cluster_id FROM ${clusters}) c LEFT JOIN kept_ids k ON k.cluster_id = c.cluster_id`,
      'WHERE k.cluster_id IS NULL',
    ].join('\n')),
    sql(personXwalk, [
      'SELECT c.record_id, a.c2c_id',
      `FROM ${clusters} c JOIN (SELECT cluster_id, c2c_id FROM kept_ids UNION ALL SELECT cluster_id, c2c_id FROM new_ids) a ON a.cluster_id = c.cluster_id`,
    ].join('\n')),
    sql(idLineage, [
      'SELECT p.c2c_id AS previous_c2c_id, x.c2c_id AS current_c2c_id, COUNT(*) AS records',
      `FROM previous_ids p JOIN ${personXwalk} x ON x.record_id = p.record_id`,
      'GROUP BY p.c2c_id, x.c2c_id',
    ].join('\n')),
  ];
}

/** Stable ids on their own, from clusters (and a previous crosswalk) in Parquet. */
export function stableIdPlan(inputs: { readonly clusters: string; readonly previousXwalk?: string }, outputs: { readonly personXwalk: string; readonly idLineage: string }): Plan {
  const bindings: Record<string, InputBinding> = { [STABLE_ID_TABLES.clusters]: { format: 'parquet', location: inputs.clusters } };
  if (inputs.previousXwalk !== undefined) bindings[STABLE_ID_TABLES.previousXwalk] = { format: 'parquet', location: inputs.previousXwalk };
  return {
    name: 'stable_ids',
    description: 'Gives each cluster of records a c2c_id: the previous run\'s where the person is the same, a new random one otherwise.',
    inputs: bindings,
    steps: stableIdSteps(inputs.previousXwalk !== undefined),
    outputs: {
      [STABLE_ID_TABLES.personXwalk]: { format: 'parquet', location: outputs.personXwalk },
      [STABLE_ID_TABLES.idLineage]: { format: 'parquet', location: outputs.idLineage },
    },
  };
}
