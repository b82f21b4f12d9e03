/**
 * `c2c generate`: a synthetic state written to a folder, with `generation.json` describing it.
 * People are split over worker threads in whole blocks; each worker writes part files, which are
 * then concatenated in order, so the bytes are the same for a seed whatever the worker count.
 * An existing state is never overwritten silently.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { checkGenerateOptions, InvalidGenerateOptionsError, type GenerateOptions } from '../../core/generator';
import { contractFor } from '../../core/contracts/catalog';
import { compileTrailer } from '../../core/contracts/trailer';
import { encodePreamble, encodeText } from './block-sink';
import { BLOCK_SIZE, type PartFile, type RangeTask } from './range-runner';

export interface GeneratedFile {
  readonly path: string;
  readonly kind: 'drop' | 'truth';
  readonly partner?: string;
  readonly dataset?: string;
  readonly rows: number;
}

export interface GenerationSummary extends GenerateOptions {
  readonly generator: string;
  readonly files: readonly GeneratedFile[];
}

export interface GenerateSettings {
  /** Replace a state already in the folder. */
  readonly overwrite?: boolean;
  /** Worker threads; default: one per core, never more than there are blocks. */
  readonly workers?: number;
  readonly onProgress?: (peopleDone: number) => void;
}

export class OutputExistsError extends Error {}

const OWNED = ['drops', 'truth', 'generation.json'];
const PARTS = '.parts';

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Whole blocks, spread as evenly as possible over at most `workers` ranges. */
export function splitIntoRanges(people: number, workers: number): Array<{ from: number; to: number }> {
  const blocks = Math.ceil(people / BLOCK_SIZE);
  const count = Math.max(1, Math.min(workers, blocks));
  return Array.from({ length: count }, (_v, i) => ({
    from: Math.min(people, Math.floor((blocks * i) / count) * BLOCK_SIZE),
    to: Math.min(people, Math.floor((blocks * (i + 1)) / count) * BLOCK_SIZE),
  }));
}

function runInWorker(task: RangeTask, onProgress: (done: number) => void): Promise<PartFile[]> {
  return new Promise((resolve, reject) => {
    // A large young generation: the generator allocates many short-lived strings, and the
    // default nursery spends a quarter of the time in garbage collection.
    const worker = new Worker(path.join(__dirname, 'generate-worker.js'), { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    let parts: PartFile[] | undefined;
    worker.on('message', (message: { kind: 'progress'; done: number } | { kind: 'done'; parts: PartFile[] }) => {
      if (message.kind === 'progress') onProgress(message.done);
      else parts = message.parts;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (parts && code === 0 ? resolve(parts) : reject(new Error(`generator worker stopped with exit code ${code}`))));
  });
}

/**
 * Builds each file from the parts in range order. The first range wrote its parts with the
 * preamble, so where it has a part, that part is moved into place and the rest appended to it:
 * half the copying of building every file afresh.
 */
async function assemble(outDir: string, partDirs: readonly string[], results: ReadonlyArray<readonly PartFile[]>): Promise<GeneratedFile[]> {
  const byPath = new Map<string, { file: PartFile; rows: number; inParts: number[] }>();
  results.forEach((parts, i) => {
    for (const part of parts) {
      const entry = byPath.get(part.path) ?? { file: part, rows: 0, inParts: [] };
      entry.rows += part.rows;
      entry.inParts.push(i);
      byPath.set(part.path, entry);
    }
  });
  const files: GeneratedFile[] = [];
  for (const [relativePath, { file, rows, inParts }] of [...byPath].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const target = path.join(outDir, relativePath);
    const partPath = (i: number): string => path.join(partDirs[i] as string, relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    const startsWithFirstRange = inParts[0] === 0;
    if (startsWithFirstRange) await rename(partPath(0), target);
    const rest = startsWithFirstRange ? inParts.slice(1) : inParts;
    async function* pieces(): AsyncIterable<Buffer> {
      if (!startsWithFirstRange) yield encodePreamble(file);
      for (const i of rest) yield* createReadStream(partPath(i));
      // The control trailer counts the whole file's rows, so it is written once they are all known.
      const contract = file.kind === 'drop' && file.partner && file.dataset ? contractFor(file.partner, file.dataset) : undefined;
      if (contract?.file.trailer !== undefined) yield encodeText(file, compileTrailer(contract.file.trailer).write(rows) + contract.dialect.lineTerminator);
    }
    await pipeline(pieces, createWriteStream(target, { flags: startsWithFirstRange ? 'a' : 'w' }));
    files.push({ path: relativePath, kind: file.kind, partner: file.partner, dataset: file.dataset, rows });
  }
  return files;
}

export async function generateToFolder(options: GenerateOptions, outDir: string, settings: GenerateSettings = {}): Promise<GenerationSummary> {
  const problems = checkGenerateOptions(options);
  if (problems.length > 0) throw new InvalidGenerateOptionsError(problems.join('; '));
  const present = (await Promise.all(OWNED.map((name) => exists(path.join(outDir, name))))).some(Boolean);
  if (present && !settings.overwrite) {
    throw new OutputExistsError(`${outDir} already holds a generated state; choose another folder or pass --force to replace it`);
  }
  await Promise.all([...OWNED, PARTS].map((name) => rm(path.join(outDir, name), { recursive: true, force: true })));
  if ((await exists(outDir)) && (await readdir(outDir)).length > 0) {
    throw new OutputExistsError(`${outDir} holds other files; choose an empty or new folder`);
  }

  const ranges = splitIntoRanges(options.people, settings.workers ?? availableParallelism());
  const partDirs = ranges.map((_r, i) => path.join(outDir, PARTS, String(i)));
  const done = ranges.map(() => 0);
  const report = (i: number) => (count: number): void => {
    done[i] = count;
    settings.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  try {
    const tasks = ranges.map((range, i) => ({ options, ...range, partDir: partDirs[i] as string, writesPreambles: i === 0 }));
    const results = await Promise.all(tasks.map((task, i) => runInWorker(task, report(i))));
    const files = await assemble(outDir, partDirs, results);
    const summary: GenerationSummary = { generator: 'c2c synthetic state v1', ...options, files };
    await writeFile(path.join(outDir, 'generation.json'), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    await rm(path.join(outDir, PARTS), { recursive: true, force: true });
  }
}
