/**
 * Training on small hand-counted fixtures: u is the share of random pairs at each level, drawn
 * by a seed; EM starts from m ranked by level and λ from the prior, and stops at maxIterations
 * without failing the run. (EM's estimates are checked on synthetic people in linkage-plan.test.ts.)
 */
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { linkagePlan } from '../../core/linkage/plan';
import { parseLinkageSettings, type LinkageSettings, type Prior } from '../../core/linkage/settings';
import { standardizeSql } from '../../core/linkage/sql/standardize';
import { LINKAGE_TABLES } from '../../core/linkage/sql/tables';
import { randomPairsSql, sampledRecords, startingM, startingParametersSql, startingTrainingSql } from '../../core/linkage/sql/training';
import type { Plan } from '../../core/plan/plan';
import { runPlan } from '../../core/plan/run';
import { freshEngineAndFolder, underFolder, writeParquet } from '../plan/fixtures';
import { exampleSettings, recordsSql, type PersonRecord } from './fixtures';

const fresh = freshEngineAndFolder();

/** Two comparisons whose shares among all pairs are easy to count by hand. */
function countedSettings(changes: { training?: LinkageSettings['training']; prior?: Prior } = {}): LinkageSettings {
  return parseLinkageSettings({
    name: 'counted',
    recordId: 'record_id',
    source: 'partner',
    linkType: 'link_and_dedupe',
    fields: [{ name: 'given_name', kind: 'name', column: 'first_name' }, { name: 'birth_date', kind: 'date', column: 'dob' }, { name: 'ssn', kind: 'ssn' }],
    blockingRules: [{ on: [{ column: 'birth_date' }] }],
    comparisons: [
      { name: 'given_name', column: 'given_name', levels: [{ kind: 'null' }, { kind: 'exact' }, { kind: 'else' }] },
      { name: 'birth_date', column: 'birth_date', levels: [{ kind: 'null' }, { kind: 'exact' }, { kind: 'same_year' }, { kind: 'else' }] },
    ],
    prior: changes.prior ?? { probabilityTwoRandomRecordsMatch: 0.01 },
    matchThreshold: 0.9,
    ...(changes.training ? { training: changes.training } : {}),
  });
}

const NAMES = ['Ann', 'Ann', 'Ann', 'Ann', 'Ben', 'Ben', 'Ben', 'Cal', 'Cal', 'Dee', null, null];
const DATES = ['2001-01-01', '2001-01-01', '2001-01-01', '2001-06-01', '2001-06-01', '2001-06-01', '2002-01-01', '2002-01-01', '2002-01-01', '2002-01-01', '2002-01-01', '2002-01-01'];
/**
 * 12 records, 66 pairs. Given names: 10 known, so 45 pairs with both, of which 6 + 3 + 1 agree
 * (Ann, Ben, Cal). Birth dates, all known: 3 + 3 + 15 pairs agree, 9 more share only 2001.
 */
const COUNTED: PersonRecord[] = NAMES.map((first, i) => ({ id: i + 1, first, dob: DATES[i] as string, ssn: i < 4 ? '123456780' : null }));

async function run(records: readonly PersonRecord[], steps: Plan['steps']): Promise<void> {
  await writeParquet(fresh.engine, fresh.dir, 'records.parquet', recordsSql(records));
  const plan: Plan = { name: 'training_steps', inputs: { records: { format: 'parquet', location: 'records.parquet' } }, steps, outputs: {} };
  await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });
}

/** standardized → random_pairs → parameters as they stand before EM. */
function uSteps(settings: LinkageSettings): Plan['steps'] {
  return [
    { kind: 'sql', name: LINKAGE_TABLES.standardized, sql: standardizeSql(settings) },
    { kind: 'sql', name: LINKAGE_TABLES.randomPairs, sql: randomPairsSql(settings) },
    { kind: 'sql', name: LINKAGE_TABLES.parameters, sql: startingParametersSql(settings) },
  ];
}

test('u is the share of random pairs with values on both sides that fall in each level', async () => {
  // 100 pairs asked for, 66 there: every pair is in the sample.
  await run(COUNTED, uSteps(countedSettings({ training: { uSamplePairs: 100 } })));

  expect(await fresh.engine.query('SELECT COUNT(*) AS pairs FROM random_pairs')).toEqual([{ pairs: 66 }]);
  expect(await fresh.engine.query('SELECT comparison, level, u FROM parameters ORDER BY comparison, level DESC')).toEqual([
    { comparison: 'birth_date', level: 2, u: 21 / 66 },
    { comparison: 'birth_date', level: 1, u: 9 / 66 },
    { comparison: 'birth_date', level: 0, u: 36 / 66 },
    { comparison: 'given_name', level: 1, u: 10 / 45 },
    { comparison: 'given_name', level: 0, u: 35 / 45 },
  ]);
});

