import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { allContracts, contractFor } from '../../core/contracts/catalog';

const REPO = path.join(__dirname, '..', '..');
// By name, jest would resolve bin/c2c to bin/c2c.js (js comes first), which runs the CLI on jest's own argv.
const { main } = jest.requireActual<typeof import('../../bin/c2c')>(path.join(REPO, 'bin', 'c2c.ts'));
const STACK_FRAME = '    at ';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs main() in this process, capturing what it prints (console and commander's direct writes). */
async function runInProcess(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (out += t))),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (err += t))),
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void (out += format(...args) + '\n')),
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void (err += format(...args) + '\n')),
  ];
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Runs `node bin/c2c.js` as a child process from the repo root. */
function runChild(...argv: string[]): Run {
  const env = { ...process.env };
  delete env.C2C_DEBUG;
  const result = spawnSync(process.execPath, [path.join('bin', 'c2c.js'), ...argv], { cwd: REPO, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
}

/** A usage error: exit 2, one message line, nothing on stdout, no stack trace. */
function expectUsageError(run: Run, message: string | RegExp): void {
  expect(run.code).toBe(2);
  expect(run.err).not.toContain(STACK_FRAME);
  expect(run.out).toBe('');
  const lines = run.err.trimEnd().split('\n');
  // Besides the message, at most commander's hint to use --help or the line of the stage that failed.
  expect(lines.length).toBeLessThanOrEqual(2);
  const messageLines = lines.filter((l) => /^(c2c|error): /.test(l));
  expect(messageLines).toHaveLength(1);
  if (typeof message === 'string') expect(messageLines[0]).toContain(message);
  else expect(messageLines[0]).toMatch(message);
}

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'c2c-cli-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('c2c in-process', () => {
  it('--help exits 0 and lists the commands', async () => {
    const run = await runInProcess('--help');
    expect(run.code).toBe(0);
    for (const command of ['generate', 'demo', 'contracts']) expect(run.out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('generate --help describes its options', async () => {
    const run = await runInProcess('generate', '--help');
    expect(run.code).toBe(0);
    for (const option of ['--out', '--people', '--seed', '--noise', '--force']) expect(run.out).toContain(option);
  });

  it('an unknown command exits 2', async () => {
    expectUsageError(await runInProcess('frobnicate'), "unknown command 'frobnicate'");
  });

  it.each([
    [['generate', '--out', 'X', '--people', 'abc'], '--people must be a whole number from 1 to 5,000,000'],
    [['generate', '--out', 'X', '--people', '0'], '--people must be a whole number from 1 to 5,000,000'],
    [['generate', '--out', 'X', '--people', '5000001'], '--people must be a whole number'],
    [['generate', '--out', 'X', '--people', '-5'], '--people must be a whole number'],
    [['generate', '--out', 'X', '--people', '1.5'], '--people must be a whole number'],
    [['generate', '--out', 'X', '--seed', 'x'], '--seed must be a whole number from 0 to 4,294,967,295'],
    [['generate', '--out', 'X', '--noise', 'extreme'], /'extreme' is invalid.*low, medium, high/],
    [['generate', '--people', '10'], "required option '--out <dir>' not specified"],
    [['generate', '--out', 'X', '--bogus'], "unknown option '--bogus'"],
  ])('%j exits 2 with a one-line message', async (argv, message) => {
    const run = await runInProcess(...(argv as string[]));
    expectUsageError(run, message);
    // Nothing was generated.
    expect(existsSync(path.join(REPO, 'X'))).toBe(false);
  });

  it('contracts list lists all 15 contracts', async () => {
    const run = await runInProcess('contracts', 'list');
    expect(run.code).toBe(0);
    expect(allContracts()).toHaveLength(15);
    for (const c of allContracts()) expect(run.out).toMatch(new RegExp(`^${c.id}\\s+${c.version.replace(/\./g, '\\.')}\\s+${c.domain}\\s`, 'm'));
    // A header, a rule, and one line per contract.
    expect(run.out.trimEnd().split('\n')).toHaveLength(2 + 15);
  });

  it('contracts show cde/k12_enrollment shows its fields', async () => {
    const run = await runInProcess('contracts', 'show', 'cde/k12_enrollment');
    expect(run.code).toBe(0);
    const contract = contractFor('cde', 'k12_enrollment');
    expect(run.out).toContain('cde/k12_enrollment v1.0.0');
    expect(run.out).toContain('Primary key: academic_year, ssid');
    for (const field of contract.schema.fields) expect(run.out).toMatch(new RegExp(`^${field.name}\\s+${field.type}\\b`, 'm'));
    expect(run.out).toMatch(/^birth_date\s+date\s+%Y%m%d\s+yes\s+birth_date\s/m);
  });

  it.each([
    [['contracts', 'show', 'nope'], 'contract id must look like partner/dataset'],
    [['contracts', 'show', 'nope/nothing'], 'no contract for nope/nothing'],
    [['contracts', 'show', 'cde/k12_enrollment/extra'], 'contract id must look like partner/dataset'],
    [['contracts', 'show', '/k12_enrollment'], 'contract id must look like partner/dataset'],
    [['contracts', 'show'], "missing required argument 'id'"],
  ])('%j exits 2', async (argv, message) => {
    expectUsageError(await runInProcess(...(argv as string[])), message);
  });

  it('demo refuses a --dir that exists and is not a demo folder, and leaves it alone', async () => {
    const dir = path.join(tmp, 'not-a-demo');
    await mkdir(dir);
    await writeFile(path.join(dir, 'precious.txt'), 'keep me');
    const run = await runInProcess('demo', '--dir', dir, '--people', '10');
    expectUsageError(run, `${dir} exists and is not a demo folder`);
    expect(await readFile(path.join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
  });
});

describe('c2c as a child process', () => {
  it('--help exits 0 and lists the commands', () => {
    const run = runChild('--help');
    expect(run.code).toBe(0);
    for (const command of ['generate', 'demo', 'contracts']) expect(run.out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('an invalid option value exits 2 without a stack trace', () => {
    expectUsageError(runChild('generate', '--out', path.join(tmp, 'never'), '--people', 'abc'), '--people must be a whole number');
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('generate writes a state, refuses to overwrite it, and replaces it with --force', async () => {
    const out = path.join(tmp, 'state');
    const first = runChild('generate', '--out', out, '--people', '300', '--seed', '3');
    expect(first.err).not.toContain(STACK_FRAME);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^total\s+\d+\s+[\d,]+$/m);

    const manifestText = await readFile(path.join(out, 'generation.json'), 'utf8');
    const manifest = JSON.parse(manifestText) as { people: number; seed: number; files: Array<{ path: string; kind: string; partner: string; dataset: string }> };
    expect(manifest).toMatchObject({ people: 300, seed: 3, noise: 'medium' });
    const drops = manifest.files.filter((f) => f.kind === 'drop');
    // Every partner dataset has drops, each named as its contract says, each on disk.
    expect(new Set(drops.map((f) => `${f.partner}/${f.dataset}`))).toEqual(new Set(allContracts().map((c) => c.id)));
    for (const file of drops) {
      expect(file.path.startsWith(`drops/${file.partner}/${file.dataset}/`)).toBe(true);
      expect(path.basename(file.path)).toMatch(new RegExp(contractFor(file.partner, file.dataset).file.namePattern));
      expect(existsSync(path.join(out, file.path))).toBe(true);
    }
    expect((await readdir(path.join(out, 'drops'))).sort()).toEqual([...new Set(allContracts().map((c) => c.partner))].sort());

    const again = runChild('generate', '--out', out, '--people', '300', '--seed', '3');
    expectUsageError(again, /already holds a generated state/);
    expect(again.err).toContain('--force');
    expect(await readFile(path.join(out, 'generation.json'), 'utf8')).toBe(manifestText);

    const forced = runChild('generate', '--out', out, '--people', '300', '--seed', '3', '--force');
    expect(forced.err).not.toContain(STACK_FRAME);
    expect(forced.code).toBe(0);
    // Same seed, same bytes.
    expect(await readFile(path.join(out, 'generation.json'), 'utf8')).toBe(manifestText);
  });
});
