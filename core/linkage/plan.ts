/**
 * The first half of a linkage run as a plan (core/plan/plan.ts): standardize the records, find
 * candidate pairs by blocking, and compare each pair, writing the comparison vectors. Training,
 * prediction and clustering build on its tables.
 */
import type { Plan } from '../plan/plan';
import { parseLinkageSettings, type LinkageSettings } from './settings';
import { blockingSql } from './sql/blocking';
import { comparisonVectorSql } from './sql/comparison';
import { standardizeSql } from './sql/standardize';
import { LINKAGE_TABLES } from './sql/tables';

/** `inputLocation`: the records' Parquet; `outputLocation`: where the comparison vectors go. */
export function comparisonPlan(settings: LinkageSettings, inputLocation: string, outputLocation: string): Plan {
  // Settings built in code reach here without having been through parseLinkageSettings.
  parseLinkageSettings(settings);
  const { records, standardized, candidatePairs, comparisonVectors } = LINKAGE_TABLES;
  return {
    name: `${settings.name}_comparison`,
    description: `Standardizes the records, finds candidate pairs by blocking and compares each pair (linkage settings ${settings.name}).`,
    inputs: { [records]: { format: 'parquet', location: inputLocation } },
    steps: [
      { kind: 'sql', name: standardized, sql: standardizeSql(settings) },
      { kind: 'sql', name: candidatePairs, sql: blockingSql(settings) },
      { kind: 'sql', name: comparisonVectors, sql: comparisonVectorSql(settings) },
    ],
    outputs: { [comparisonVectors]: { format: 'parquet', location: outputLocation } },
  };
}
