/**
 * The `c2c` command line. Each command is a thin shell around core/ and adapters/: it parses
 * options, runs stages with progress, prints a summary, and maps failures to exit codes.
 */
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { allContracts, contractFor, ContractError } from '../core/contracts/catalog';
import { InvalidGenerateOptionsError, NOISE_LEVELS, type NoiseLevel } from '../core/generator';
import { generateToFolder, OutputExistsError, type GenerationSummary } from '../adapters/generator/generate-to-folder';
import { PLAN_ENGINES, planExecutor, type PlanEngine } from './cli/engines';
import { linkageQualityAgainstTruth, linkageQualityText, type LinkageQuality } from '../adapters/generator/identity-truth';
import { landDrops } from '../adapters/lake/land-drops';
import { lakeLocations, openLocalLake, PLAN_ENGINE_OPTIONS } from '../adapters/lake/local-lake';
import { duckDbPlanDialect } from '../adapters/sql/duckdb-plan-dialect';
import { linkIdentities, type LinkSummary } from '../core/identity/link';
import { DuckDbEngine } from '../adapters/sql/duckdb-engine';
import { describeError } from '../core/error-text';
import { ingestLandingZone, type IngestOutcome } from '../core/ingest/ingest';
import { summaryText } from '../core/validation/report';
import { GLOB_CHARACTERS } from '../core/validation/sql';
import { validateDrop } from '../core/validation/validate';
import { TempWorkspace } from '../adapters/workspace/temp-workspace';
import { LocalFolderStore } from '../adapters/object-store/local-folder';
import { CheckFailedError, EXIT, UsageError } from './cli/errors';
import { Progress } from './cli/progress';
import { table } from './cli/table';
import { registerLinkFiles } from './cli/link-files';
import { registerOptOut } from './cli/opt-out';
import { publishLake, publishSummaryText, registerPublish } from './cli/publish';
import { DEFAULT_PORT, portNumber, registerServe, serveLake } from './cli/serve';

