/**
 * Linkage quality against a synthetic state's truth: the generator's truth files name the true
 * person of every record (by file and primary key); joined to the raw rows, they give each
 * identity record its true person, and linkageQualityPlan compares the clusters with that.
 * Only for generated states; the truth stays in the identity zone (restricted), like the clusters.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LINK_LOCATIONS } from '../../core/identity/link';
import { rawLocation, recordIdSql } from '../../core/identity/plan';
import { identitySources } from '../../core/identity/sources';
import { linkageQualityPlan } from '../../core/linkage/quality';
import { runPlan, type LocationResolver } from '../../core/plan/run';
import type { SqlEngine } from '../../core/ports/sql-engine';
import type { FieldDefinition } from '../../core/contracts/types';
import { sqlString, typedValueSql } from '../../core/validation/sql';
import { duckDbPlanDialect } from '../sql/duckdb-plan-dialect';

export const TRUTH_LOCATIONS = {
  truth: 'identity/linkage/truth.parquet',
  quality: 'identity/linkage/quality.parquet',
} as const;

export interface LinkageQuality {
  readonly records: number;
  readonly persons: number;
  readonly clusters: number;
  readonly pairPrecision: number;
  readonly pairRecall: number;
  readonly pairF1: number;
  readonly exactPersons: number;
  readonly splitPersons: number;
  readonly mergedClusters: number;
}

/**
 * `stateDir`: the folder `c2c generate` wrote (its truth/); `lakeRoot`: the local lake the state
 * was ingested into and linked. Identity records that hold two true persons (an SSN two people
 * used in wage records) are left out: no clustering can be right about them.
 */
export async function linkageQualityAgainstTruth(engine: SqlEngine, stateDir: string, lakeRoot: string, resolveLocation: LocationResolver): Promise<LinkageQuality> {
  const selects = identitySources().flatMap((source) => {
    const { contract } = source;
    const truth = ['.csv', '.csv.gz'].map((ending) => path.join(stateDir, 'truth', contract.partner, `${contract.dataset}${ending}`)).find((file) => existsSync(file));
    const raw = path.join(lakeRoot, ...rawLocation(contract).split('/'));
    if (truth === undefined || !existsSync(raw)) return [];
    // The truth keeps each key as the partner wrote it; typed as validation typed it for raw/, it joins.
    const typedKeys = contract.schema.primaryKey.map((k) => `${typedValueSql(contract.schema.fields.find((f) => f.name === k) as FieldDefinition, contract.schema.missingValues)} AS ${k}`);
    return [[
      `SELECT DISTINCT ${recordIdSql(source, 'r')} AS record_id, t.person_id FROM read_parquet(${sqlString(path.join(raw, '**', '*.parquet'))}) r`,
      `JOIN (SELECT file, person_id, ${typedKeys.join(', ')} FROM read_csv(${sqlString(truth)}, header = true, all_varchar = true)) t`,
      `  ON t.file = regexp_extract(r._source_object, '[^/]+$') AND ${contract.schema.primaryKey.map((k) => `t.${k} = r.${k}`).join(' AND ')}`,
    ].join('\n')];
  });
  if (selects.length === 0) throw new Error(`${stateDir} has no truth for any dataset in the lake`);
  // One dataset at a time: the lake's engine may have a Lambda-sized memory limit (ingestion's).
  await engine.run('CREATE OR REPLACE TEMP TABLE record_persons (record_id VARCHAR, person_id VARCHAR)');
  for (const select of selects) await engine.run(`INSERT INTO record_persons ${select}`);
  const truthFile = await resolveLocation(TRUTH_LOCATIONS.truth, 'write');
  await engine.run(`COPY (SELECT record_id, MIN(person_id) AS person_id FROM record_persons GROUP BY record_id HAVING COUNT(DISTINCT person_id) = 1) TO ${sqlString(truthFile)} (FORMAT parquet)`);
  await engine.run('DROP TABLE record_persons');
  await runPlan(linkageQualityPlan({ clusters: LINK_LOCATIONS.linkage.clusters, truth: TRUTH_LOCATIONS.truth }, TRUTH_LOCATIONS.quality), engine, { dialect: duckDbPlanDialect, resolveLocation });
  const [row] = await engine.query(`SELECT * FROM read_parquet(${sqlString(await resolveLocation(TRUTH_LOCATIONS.quality, 'read'))})`);
  const n = (column: string): number => Number(row?.[column]);
  return {
    records: n('records'), persons: n('persons'), clusters: n('clusters'), pairPrecision: n('pair_precision'), pairRecall: n('pair_recall'), pairF1: n('pair_f1'),
    exactPersons: n('exact_persons'), splitPersons: n('split_persons'), mergedClusters: n('merged_clusters'),
  };
}

export function linkageQualityText(q: LinkageQuality): string {
  return `Against the generator's truth (${q.records.toLocaleString('en-US')} identity records of ${q.persons.toLocaleString('en-US')} true persons): ` +
    `pairwise precision ${q.pairPrecision.toFixed(4)}, recall ${q.pairRecall.toFixed(4)}, F1 ${q.pairF1.toFixed(4)}; ` +
    `${q.exactPersons.toLocaleString('en-US')} persons found exactly, ${q.splitPersons.toLocaleString('en-US')} split, ${q.mergedClusters.toLocaleString('en-US')} clusters merging two or more.`;
}
