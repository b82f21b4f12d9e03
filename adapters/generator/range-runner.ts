/**
 * Generates a range of people, block by block, into one part file per output file. Runs in a
 * worker thread (or in-process for a single range); the parts are concatenated afterwards.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StateGenerator, type GenerateOptions } from '../../core/generator';
import { loadNameFrequencies } from '../reference-data/names';
import { BlockSink, encodePreamble, type OutputFileDescription } from './block-sink';

/** People per block: a block's output sits in memory (a few MB) before it is written. */
export const BLOCK_SIZE = 2000;

export interface RangeTask {
  readonly options: GenerateOptions;
  readonly from: number;
  readonly to: number;
  readonly partDir: string;
  /** The first range starts its files with their preamble, so its parts can become the files. */
  readonly writesPreambles: boolean;
}

export interface PartFile extends OutputFileDescription {
  readonly rows: number;
}

export function runRange(task: RangeTask, onProgress: (peopleDone: number) => void): PartFile[] {
  const sink = new BlockSink();
  const generator = new StateGenerator(task.options, loadNameFrequencies(), sink);
  const parts = new Map<string, { fd: number; file: OutputFileDescription; rows: number }>();
  try {
    for (let start = task.from; start < task.to; start += BLOCK_SIZE) {
      const end = Math.min(task.to, start + BLOCK_SIZE);
      generator.generate(start, end);
      for (const output of sink.take()) {
        let part = parts.get(output.file.path);
        if (!part) {
          const target = path.join(task.partDir, output.file.path);
          mkdirSync(path.dirname(target), { recursive: true });
          part = { fd: openSync(target, 'w'), file: output.file, rows: 0 };
          parts.set(output.file.path, part);
          if (task.writesPreambles) writeSync(part.fd, encodePreamble(output.file));
        }
        writeSync(part.fd, output.bytes);
        part.rows += output.rows;
      }
      onProgress(end - task.from);
    }
  } finally {
    for (const part of parts.values()) closeSync(part.fd);
  }
  return [...parts.values()].map(({ file, rows }) => ({ ...file, rows }));
}
