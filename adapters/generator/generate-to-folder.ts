/**
 * `c2c generate`: a synthetic state written to a folder, with `generation.json` describing it.
 * An existing state is never overwritten silently.
 */
import { access, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateState, type GenerateOptions } from '../../core/generator';
import { loadNameFrequencies } from '../reference-data/names';
import { FolderSink, type GeneratedFile } from './file-sink';

export interface GenerationSummary extends GenerateOptions {
  readonly generator: string;
  readonly files: readonly GeneratedFile[];
}

export class OutputExistsError extends Error {}

const OWNED = ['drops', 'truth', 'generation.json'];

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

export async function generateToFolder(
  options: GenerateOptions,
  outDir: string,
  settings: { overwrite?: boolean; onProgress?: (peopleDone: number) => void } = {},
): Promise<GenerationSummary> {
  const present = (await Promise.all(OWNED.map((name) => exists(path.join(outDir, name))))).some(Boolean);
  if (present && !settings.overwrite) {
    throw new OutputExistsError(`${outDir} already holds a generated state; choose another folder or pass --force to replace it`);
  }
  if (present) await Promise.all(OWNED.map((name) => rm(path.join(outDir, name), { recursive: true, force: true })));
  if ((await exists(outDir)) && (await readdir(outDir)).length > 0 && !settings.overwrite) {
    throw new OutputExistsError(`${outDir} is not empty; choose an empty or new folder`);
  }

  const sink = await FolderSink.create(outDir);
  await generateState(options, loadNameFrequencies(), sink, settings.onProgress);
  const files = await sink.close();
  const summary: GenerationSummary = { generator: 'c2c synthetic state v1', ...options, files };
  await writeFile(path.join(outDir, 'generation.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
