/**
 * The plan IR: named SQL steps and loops over Parquet inputs, as JSON that two interpreters run
 * unchanged (core/plan/run.ts over the SqlEngine port, and the PySpark runner in glue-jobs/).
 * docs/plans.md describes the format and its semantics; docs/schemas/plan.schema.json its shape.
 */
import Ajv, { type ErrorObject } from 'ajv';
import planSchema from '../../docs/schemas/plan.schema.json';

export interface InputBinding {
  readonly format: 'parquet';
  /** A Parquet file, a directory of them or a glob; bound to a real place by the runner's resolver. */
  readonly location: string;
  /** Read `key=value` directories as columns. */
  readonly hivePartitioning?: boolean;
}

export interface OutputBinding {
  readonly format: 'parquet';
  /** A file, or with partitionBy a directory; whatever is there is replaced. */
  readonly location: string;
  readonly partitionBy?: readonly string[];
}

/** Materializes the rows of one SELECT as table `name`. */
export interface SqlStep {
  readonly kind: 'sql';
  readonly name: string;
  readonly sql: string;
}

/**
 * Runs the body until `until` returns true. Names are defined once, so the state a loop
 * iterates on is a table made before it; `carry` replaces that table with the body's next
 * version after each pass (`until` runs before, and can compare the two).
 */
export interface LoopStep {
  readonly kind: 'loop';
  readonly name: string;
  readonly body: readonly Step[];
  readonly until: string;
  /** Table produced before the loop → table the body produces. */
  readonly carry: Readonly<Record<string, string>>;
  readonly maxIterations: number;
}

export type Step = SqlStep | LoopStep;

export interface Plan {
  readonly name: string;
  readonly description?: string;
  readonly inputs: Readonly<Record<string, InputBinding>>;
  readonly steps: readonly Step[];
  readonly outputs: Readonly<Record<string, OutputBinding>>;
}

/** A plan that is malformed, or a step that failed; engine errors are kept as `cause`, not quoted. */
export class PlanError extends Error {}

const validateDocument = new Ajv({ allErrors: true, strict: true }).compile(planSchema);

/** Checks a plan document's shape and meaning and returns it typed, or throws a PlanError naming every problem. */
export function parsePlan(document: unknown): Plan {
  const label = String((document as { name?: unknown } | null)?.name ?? '(plan without name)');
  if (!validateDocument(document)) {
    // `if` and `propertyNames` only announce the errors that follow them.
    const problems = (validateDocument.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames').map(describeSchemaError);
    throw new PlanError(`plan ${label} is invalid: ${[...new Set(problems)].join('; ')}`);
  }
  const plan = document as unknown as Plan;
  const problems = [...nameProblems(plan), ...outputProblems(plan)];
  if (problems.length > 0) throw new PlanError(`plan ${plan.name} is inconsistent: ${problems.join('; ')}`);
  return plan;
}

/** Ajv's message, with the offending name or property spelled out where Ajv leaves it in params. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  switch (error.keyword) {
    case 'pattern':
      return error.propertyName === undefined
        ? `${where} must be a lowercase SQL identifier (${error.params.pattern as string})`
        : `${where}: ${JSON.stringify(error.propertyName)} must be a lowercase SQL identifier (${error.params.pattern as string})`;
    case 'additionalProperties':
      return `${where} has unknown property ${JSON.stringify(error.params.additionalProperty)}`;
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where} must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'minItems':
    case 'minProperties':
      return `${where} must not be empty`;
    default:
      return `${where} ${error.message ?? error.keyword}`;
  }
}

type Producer = 'an input' | 'a sql step' | 'a loop';

/**
 * Every name is defined once, across inputs and steps at any depth, so a table name means one
 * thing wherever it is read; and each loop carries from its body into a table made before it.
 */
function nameProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const defined = new Map<string, Producer>();
  const define = (name: string, producer: Producer): void => {
    const earlier = defined.get(name);
    if (earlier) problems.push(`name ${name} is defined twice (by ${earlier} and by ${producer})`);
    else defined.set(name, producer);
  };
  const sqlTables = (): Set<string> => new Set([...defined].filter(([, p]) => p === 'a sql step').map(([n]) => n));
  const walk = (steps: readonly Step[]): void => {
    for (const step of steps) {
      define(step.name, step.kind === 'sql' ? 'a sql step' : 'a loop');
      if (step.kind === 'sql') continue;
      const before = sqlTables();
      walk(step.body);
      const fromBody = new Set([...sqlTables()].filter((n) => !before.has(n)));
      for (const [target, source] of Object.entries(step.carry)) {
        if (!before.has(target)) problems.push(`loop ${step.name}: carry target ${target} must be a table a sql step produces before the loop`);
        if (!fromBody.has(source)) problems.push(`loop ${step.name}: carry source ${source} must be a table the loop's body produces`);
      }
    }
  };
  for (const name of Object.keys(plan.inputs)) define(name, 'an input');
  walk(plan.steps);
  for (const table of Object.keys(plan.outputs)) {
    const producer = defined.get(table);
    if (producer === undefined) problems.push(`output ${table} names no input or sql step`);
    else if (producer === 'a loop') problems.push(`output ${table} names a loop, which produces no table`);
  }
  return problems;
}

/** Two writes to one location, or a write where an input reads, would silently lose rows. */
function outputProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const readers = new Map(Object.entries(plan.inputs).map(([table, input]) => [input.location, `input ${table}`]));
  const writers = new Map<string, string>();
  for (const [table, output] of Object.entries(plan.outputs)) {
    const other = writers.get(output.location) ?? readers.get(output.location);
    if (other) problems.push(`output ${table} writes to the location of ${other}`);
    writers.set(output.location, `output ${table}`);
  }
  return problems;
}
