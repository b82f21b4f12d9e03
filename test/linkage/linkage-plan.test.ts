/**
 * The whole linkage plan on synthetic people whose truth is known (test/linkage/synthetic.ts):
 * EM recovers m, predictions score as Fellegi-Sunter says, clusters reach pairwise F1 ≥ 0.95,
 * and a second run gives the same outputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { linkagePlan, type LinkageOutputs } from '../../core/linkage/plan';
import type { SqlRow } from '../../core/ports/sql-engine';
import { parsePlan } from '../../core/plan/plan';
import { runPlan, type PlanRun } from '../../core/plan/run';
import { readParquet, underFolder, writeParquet } from '../plan/fixtures';
import { exampleSettings, recordsSql } from './fixtures';
import { entityOf, syntheticRecords } from './synthetic';

const SETTINGS = exampleSettings();
const RECORDS = syntheticRecords({ entities: 500, seed: 7 });
const OUTPUTS: LinkageOutputs = {
  predictions: 'out/predictions.parquet',
  clusters: 'out/clusters.parquet',
  parameters: 'out/parameters.parquet',
  training: 'out/training.parquet',
  clusterConflicts: 'out/cluster_conflicts.parquet',
};
const PLAN = linkagePlan(SETTINGS, 'records.parquet', OUTPUTS);

let engine: DuckDbEngine;
let dir: string;
let run: PlanRun;
beforeAll(async () => {
  engine = await DuckDbEngine.open();
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-linkage-plan-'));
  await writeParquet(engine, dir, 'records.parquet', recordsSql(RECORDS));
  run = await runPlan(PLAN, engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(dir) });
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const samePerson = (row: SqlRow): boolean => entityOf(Number(row.record_id_l)) === entityOf(Number(row.record_id_r));

test('linkagePlan is a valid plan: comparison, training, prediction, clustering, and five outputs', async () => {
  expect(parsePlan(PLAN)).toBe(PLAN);
  expect(PLAN.steps.map((s) => s.name)).toEqual([
    'standardized', 'candidate_pairs', 'comparison_vectors', 'tf_given_name', 'tf_surname', 'random_pairs', 'parameters',
    'comparison_patterns', 'training', 'expectation_maximisation', 'predictions',
    'cluster_edges', 'cluster_labels', 'propagate_labels', 'clusters', 'cluster_conflicts',
  ]);
  expect(run.outputs.map((o) => [o.table, o.rows])).toEqual([
    ['predictions', (await engine.query('SELECT * FROM candidate_pairs')).length],
    ['clusters', RECORDS.length],
    // Given name 5 levels, surname 5, birth date 6, SSN 3, student ID 3, besides the null levels.
    ['parameters', 22],
    ['training', 1],
    ['cluster_conflicts', (await engine.query('SELECT * FROM cluster_conflicts')).length],
  ]);
});

test('EM converges within maxIterations and recovers m: within 0.01 of the share of true pairs at each level', async () => {
  const [training] = await engine.query('SELECT * FROM training');
  const em = run.steps.find((s) => s.name === 'expectation_maximisation');
  expect(training?.converged).toBe(true);
  expect(em?.kind === 'loop' && em.iterations.length).toBe(training?.iteration);
  expect(training?.iteration).toBeLessThan(SETTINGS.training?.maxIterations ?? 0);

  const vectors = (await engine.query('SELECT * FROM comparison_vectors')).filter(samePerson);
  const parameters = await engine.query('SELECT comparison, level, m FROM parameters');
  const misses = parameters.flatMap(({ comparison, level, m }) => {
    const known = vectors.filter((v) => v[`gamma_${comparison}`] !== -1);
    const truth = known.filter((v) => v[`gamma_${comparison}`] === level).length / known.length;
    return Math.abs(Number(m) - truth) < 0.01 ? [] : [{ comparison, level, m, truth }];
  });
  expect(misses).toEqual([]);

  // λ counts the matches among the candidate pairs (blocking is taken to find nearly all), as a share of all pairs.
  const expectedMatches = Number(training?.probability_two_random_records_match) * Number(training?.comparable_pairs);
  expect(expectedMatches / vectors.length).toBeCloseTo(1, 1);
});

test('a prediction\'s weight is log2(λ/(1-λ)) plus log2(m/u) of each level, with the agreed name\'s frequency in place of u', async () => {
  const [training] = await engine.query('SELECT * FROM training');
  const lambda = Number(training?.probability_two_random_records_match);
  const parameters = new Map((await engine.query('SELECT * FROM parameters')).map((p) => [`${p.comparison} ${p.level}`, p]));
  const names = new Map((await engine.query('SELECT record_id, given_name, surname FROM standardized')).map((r) => [r.record_id, r]));
  const frequencies = async (table: string): Promise<Map<unknown, number>> => new Map((await engine.query(`SELECT * FROM ${table}`)).map((r) => [r.value, Number(r.tf)]));
  const tf: Record<string, Map<unknown, number>> = { given_name: await frequencies('tf_given_name'), surname: await frequencies('tf_surname') };

  const expected = (row: SqlRow): number => SETTINGS.comparisons.reduce((weight, { name }) => {
    const level = row[`gamma_${name}`];
    const p = parameters.get(`${name} ${level}`);
    if (p === undefined) return weight;
    // The exact levels of given name and surname (gamma 4) are adjusted by term frequency.
    const u = level === 4 && name in tf ? (tf[name]?.get(names.get(row.record_id_l)?.[name]) as number) : Number(p.u);
    return weight + Math.log2(Number(p.m) / u);
  }, Math.log2(lambda / (1 - lambda)));

  const predictions = await engine.query('SELECT * FROM predictions');
  const off = predictions.filter((p) => Math.abs(Number(p.match_weight) - expected(p)) > 1e-9 ||
    Math.abs(Number(p.match_probability) - 1 / (1 + 2 ** -Number(p.match_weight))) > 1e-12);
  expect(off).toEqual([]);
});

test('predictions put true pairs high and other pairs low', async () => {
  const predictions = await engine.query('SELECT record_id_l, record_id_r, match_probability FROM predictions');
  const share = (rows: SqlRow[], holds: (p: number) => boolean): number => rows.filter((r) => holds(Number(r.match_probability))).length / rows.length;
  const truePairs = predictions.filter(samePerson);
  const otherPairs = predictions.filter((p) => !samePerson(p));

  expect(share(truePairs, (p) => p >= 0.5)).toBeGreaterThan(0.98);
  expect(share(otherPairs, (p) => p < 0.5)).toBeGreaterThan(0.99);
  expect(share(otherPairs, (p) => p >= SETTINGS.matchThreshold)).toBe(0);
});

test('clusters reach pairwise F1 ≥ 0.95 against the true people', async () => {
  const clusters = await engine.query('SELECT record_id, cluster_id FROM clusters');
  const linked = pairsWithin(clusters.map((c) => [Number(c.record_id), Number(c.cluster_id)]));
  const truth = pairsWithin(RECORDS.map((r) => [r.id, entityOf(r.id)]));
  const found = [...linked].filter((pair) => truth.has(pair)).length;
  const [precision, recall] = [found / linked.size, found / truth.size];

  expect({ precision: precision > 0.99, recall: recall > 0.9 }).toEqual({ precision: true, recall: true });
  expect((2 * precision * recall) / (precision + recall)).toBeGreaterThanOrEqual(0.95);
});

test('the same records and seed give the same outputs', async () => {
  const again = await DuckDbEngine.open();
  const otherDir = mkdtempSync(path.join(tmpdir(), 'c2c-linkage-plan-'));
  try {
    await writeParquet(again, otherDir, 'records.parquet', recordsSql(RECORDS));
    await runPlan(PLAN, again, { dialect: duckDbPlanDialect, resolveLocation: underFolder(otherDir) });
    const order: Record<keyof LinkageOutputs, string> = {
      predictions: 'record_id_l, record_id_r', clusters: 'record_id', parameters: 'comparison, level', training: 'iteration', clusterConflicts: 'record_id_l, record_id_r',
    };
    for (const [output, location] of Object.entries(OUTPUTS) as [keyof LinkageOutputs, string][]) {
      const read = (root: string): Promise<SqlRow[]> => readParquet(engine, path.join(root, location), order[output]);
      expect([output, await read(otherDir)]).toEqual([output, await read(dir)]);
    }
  } finally {
    again.close();
    rmSync(otherDir, { recursive: true, force: true });
  }
});

/** Every pair of ids that share a group, as "smaller larger". */
function pairsWithin(members: readonly (readonly [number, number])[]): Set<string> {
  const groups = new Map<number, number[]>();
  for (const [id, group] of members) groups.set(group, [...(groups.get(group) ?? []), id]);
  const pairs = new Set<string>();
  for (const ids of groups.values()) {
    const sorted = [...ids].sort((a, b) => a - b);
    sorted.forEach((a, i) => sorted.slice(i + 1).forEach((b) => pairs.add(`${a} ${b}`)));
  }
  return pairs;
}
