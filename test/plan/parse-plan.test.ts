/** parsePlan accepts the documented format and names what is wrong with anything else. */
import Ajv from 'ajv';
import schema from '../../docs/schemas/plan.schema.json';
import { parsePlan, PlanError } from '../../core/plan/plan';
import { PLAN_FILES, planDocument } from './fixtures';

const INPUT = { format: 'parquet', location: 'students.parquet' };
const OUTPUT = { format: 'parquet', location: 'out/summary.parquet' };
const LOOP = {
  kind: 'loop',
  name: 'refine',
  body: [{ kind: 'sql', name: 'next_state', sql: 'SELECT n + 1 AS n FROM state' }],
  until: 'SELECT n >= 3 AS done FROM next_state',
  carry: { state: 'next_state' },
  maxIterations: 10,
};
const VALID = {
  name: 'example',
  inputs: { students: INPUT },
  steps: [{ kind: 'sql', name: 'state', sql: 'SELECT count(*) AS n FROM students' }, LOOP],
  outputs: { state: OUTPUT },
};

function withLoop(changes: object): object {
  return { ...VALID, steps: [VALID.steps[0], { ...LOOP, ...changes }] };
}

test('the schema is a valid JSON Schema and accepts every plan the tests run', () => {
  const ajv = new Ajv({ strict: true });
  expect(ajv.validateSchema(schema)).toBe(true);
  const validate = ajv.compile(schema);
  expect(PLAN_FILES.length).toBeGreaterThan(0);
  for (const file of PLAN_FILES) {
    expect([file, validate(planDocument(file)) ? [] : validate.errors]).toEqual([file, []]);
    expect(() => parsePlan(planDocument(file))).not.toThrow();
  }
  expect(validate(VALID)).toBe(true);
});

test('a valid plan comes back as it is', () => {
  expect(parsePlan(VALID)).toEqual(VALID);
});

test.each([
  ['not an object', 42, 'plan (plan without name) is invalid: / must be object'],
  ['a missing field', { name: 'example', inputs: {}, outputs: {} }, "plan example is invalid: / must have required property 'steps'"],
  ['a step without sql', { ...VALID, steps: [{ kind: 'sql', name: 'state' }] }, "plan example is invalid: /steps/0 must have required property 'sql'"],
  ['an unknown step kind', { ...VALID, steps: [{ kind: 'python', name: 'state', sql: 'x' }] }, 'plan example is invalid: /steps/0/kind must be one of "sql", "loop"'],
  ['an unknown property', { ...VALID, owner: 'me' }, 'plan example is invalid: / has unknown property "owner"'],
  ['an input in another format', { ...VALID, inputs: { students: { ...INPUT, format: 'csv' } } }, 'plan example is invalid: /inputs/students/format must be "parquet"'],
  ['a step name that is not an identifier', { ...VALID, steps: [{ kind: 'sql', name: 'Student-Counts', sql: 'SELECT 1' }] },
    'plan example is invalid: /steps/0/name must be a lowercase SQL identifier (^[a-z_][a-z0-9_]*$)'],
  ['a table name that is not an identifier', { ...VALID, inputs: { '1students': INPUT } },
    'plan example is invalid: /inputs: "1students" must be a lowercase SQL identifier (^[a-z_][a-z0-9_]*$)'],
  ['a partition column that is not an identifier', { ...VALID, outputs: { state: { ...OUTPUT, partitionBy: ['n;'] } } },
    'plan example is invalid: /outputs/state/partitionBy/0 must be a lowercase SQL identifier (^[a-z_][a-z0-9_]*$)'],
  ['maxIterations of 0', withLoop({ maxIterations: 0 }), 'plan example is invalid: /steps/1/maxIterations must be >= 1'],
  ['maxIterations not an integer', withLoop({ maxIterations: 2.5 }), 'plan example is invalid: /steps/1/maxIterations must be integer'],
  ['maxIterations above the bound', withLoop({ maxIterations: 1001 }), 'plan example is invalid: /steps/1/maxIterations must be <= 1000'],
  ['an empty loop body', withLoop({ body: [] }), 'plan example is invalid: /steps/1/body must not be empty'],
  ['a loop without carry', withLoop({ carry: {} }), 'plan example is invalid: /steps/1/carry must not be empty'],
  ['a name used by an input and a step', { ...VALID, steps: [{ kind: 'sql', name: 'students', sql: 'SELECT 1' }], outputs: {} },
    'plan example is inconsistent: name students is defined twice (by an input and by a sql step)'],
  ['a loop body step named like a step before the loop', withLoop({ body: [{ kind: 'sql', name: 'state', sql: 'SELECT 1' }], carry: { state: 'state' } }),
    'plan example is inconsistent: name state is defined twice (by a sql step and by a sql step); loop refine: carry source state must be a table the loop\'s body produces'],
  ['a loop named like a table', withLoop({ name: 'students' }), 'plan example is inconsistent: name students is defined twice (by an input and by a loop)'],
  ['an output naming an unknown table', { ...VALID, outputs: { summary: OUTPUT } }, 'plan example is inconsistent: output summary names no input or sql step'],
  ['an output naming a loop', { ...VALID, outputs: { refine: OUTPUT } }, 'plan example is inconsistent: output refine names a loop, which produces no table'],
  ['two outputs to one location', { ...VALID, outputs: { state: OUTPUT, next_state: OUTPUT } }, 'plan example is inconsistent: output next_state writes to the location of output state'],
  ['an output where an input reads', { ...VALID, outputs: { state: { ...OUTPUT, location: INPUT.location } } }, 'plan example is inconsistent: output state writes to the location of input students'],
  ['carrying into an input', withLoop({ carry: { students: 'next_state' } }), 'plan example is inconsistent: loop refine: carry target students must be a table a sql step produces before the loop'],
  ['carrying into a table the body makes', withLoop({ carry: { next_state: 'next_state' } }), 'plan example is inconsistent: loop refine: carry target next_state must be a table a sql step produces before the loop'],
  ['carrying from a table made before the loop', withLoop({ carry: { state: 'students' } }), 'plan example is inconsistent: loop refine: carry source students must be a table the loop\'s body produces'],
])('parsePlan rejects %s', (_, document, message) => {
  expect(() => parsePlan(document)).toThrow(PlanError);
  expect(() => parsePlan(document)).toThrow(new PlanError(message));
});