test('EM starts with most of m on the closest level', async () => {
  expect(startingM(countedSettings().comparisons[1])).toEqual([
    { level: 2, m: 16 / 21 }, { level: 1, m: 4 / 21 }, { level: 0, m: 1 / 21 },
  ]);
  await run(COUNTED, uSteps(countedSettings()));
  expect(await fresh.engine.query("SELECT level, m FROM parameters WHERE comparison = 'given_name' ORDER BY level DESC")).toEqual([{ level: 1, m: 0.8 }, { level: 0, m: 0.2 }]);
});

test('a level no random pair falls in gets u = 1e-6, not 0', async () => {
  // Every record its own name: no random pair agrees on it.
  const distinct = COUNTED.map((r, i) => ({ ...r, first: `Name${String.fromCharCode(65 + i)}` }));
  await run(distinct, uSteps(countedSettings()));
  expect(await fresh.engine.query("SELECT level, u FROM parameters WHERE comparison = 'given_name' ORDER BY level DESC")).toEqual([{ level: 1, u: 1e-6 }, { level: 0, u: 1 }]);
});

test('the random pairs are a seeded sample: the same seed gives the same pairs, another seed others', async () => {
  const sample = async (seed: number): Promise<unknown[]> => {
    const settings = countedSettings({ training: { uSamplePairs: 10, seed } });
    await run(COUNTED, uSteps(settings));
    return fresh.engine.query('SELECT record_id_l, record_id_r FROM random_pairs ORDER BY 1, 2');
  };
  expect(sampledRecords(10)).toBe(5);
  const first = await sample(7);

  expect(first).toHaveLength(10);
  expect(await sample(7)).toEqual(first);
  expect(await sample(8)).not.toEqual(first);
});

test('with link_only, random pairs are pairs across sources', async () => {
  const settings = parseLinkageSettings({ ...countedSettings({ training: { uSamplePairs: 100 } }), linkType: 'link_only' });
  await run(COUNTED.map((r) => ({ ...r, partner: r.id % 3 === 0 ? 'wages' : 'k12' })), uSteps(settings));
  // 4 wages and 8 k12 records.
  expect(await fresh.engine.query('SELECT COUNT(*) AS pairs FROM random_pairs')).toEqual([{ pairs: 32 }]);
});

test('λ starts from the prior, or from the deterministic rules\' pairs divided by the recall', async () => {
  const starting = async (prior: Prior): Promise<unknown[]> => {
    const settings = countedSettings({ prior });
    await run(COUNTED, [
      { kind: 'sql', name: LINKAGE_TABLES.standardized, sql: standardizeSql(settings) },
      { kind: 'sql', name: LINKAGE_TABLES.training, sql: startingTrainingSql(settings) },
    ]);
    return fresh.engine.query('SELECT * FROM training');
  };
  const start = { comparable_pairs: 66, iteration: 0, max_change: null, converged: false };

  expect(await starting({ probabilityTwoRandomRecordsMatch: 0.01 })).toEqual([{ probability_two_random_records_match: 0.01, ...start }]);
  // Four records share an SSN: 6 pairs, taken as 60% of all matches.
  expect(await starting({ recall: 0.6, deterministicRules: [{ on: [{ column: 'ssn' }] }] })).toEqual([{ probability_two_random_records_match: 10 / 66, ...start }]);
});

test('EM stops after maxIterations without failing the run, and says it did not converge', async () => {
  await writeParquet(fresh.engine, fresh.dir, 'records.parquet', recordsSql(COUNTED));
  const plan = linkagePlan(exampleSettings({ training: { maxIterations: 1 } }), 'records.parquet', {
    predictions: 'out/predictions.parquet', clusters: 'out/clusters.parquet', parameters: 'out/parameters.parquet',
    training: 'out/training.parquet', clusterConflicts: 'out/cluster_conflicts.parquet',
  });
  const summary = await runPlan(plan, fresh.engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(fresh.dir) });

  const em = summary.steps.find((s) => s.name === 'expectation_maximisation');
  expect(em?.kind === 'loop' && em.iterations.length).toBe(1);
  expect(await fresh.engine.query('SELECT iteration, converged FROM training')).toEqual([{ iteration: 1, converged: false }]);
});
