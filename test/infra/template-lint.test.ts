/**
 * The synthesized templates of every environment, linted as CloudFormation (DESIGN.md §5): cfn-lint
 * (the template is valid for CloudFormation in the environment's region) and checkov (its
 * CloudFormation security checks). Both run from the project venv test/compliance/.venv, which
 * test/compliance/setup.sh creates on first use. What may pass is in
 * test/compliance/template-lint.json, each entry with its reason, all listed in docs/security.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../lib/config/environments';
import { buildPlatform } from '../../lib/platform';
import { cdkJsonContext } from './cdk-context';

const ROOT = join(__dirname, '..', '..');
const COMPLIANCE = join(ROOT, 'test', 'compliance');
const VENV_BIN = join(COMPLIANCE, '.venv', 'bin');

/** The first run installs checkov into the venv (about a minute); later runs return at once. */
const SETUP_TIMEOUT_MS = 10 * 60_000;

interface LintConfig {
  readonly cfnLint: { readonly ignoreChecks: readonly { readonly rule: string; readonly reason: string }[] };
  readonly checkov: {
    readonly skips: readonly {
      readonly checks: readonly string[];
      /** Construct paths without the trailing `/Resource`, `C2c-<env>-...`. */
      readonly resources: readonly string[];
      readonly environments: readonly EnvironmentName[];
      readonly reason: string;
    }[];
  };
}

/** A check's failure on one resource of one environment, as the config and the docs name it. */
type Failure = `${string} on ${string} (${string})`;

const CONFIG = JSON.parse(readFileSync(join(COMPLIANCE, 'template-lint.json'), 'utf8')) as LintConfig;

function failure(check: string, constructPath: string, env: string): Failure {
  return `${check} on ${constructPath} (${env})`;
}

/** Every failure the config lets pass. */
function skipped(): Set<Failure> {
  return new Set(
    CONFIG.checkov.skips.flatMap((skip) =>
      skip.checks.flatMap((check) => skip.resources.flatMap((resource) => skip.environments.map((env) => failure(check, resource, env)))),
    ),
  );
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Synthesized {
  readonly env: EnvironmentName;
  /** The templates, relative to the folder the environments are synthesized into: `<env>/<stack>.template.json`. */
  readonly templates: readonly string[];
  /** `<env>/<template>/<logical ID>` → construct path, `C2c-<env>-` for the environment and without the trailing `/Resource`. */
  readonly paths: ReadonlyMap<string, string>;
}

/**
 * Synthesizes the environment's app into `<work>/<env>`: without bundling (the templates are the
 * same), and whatever cdk-nag finds (nag.test.ts asserts on that), so that the linters see it all.
 */
function synthesize(env: EnvironmentName, work: string): Synthesized {
  const app = new App({ outdir: join(work, env), context: { ...cdkJsonContext(), env, '@aws-cdk/core:failSynthOnValidationErrors': false } });
  buildPlatform(app);
  const assembly = app.synth();
  const paths = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    if (CfnResource.isCfnResource(construct)) {
      const stack = Stack.of(construct);
      const path = construct.node.path.replace(`C2c-${env}-`, 'C2c-<env>-').replace(/\/Resource$/, '');
      paths.set(`${env}/${stack.templateFile}/${stack.resolve(construct.logicalId) as string}`, path);
    }
  }
  return { env, templates: assembly.stacks.map((stack) => `${env}/${stack.templateFile}`), paths };
}

/** The parts of a cfn-lint JSON finding that the assertions read. */
interface CfnLintFinding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
}

/** The parts of checkov's JSON report (one report, or one per framework) that the assertions read. */
interface CheckovReport {
  readonly check_type: string;
  readonly summary: { readonly passed: number; readonly failed: number; readonly parsing_errors: number; readonly resource_count: number };
  readonly results: {
    readonly failed_checks: readonly { readonly check_id: string; readonly resource: string; readonly file_path: string }[];
  };
}

