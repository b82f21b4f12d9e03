/** Same seed, same bytes, whatever the number of worker threads; another seed, another state. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateState, type GeneratedState } from './generated-state';

function digests(state: GeneratedState): Record<string, string> {
  return Object.fromEntries(state.summary.files.map((f) => [f.path, createHash('sha256').update(readFileSync(path.join(state.dir, f.path))).digest('hex')]));
}

test('a seed gives byte-identical files with one worker or three, and another seed differs', async () => {
  const options = { seed: 11, people: 4500, noise: 'medium' } as const;
  const states = [await generateState(options, 1), await generateState(options, 3), await generateState({ ...options, seed: 12 }, 2)];
  try {
    const [one, three, other] = states.map(digests) as [Record<string, string>, Record<string, string>, Record<string, string>];
    expect(Object.keys(one).length).toBeGreaterThan(40);
    expect(three).toEqual(one);
    const differing = Object.keys(one).filter((file) => other[file] !== undefined && other[file] !== one[file]);
    expect(differing.length).toBeGreaterThan(Object.keys(one).length * 0.9);
  } finally {
    states.forEach((s) => s.remove());
  }
});
