/**
 * Linkage runs as plans (core/plan/plan.ts): standardize the records, find candidate pairs by
 * blocking and compare each pair (comparisonPlan); then train u and m, score every candidate
 * pair and cluster the links into persons (linkagePlan). docs/linkage.md describes each step.
 */
import type { Plan, Step } from '../plan/plan';
import { parseLinkageSettings, TRAINING_DEFAULTS, type LinkageSettings } from './settings';
import { blockingSql } from './sql/blocking';
import {
  clusterConflictsSql, clusterEdgesSql, clusterLabelsSql, clustersSql, labelsSettledSql, nextClusterLabelsSql,
} from './sql/clustering';
import { comparisonVectorSql } from './sql/comparison';
import { predictionSql, termFrequencyLevels } from './sql/prediction';
import { standardizeSql } from './sql/standardize';
import { LINKAGE_TABLES, termFrequencyTable } from './sql/tables';
import {
  comparisonPatternsSql, emStopSql, expectationSql, maximisationSql, nextTrainingSql, randomPairsSql,
  startingParametersSql, startingTrainingSql, termFrequencySql,
} from './sql/training';

const T = LINKAGE_TABLES;

/**
 * A guard, not a budget: with label jumping a chain of n links settles in about log2(n) passes,
 * and stopping before every label settles would leave persons split, so reaching it is an error.
 */
const PROPAGATION_MAX_ITERATIONS = 100;

/** `inputLocation`: the records' Parquet; `outputLocation`: where the comparison vectors go. */
export function comparisonPlan(settings: LinkageSettings, inputLocation: string, outputLocation: string): Plan {
  // Settings built in code reach here without having been through parseLinkageSettings.
  parseLinkageSettings(settings);
  return {
    name: `${settings.name}_comparison`,
    description: `Standardizes the records, finds candidate pairs by blocking and compares each pair (linkage settings ${settings.name}).`,
    inputs: { [T.records]: { format: 'parquet', location: inputLocation } },
    steps: comparisonSteps(settings),
    outputs: { [T.comparisonVectors]: { format: 'parquet', location: outputLocation } },
  };
}

/** Where linkagePlan writes each of its results. */
export interface LinkageOutputs {
  /** Every candidate pair: ids, match weight and probability, sources, blocking rule, comparison vector. */
  readonly predictions: string;
  /** record_id, cluster_id for every record. */
  readonly clusters: string;
  /** comparison, level, m, u. */
  readonly parameters: string;
  /** One row: λ, the comparable pairs, EM's iterations, last largest change, and whether it converged. */
  readonly training: string;
  /** Pairs of records of one source in one cluster without a link of their own. */
  readonly clusterConflicts: string;
}

/** The whole run: standardize → candidate pairs → comparison vectors → u → EM → predictions → clusters. */
export function linkagePlan(settings: LinkageSettings, inputLocation: string, outputs: LinkageOutputs): Plan {
  parseLinkageSettings(settings);
  const parquet = (location: string) => ({ format: 'parquet', location }) as const;
  return {
    name: `${settings.name}_linkage`,
    description: `Links the records: standardizes them, compares the candidate pairs, estimates u from random pairs and m by EM, ` +
      `scores every pair and clusters the links into persons (linkage settings ${settings.name}).`,
    inputs: { [T.records]: parquet(inputLocation) },
    steps: [
      ...comparisonSteps(settings),
      ...trainingSteps(settings),
      { kind: 'sql', name: T.predictions, sql: predictionSql(settings) },
      ...clusteringSteps(settings),
    ],
    outputs: {
      [T.predictions]: parquet(outputs.predictions),
      [T.clusters]: parquet(outputs.clusters),
      [T.parameters]: parquet(outputs.parameters),
      [T.training]: parquet(outputs.training),
      [T.clusterConflicts]: parquet(outputs.clusterConflicts),
    },
  };
}

/**
 * From `predictions` (record_id_l < record_id_r, source_l, source_r, match_probability) and
 * `standardized` (record_id, source) to `clusters` and `cluster_conflicts`.
 */
export function clusteringSteps(settings: LinkageSettings): Step[] {
  return [
    { kind: 'sql', name: T.clusterEdges, sql: clusterEdgesSql(settings) },
    { kind: 'sql', name: T.clusterLabels, sql: clusterLabelsSql() },
    {
      kind: 'loop',
      name: 'propagate_labels',
      body: [{ kind: 'sql', name: T.nextClusterLabels, sql: nextClusterLabelsSql() }],
      until: labelsSettledSql(),
      carry: { [T.clusterLabels]: T.nextClusterLabels },
      maxIterations: PROPAGATION_MAX_ITERATIONS,
    },
    { kind: 'sql', name: T.clusters, sql: clustersSql() },
    { kind: 'sql', name: T.clusterConflicts, sql: clusterConflictsSql() },
  ];
}

function comparisonSteps(settings: LinkageSettings): Step[] {
  return [
    { kind: 'sql', name: T.standardized, sql: standardizeSql(settings) },
    { kind: 'sql', name: T.candidatePairs, sql: blockingSql(settings) },
    { kind: 'sql', name: T.comparisonVectors, sql: comparisonVectorSql(settings) },
  ];
}

/** Term-frequency tables, u from random pairs, then m and λ by EM. */
function trainingSteps(settings: LinkageSettings): Step[] {
  const { maxIterations } = { ...TRAINING_DEFAULTS, ...settings.training };
  const tfColumns = [...new Set(termFrequencyLevels(settings).map((level) => level.column))];
  return [
    ...tfColumns.map((column): Step => ({ kind: 'sql', name: termFrequencyTable(column), sql: termFrequencySql(column) })),
    { kind: 'sql', name: T.randomPairs, sql: randomPairsSql(settings) },
    { kind: 'sql', name: T.parameters, sql: startingParametersSql(settings) },
    { kind: 'sql', name: T.comparisonPatterns, sql: comparisonPatternsSql(settings) },
    { kind: 'sql', name: T.training, sql: startingTrainingSql(settings) },
    {
      kind: 'loop',
      name: 'expectation_maximisation',
      body: [
        { kind: 'sql', name: T.emExpectations, sql: expectationSql(settings) },
        { kind: 'sql', name: T.nextParameters, sql: maximisationSql(settings) },
        { kind: 'sql', name: T.nextTraining, sql: nextTrainingSql() },
      ],
      until: emStopSql(settings),
      carry: { [T.parameters]: T.nextParameters, [T.training]: T.nextTraining },
      maxIterations,
    },
  ];
}