describe('the synthesized templates', () => {
  const work = mkdtempSync(join(tmpdir(), 'c2c-template-lint-'));
  // The linters see PATH and an empty HOME only, so that neither a developer's linter
  // configuration (~/.checkov.yml, ~/.cfnlintrc) nor credentials (with a Prisma Cloud API key,
  // checkov would upload the templates) reach them; they run in the synthesis folder, away from
  // any project-level configuration file.
  const linterEnv = { PATH: process.env.PATH ?? '', HOME: join(work, 'home'), LANG: 'C.UTF-8' };
  let synthesized: Synthesized[] = [];
  // Each linter runs once over every environment's templates (starting one takes seconds); both at once.
  let cfnLint: Promise<Run>;
  let checkov: Promise<Run>;

  beforeAll(async () => {
    mkdirSync(linterEnv.HOME);
    // Creates the venv on a fresh clone (PyPI, proxies and C2C_PYTHON from the environment); at once otherwise.
    const setup = await run('bash', [join(COMPLIANCE, 'setup.sh')], ROOT, process.env);
    if (setup.code !== 0) throw new Error(`test/compliance/setup.sh failed:\n${setup.stderr}`);
    synthesized = ENVIRONMENT_NAMES.map((env) => synthesize(env, work));
    const templates = synthesized.flatMap((environment) => environment.templates);
    const ignored = CONFIG.cfnLint.ignoreChecks.map((check) => check.rule);
    cfnLint = run(join(VENV_BIN, 'cfn-lint'), ['--format', 'json', '--regions', 'us-west-2', '--ignore-checks', ...ignored, '--', ...templates], work, linterEnv);
    checkov = run(
      join(VENV_BIN, 'checkov'),
      ['--framework', 'cloudformation', '--output', 'json', '--skip-download', ...templates.flatMap((template) => ['--file', template])],
      work,
      linterEnv,
    );
    // Awaited by the tests; a linter that cannot start fails them there, not as an unhandled rejection here.
    cfnLint.catch(() => undefined);
    checkov.catch(() => undefined);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.allSettled([cfnLint, checkov]);
    rmSync(work, { recursive: true, force: true });
  });

  test('cover every stack of every environment', () => {
    for (const { env, templates } of synthesized) {
      expect(templates).toEqual(
        expect.arrayContaining([`${env}/C2c-${env}-Storage.template.json`, `${env}/C2c-${env}-Ingestion.template.json`, `${env}/C2c-${env}-Processing.template.json`]),
      );
    }
  });

  test('pass cfn-lint with no error or warning, but the rules turned off in test/compliance/template-lint.json', async () => {
    const lint = await cfnLint;
    const findings = JSON.parse(lint.stdout) as CfnLintFinding[];
    expect(findings.map((finding) => `${finding.Level} ${finding.Rule.Id} ${finding.Filename}: ${finding.Message}`)).toEqual([]);
    expect(lint.code).toBe(0);
  });

  test('fail no checkov check, but those skipped for named resources in test/compliance/template-lint.json, each of which still applies', async () => {
    const scan = await checkov;
    const parsed = JSON.parse(scan.stdout) as CheckovReport | CheckovReport[];
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    expect(reports.map((report) => report.check_type)).toEqual(['cloudformation']);
    const [report] = reports;
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.resource_count).toBeGreaterThan(200);
    expect(report.summary.passed).toBeGreaterThan(200);
    const paths = new Map(synthesized.flatMap((environment) => [...environment.paths]));
    const failures = new Set<Failure>(
      report.results.failed_checks.map((failed) => {
        // `/<env>/<template>` and `<type>.<logical ID>`
        const [env, template] = failed.file_path.replace(/^\//, '').split('/');
        const resource = `${env}/${template}/${failed.resource.slice(failed.resource.lastIndexOf('.') + 1)}`;
        return failure(failed.check_id, paths.get(resource) ?? resource, env);
      }),
    );
    const allowed = skipped();
    expect({
      unexplained: [...failures].filter((found) => !allowed.has(found)).sort(),
      // A skip that matches nothing any more would let the next such failure through unexplained.
      stale: [...allowed].filter((skip) => !failures.has(skip)).sort(),
    }).toEqual({ unexplained: [], stale: [] });
  });

  test('explain every turned-off cfn-lint rule and every checkov skip in docs/security.md', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
    /** The table rows of the section under the heading. */
    const rowsUnder = (heading: string): string[] => {
      const start = docs.indexOf(`\n### ${heading}\n`);
      expect(start).toBeGreaterThan(0);
      const end = docs.indexOf('\n#', start + 1);
      return docs.slice(start, end < 0 ? undefined : end).split('\n').filter((line) => line.startsWith('|'));
    };
    const codes = (row: string): string[] => [...row.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    const cfnLintRows = rowsUnder('cfn-lint rules turned off');
    for (const { rule, reason } of CONFIG.cfnLint.ignoreChecks) {
      expect(reason.length).toBeGreaterThan(40);
      expect(cfnLintRows.some((row) => codes(row).includes(rule))).toBe(true);
    }
    const documented = new Set<Failure>();
    for (const row of rowsUnder('checkov checks skipped')) {
      const cells = row.split('|').slice(1, -1).map((cell) => cell.trim());
      const checks = codes(cells[0] ?? '').filter((code) => code.startsWith('CKV'));
      for (const check of checks) {
        for (const resource of codes(cells[1] ?? '')) {
          for (const env of codes(cells[2] ?? '')) documented.add(failure(check, resource, env));
        }
      }
    }
    for (const skip of CONFIG.checkov.skips) expect(skip.reason.length).toBeGreaterThan(40);
    expect([...documented].sort()).toEqual([...skipped()].sort());
  });
});