function wholeNumber(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text.replace(/_/g, ''));
    if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}.`);
    }
    return value;
  };
}

const noiseOption = (): Option => new Option('--noise <level>', 'how messy identities are').choices(NOISE_LEVELS as readonly string[]).default('medium');

function datasetSummary(summary: GenerationSummary): string {
  const rows = new Map<string, { files: number; rows: number }>();
  for (const file of summary.files.filter((f) => f.kind === 'drop')) {
    const key = `${file.partner}/${file.dataset}`;
    const entry = rows.get(key) ?? { files: 0, rows: 0 };
    entry.files += 1;
    entry.rows += file.rows;
    rows.set(key, entry);
  }
  const body = [...rows].map(([id, r]) => [id, r.files, r.rows] as [string, number, number]);
  const total = body.reduce((sum, [, , n]) => sum + n, 0);
  return table(['partner/dataset', 'files', 'records'], [...body, ['total', body.reduce((s, [, f]) => s + f, 0), total]]);
}

async function generate(outDir: string, options: { people: number; seed: number; noise: NoiseLevel; workers?: number; force?: boolean }, progress: Progress): Promise<GenerationSummary> {
  return progress.stage(`generate ${options.people.toLocaleString('en-US')} people`, (report) =>
    generateToFolder({ people: options.people, seed: options.seed, noise: options.noise }, outDir, {
      overwrite: options.force ?? false,
      workers: options.workers,
      onProgress: (done) => report(done, options.people, 'people'),
    }));
}

function ingestSummary(outcomes: readonly IngestOutcome[]): string {
  const rows = outcomes.map((o) => o.status === 'ingested'
    ? [o.landingKey, o.verdict, o.report.rows.read, o.report.rows.rejected, o.outputs[0] ? `${o.outputs[0].zone}/${o.outputs[0].key}` : '']
    : [o.landingKey, o.status === 'gone' ? 'already ingested' : 'no contract', 0, 0, '']);
  return table(['landing object', 'verdict', 'records', 'rejected', 'written to'], rows as Array<[string, string, number, number, string]>);
}

async function ingestLake(lakeDir: string, progress: Progress): Promise<IngestOutcome[]> {
  const lake = await openLocalLake(lakeDir);
  try {
    return await progress.stage('validate and ingest the landing zone', (report) =>
      ingestLandingZone(lake, (_outcome, done, total) => report(done, total, 'files')));
  } finally {
    await lake.close();
  }
}

/** Links the lake; with the folder of a generated state, also measures the result against its truth. */
async function linkLake(lakeDir: string, progress: Progress, truthStateDir?: string, engine: PlanEngine = 'duckdb'): Promise<{ summary: LinkSummary; quality?: LinkageQuality }> {
  const lake = await openLocalLake(lakeDir, PLAN_ENGINE_OPTIONS);
  try {
    const resolveLocation = lakeLocations(lake.store.root);
    const executePlan = planExecutor(engine, lake.store.root);
    const summary = await progress.stage(`link identities (identity records, linkage, stable ids, linked tables) on ${engine}`, () =>
      linkIdentities({ store: lake.store, engine: lake.engine, dialect: duckDbPlanDialect, resolveLocation, executePlan }));
    if (truthStateDir === undefined) return { summary };
    const quality = await progress.stage('measure linkage against the truth', () => linkageQualityAgainstTruth(lake.engine, truthStateDir, lake.store.root, resolveLocation));
    return { summary, quality };
  } finally {
    await lake.close();
  }
}

function linkSummaryText(summary: LinkSummary): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  return `Linked ${n(summary.identityRecords)} identity records (${n(summary.candidatePairs)} candidate pairs; EM ` +
    `${summary.converged ? 'converged' : 'did not converge'} in ${summary.emIterations} passes) into ${n(summary.persons)} persons: ` +
    `${n(summary.keptIds)} kept their c2c_id, ${n(summary.newIds)} new. ${n(summary.clusterConflicts)} same-source pairs merged through ` +
    'other records are listed for review in identity/linkage/cluster_conflicts.parquet.' +
    (summary.optedOut > 0 ? ` ${n(summary.optedOut)} persons who opted out are left out of linked/.` : '');
}

const DEMO_MARKER = '.c2c-demo';

function buildProgram(): Command {
  const program = new Command('c2c')
    .description('Cradle-to-career data platform: synthetic partner data, validation, linkage, outcomes, on your laptop or in AWS.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program.command('generate')
    .description('Generate a synthetic state: partner drop files in each partner\'s format, and the truth behind them.')
    .requiredOption('--out <dir>', 'folder to write drops/, truth/ and generation.json into')
    .option('--people <n>', 'people in the population', wholeNumber('--people', 1, 5_000_000), 10_000)
    .option('--seed <s>', 'random seed; the same seed gives the same bytes', wholeNumber('--seed', 0, 0xffffffff), 1)
    .addOption(noiseOption())
    .option('--workers <n>', 'worker threads (default: one per core)', wholeNumber('--workers', 1, 64))
    .option('--force', 'replace a state already in --out')
    .action(async (opts: { out: string; people: number; seed: number; noise: NoiseLevel; workers?: number; force?: boolean }) => {
      const progress = new Progress();
      const summary = await generate(opts.out, opts, progress);
      console.log(datasetSummary(summary));
      console.log(`\nDrops in ${path.join(opts.out, 'drops')}; the truth (record → person) in ${path.join(opts.out, 'truth')}.`);
    });

  program.command('demo')
    .description('Run the whole pipeline on a small synthetic state in a local lake (no AWS).')
    .option('--dir <dir>', 'working folder for the demo (replaced on each run)', path.join('.c2c', 'demo'))
    .option('--people <n>', 'people in the population', wholeNumber('--people', 1, 5_000_000), 5_000)
    .option('--seed <s>', 'random seed', wholeNumber('--seed', 0, 0xffffffff), 1)
    .addOption(noiseOption())
    .option('--no-serve', 'end after publishing instead of serving the Query API')
    .option('--port <n>', 'port of the Query API (0: any free port)', portNumber, DEFAULT_PORT)
    .action(async (opts: { dir: string; people: number; seed: number; noise: NoiseLevel; serve: boolean; port: number }) => {
      const progress = new Progress();
      if (existsSync(opts.dir) && !existsSync(path.join(opts.dir, DEMO_MARKER))) {
        throw new UsageError(`${opts.dir} exists and is not a demo folder; choose another --dir`);
      }
      await rm(opts.dir, { recursive: true, force: true });
      await mkdir(opts.dir, { recursive: true });
      await writeFile(path.join(opts.dir, DEMO_MARKER), 'Created by `c2c demo`; replaced on every run.\n');
      const stateDir = path.join(opts.dir, 'state');
      const lake = new LocalFolderStore(path.join(opts.dir, 'lake'));

      const summary = await generate(stateDir, opts, progress);
      const landed = await progress.stage('land partner drops in the lake', async (report) => {
        await lake.init();
        return landDrops(path.join(stateDir, 'drops'), lake, (done, total) => report(done, total, 'files'));
      });

      const outcomes = await ingestLake(lake.root, progress);
      const linked = await linkLake(lake.root, progress, stateDir);
      const published = await publishLake(lake.root, {}, progress);

      console.log(`\nSynthetic state: ${summary.people.toLocaleString('en-US')} people, seed ${summary.seed}, noise ${summary.noise}.`);
      console.log(datasetSummary(summary));
      const bytes = landed.reduce((sum, o) => sum + o.size, 0);
      const accepted = outcomes.filter((o) => o.status === 'ingested' && o.verdict === 'accepted').length;
      console.log(`\nLake: ${lake.root} (zones: landing, raw, quarantine, identity, linked, outcomes, published)`);
      console.log(`Landed ${landed.length} partner files (${(bytes / 1e6).toFixed(1)} MB); ${accepted} accepted into raw/ as Parquet, ` +
        `${outcomes.length - accepted} quarantined. Reports beside each; the truth stays in ${path.join(stateDir, 'truth')}.`);
      console.log(linkSummaryText(linked.summary));
      if (linked.quality) console.log(linkageQualityText(linked.quality));
      console.log(publishSummaryText(published.summary));
      console.log(`\n${published.headlines}`);
      console.log(`\nDone in ${progress.elapsed()}.`);
      if (accepted !== outcomes.length) throw new CheckFailedError('some generated files were not accepted:\n' + ingestSummary(outcomes.filter((o) => o.status !== 'ingested' || o.verdict !== 'accepted')));
      if (opts.serve) await serveLake(lake.root, opts.port, '127.0.0.1');
    });

  program.command('validate')
    .description('Validate one drop file against its contract and print the report (exit 0 accepted, 1 rejected).')
    .argument('<file>', 'the drop file (gzip where the contract says so)')
    .option('--partner <p>', 'partner, e.g. cde (default: the file\'s grandparent folder)')
    .option('--dataset <d>', 'dataset, e.g. k12_enrollment (default: the file\'s parent folder)')
    .option('--report <out.json>', 'also write the JSON report here')
    .action(async (file: string, opts: { partner?: string; dataset?: string; report?: string }) => {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
      const folders = path.resolve(file).split(path.sep);
      const partner = opts.partner ?? folders[folders.length - 3];
      const dataset = opts.dataset ?? folders[folders.length - 2];
      if (!partner || !dataset) throw new UsageError('name the contract with --partner and --dataset');
      const contract = contractFor(partner, dataset);
      const engine = await DuckDbEngine.open();
      const workspace = await TempWorkspace.create();
      try {
        // The engine would read a path with glob characters as a pattern: give it a copy instead.
        let local = path.resolve(file);
        if (GLOB_CHARACTERS.test(local)) {
          local = workspace.newFile(file).path;
          await copyFile(file, local);
        }
        const { report } = await new Progress().stage(`validate ${path.basename(file)}`, () =>
          validateDrop({ name: path.basename(file), localPath: local, read: () => createReadStream(local) }, contract, engine));
        process.stdout.write(summaryText(report));
        if (opts.report) await writeFile(opts.report, JSON.stringify(report, null, 2) + '\n');
        if (report.verdict !== 'accepted') throw new CheckFailedError(`${path.basename(file)} was rejected`);
      } finally {
        engine.close();
        await workspace.clear();
      }
    });

  program.command('ingest')
    .description('Validate and ingest everything waiting in a local lake\'s landing zone (exit 1 if anything was rejected).')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders)')
    .action(async (opts: { lake: string }) => {
      if (!existsSync(opts.lake)) throw new UsageError(`${opts.lake} does not exist`);
      const outcomes = await ingestLake(opts.lake, new Progress());
      console.log(ingestSummary(outcomes));
      const failed = outcomes.filter((o) => o.status === 'no_contract' || (o.status === 'ingested' && o.verdict !== 'accepted'));
      if (failed.length > 0) throw new CheckFailedError(`${failed.length} of ${outcomes.length} files were not accepted; their reports are in quarantine/`);
    });

  program.command('link')
    .description('Link the people in a local lake\'s raw zone into persons with stable pseudonymous ids (written to identity/).')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders)')
    .option('--truth <state-dir>', 'a generated state\'s folder (c2c generate --out): report precision, recall and F1 against its truth')
    .action(async (opts: { lake: string; truth?: string }) => {
      if (!existsSync(opts.lake)) throw new UsageError(`${opts.lake} does not exist`);
      if (opts.truth !== undefined && !existsSync(path.join(opts.truth, 'truth', 'persons.csv'))) throw new UsageError(`${opts.truth} is not a generated state (no truth/persons.csv)`);
      const { summary, quality } = await linkLake(opts.lake, new Progress(), opts.truth);
      console.log(linkSummaryText(summary));
      if (quality) console.log(linkageQualityText(quality));
    });

  program.command('run')
    .description('The pipeline over a local lake\'s raw zone: linkage, linked tables, outcome cube (their plans on DuckDB or on local Spark, as Glue runs them), then disclosure control and publishing.')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders), with raw/ ingested')
    .addOption(new Option('--engine <engine>', 'where the plans run').choices(PLAN_ENGINES as readonly string[]).default('duckdb'))
    .option('--truth <state-dir>', 'a generated state\'s folder: report linkage precision, recall and F1 against its truth')
    .action(async (opts: { lake: string; engine: PlanEngine; truth?: string }) => {
      if (!existsSync(path.join(opts.lake, 'raw'))) throw new UsageError(`${opts.lake} is not a lake (no raw/ zone)`);
      const progress = new Progress();
      const { summary, quality } = await linkLake(opts.lake, progress, opts.truth, opts.engine);
      const published = await publishLake(opts.lake, {}, progress, opts.engine);
      console.log(linkSummaryText(summary));
      if (quality) console.log(linkageQualityText(quality));
      console.log(publishSummaryText(published.summary));
      console.log(`\n${published.headlines}`);
      console.log(`\nDone in ${progress.elapsed()} (plans on ${opts.engine}).`);
    });

  const contracts = program.command('contracts').description('Partner data contracts.');
  contracts.command('list')
    .description('List every partner dataset\'s contract.')
    .action(() => {
      console.log(table(['contract', 'version', 'domain', 'fields', 'file name', 'compression'],
        allContracts().map((c) => [c.id, c.version, c.domain, c.schema.fields.length, c.file.namePattern, c.file.compression])));
    });
  contracts.command('show')
    .description('Show one contract\'s fields.')
    .argument('<id>', 'contract id, e.g. cde/k12_enrollment')
    .action((id: string) => {
      const parts = id.split('/');
      const [partner, dataset] = parts;
      if (parts.length !== 2 || !partner || !dataset) throw new UsageError(`contract id must look like partner/dataset, e.g. cde/k12_enrollment`);
      const contract = contractFor(partner, dataset);
      const dialect = contract.dialect;
      console.log(`${contract.id} v${contract.version}: ${contract.title}\n${contract.description}\n`);
      console.log(`File: ${contract.file.namePattern} (${contract.file.compression}); delimiter ${JSON.stringify(dialect.delimiter)}, ` +
        `quoting ${dialect.quoting}, line end ${JSON.stringify(dialect.lineTerminator)}, ${dialect.byteOrderMark ? 'with' : 'no'} byte order mark.`);
      console.log(`Primary key: ${contract.schema.primaryKey.join(', ')}\n`);
      console.log(table(['field', 'type', 'format', 'required', 'pii', 'description'], contract.schema.fields.map((f) => [
        f.name, f.type, f.format ?? '', f.constraints?.required ? 'yes' : '', f.pii ?? '', f.description,
      ])));
    });
  registerLinkFiles(program);
  registerPublish(program);
  registerServe(program);
  registerOptOut(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander reports is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof OutputExistsError || error instanceof ContractError || error instanceof InvalidGenerateOptionsError) {
      console.error(`c2c: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof CheckFailedError) {
      console.error(`c2c: ${error.message}`);
      return EXIT.failedCheck;
    }
    console.error(`c2c: unexpected error: ${describeError(error)}`);
    if (process.env.C2C_DEBUG) console.error(error);
    else console.error('(set C2C_DEBUG=1 to see the whole error and its stack trace)');
    return EXIT.failedCheck;
  }
}
