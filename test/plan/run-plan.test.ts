/** The DuckDB interpreter runs the plans in test/plan/plans/ and reports what it did. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { duckDbPlanDialect } from '../../adapters/sql/duckdb-plan-dialect';
import { parsePlan, PlanError, type Plan } from '../../core/plan/plan';
import { runPlan, type LoopRun, type PlanProgress } from '../../core/plan/run';
import { planDocument, readParquet, STUDENTS, underFolder, writeParquet } from './fixtures';

let engine: DuckDbEngine;
let dir: string;
beforeEach(async () => {
  engine = await DuckDbEngine.open();
  dir = mkdtempSync(path.join(tmpdir(), 'c2c-plan-'));
  await writeParquet(engine, dir, 'students.parquet', STUDENTS);
});
afterEach(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(plan: Plan, onProgress?: (event: PlanProgress) => void): ReturnType<typeof runPlan> {
  return runPlan(plan, engine, { dialect: duckDbPlanDialect, resolveLocation: underFolder(dir), onProgress });
}

async function failure(work: Promise<unknown>): Promise<PlanError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PlanError);
  return error as PlanError;
}

test('sql steps over a Parquet file and a directory of them, written to Parquet', async () => {
  await writeParquet(engine, dir, 'scores/math.parquet', "SELECT * FROM (VALUES (1, 'math', 80), (2, 'math', 95), (3, 'math', 70)) AS t(student_id, subject, score)");
  await writeParquet(engine, dir, 'scores/reading.parquet', "SELECT * FROM (VALUES (1, 'reading', 90), (4, 'reading', 60), (3, 'reading', NULL)) AS t(student_id, subject, score)");

  const summary = await run(parsePlan(planDocument('school-summary.json')));

  expect(await readParquet(engine, path.join(dir, 'out/school_summary.parquet'), 'school')).toEqual([
    { school: 'Lincoln', students: 3, missing_scores: 1, best_score: 95, size_rank: 1 },
    { school: 'Roosevelt', students: 2, missing_scores: 1, best_score: 70, size_rank: 2 },
  ]);
  expect(summary).toMatchObject({
    plan: 'school_summary',
    steps: [{ kind: 'sql', name: 'student_scores', rows: 7 }, { kind: 'sql', name: 'school_summary', rows: 2 }],
    outputs: [{ table: 'school_summary', location: path.join(dir, 'out/school_summary.parquet'), rows: 2 }],
  });
});

test('a plan reads as an input the table an earlier plan in the session made, and makes a table where an earlier input was', async () => {
  const first: Plan = {
    name: 'first', inputs: { students: { format: 'parquet', location: 'students.parquet' } },
    steps: [{ kind: 'sql', name: 'ninth_graders', sql: 'SELECT student_id FROM students WHERE grade = 9' }],
    outputs: { ninth_graders: { format: 'parquet', location: 'out/ninth.parquet' } },
  };
  const second: Plan = {
    name: 'second', inputs: { ninth_graders: { format: 'parquet', location: 'out/ninth.parquet' } },
    steps: [{ kind: 'sql', name: 'students', sql: 'SELECT COUNT(*) AS n FROM ninth_graders' }],
    outputs: { students: { format: 'parquet', location: 'out/count.parquet' } },
  };
  await run(first);
  await run(second);
  expect(await readParquet(engine, path.join(dir, 'out/count.parquet'), 'n')).toEqual([{ n: 4 }]);
  await run(first);
  expect(await readParquet(engine, path.join(dir, 'out/ninth.parquet'), 'student_id')).toHaveLength(4);
});

const PEOPLE = 'SELECT * FROM (VALUES (1), (2), (3), (4), (10), (11), (12), (20)) AS t(person_id)';
// A chain 1-2-3-4 (label 1 needs three passes to reach 4), a star around 11, and 20 alone.
const LINKS = 'SELECT * FROM (VALUES (1, 2), (2, 3), (3, 4), (10, 11), (12, 11)) AS t(left_id, right_id)';

test('a loop finds connected components by min-label propagation, stopping when no label changes', async () => {
  await writeParquet(engine, dir, 'people.parquet', PEOPLE);
  await writeParquet(engine, dir, 'links.parquet', LINKS);
  const events: PlanProgress[] = [];

  const summary = await run(parsePlan(planDocument('connected-components.json')), (e) => events.push(e));

  expect(await readParquet(engine, path.join(dir, 'out/components.parquet'), 'person_id')).toEqual([
    { person_id: 1, component: 1 }, { person_id: 2, component: 1 }, { person_id: 3, component: 1 }, { person_id: 4, component: 1 },
    { person_id: 10, component: 10 }, { person_id: 11, component: 10 }, { person_id: 12, component: 10 },
    { person_id: 20, component: 20 },
  ]);
  // Three passes that change labels, and a fourth that changes none.
  const loop = summary.steps[2] as LoopRun;
  expect(loop).toMatchObject({ kind: 'loop', name: 'propagate' });
  expect(loop.iterations.map((i) => i.iteration)).toEqual([1, 2, 3, 4]);
  expect(loop.iterations.map((i) => i.steps)).toEqual(Array(4).fill([expect.objectContaining({ name: 'next_labels', rows: 8 })]));
  expect(events.filter((e) => e.kind === 'iteration').map((e) => e.kind === 'iteration' && e.done)).toEqual([false, false, false, true]);
  expect(events.map((e) => (e.kind === 'iteration' ? `${e.loop}#${e.iteration}` : e.kind === 'output' ? `output ${e.table}` : e.name))).toEqual([
    'neighbours', 'labels',
    'next_labels', 'propagate#1', 'next_labels', 'propagate#2', 'next_labels', 'propagate#3', 'next_labels', 'propagate#4',
    'components', 'output components',
  ]);
});

test('a loop that reaches maxIterations before its until condition holds is an error naming the loop', async () => {
  await writeParquet(engine, dir, 'people.parquet', PEOPLE);
  await writeParquet(engine, dir, 'links.parquet', LINKS);
  const plan = parsePlan(planDocument('connected-components.json'));
  const capped = { ...plan, steps: plan.steps.map((s) => (s.kind === 'loop' ? { ...s, maxIterations: 3 } : s)) };

  const error = await failure(run(capped));

  expect(error.message).toBe('loop propagate reached maxIterations (3) without its until condition holding');
  expect(existsSync(path.join(dir, 'out'))).toBe(false);
});

test('loops nest: the inner loop runs to its end on every pass of the outer one', async () => {
  const summary = await run(parsePlan(planDocument('nested-loops.json')));

  expect(await engine.query('SELECT * FROM counter')).toEqual([{ passes: 3, inner_total: 6 }]);
  const outer = summary.steps[1] as LoopRun;
  expect(outer.iterations).toHaveLength(3);
  for (const pass of outer.iterations) {
    expect(pass.steps.map((s) => s.name)).toEqual(['inner_state', 'inner', 'next_counter']);
    expect((pass.steps[1] as LoopRun).iterations).toHaveLength(2);
  }
});

test('an until condition must return one boolean', async () => {
  const plan = parsePlan(planDocument('nested-loops.json'));
  const counting = { ...plan, steps: plan.steps.map((s) => (s.kind === 'loop' ? { ...s, until: 'SELECT passes FROM next_counter' } : s)) };

  const error = await failure(run(counting));

  expect(error.message).toBe('the until condition of loop outer (iteration 1) must return one row of one boolean column, not NULL');
});

test('a partitioned output is written as key=value directories, replacing what was there, and reads back the same', async () => {
  // A file from an earlier run in a partition this run does not write.
  await writeParquet(engine, dir, 'out/enrolled/school=Closed/grade=12/data_0.parquet', 'SELECT 99 AS student_id');

  const summary = await run(parsePlan(planDocument('partitioned.json')));
  await run(parsePlan(planDocument('read-partitioned.json')));

  expect(summary.outputs).toMatchObject([{ table: 'enrolled', location: path.join(dir, 'out/enrolled'), rows: 5 }]);
  const files = readdirSync(path.join(dir, 'out/enrolled'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));
  expect(files.map((f) => path.dirname(f)).sort()).toEqual(['school=Lincoln/grade=10', 'school=Lincoln/grade=9', 'school=Roosevelt/grade=9']);
  expect(await engine.query('SELECT student_id, school, grade FROM roster ORDER BY student_id')).toEqual(await engine.query(`${STUDENTS} ORDER BY student_id`));
});

test('an engine error is a PlanError naming the step, with the engine message (which quotes data) only as its cause', async () => {
  const plan = parsePlan({
    name: 'failing',
    inputs: { students: { format: 'parquet', location: 'students.parquet' } },
    steps: [{ kind: 'sql', name: 'school_numbers', sql: 'SELECT CAST(school AS INTEGER) AS n FROM students' }],
    outputs: {},
  });

  const error = await failure(run(plan));

  expect(error.message).toBe('step school_numbers failed in the engine (its error, which may quote data, is the cause)');
  expect(error.message).not.toMatch(/Lincoln|Roosevelt|CAST/);
  expect((error.cause as Error).message).toMatch(/Lincoln|Roosevelt/);
});

test('an input the engine cannot read is a PlanError naming the input', async () => {
  mkdirSync(path.join(dir, 'empty'));
  const plan = parsePlan({ name: 'missing', inputs: { nothing: { format: 'parquet', location: 'empty' } }, steps: [], outputs: {} });

  const error = await failure(run(plan));

  expect(error.message).toBe('input nothing failed in the engine (its error, which may quote data, is the cause)');
});
