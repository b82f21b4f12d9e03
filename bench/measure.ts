/** Small measuring helpers shared by benchmarks. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';

/** Total size in bytes of the files under a folder; with `suffix`, of those whose names end with it. */
export async function directorySize(dir: string, suffix = ''): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export interface TreeUsage {
  /** The largest sum of resident memory of the process and its descendants at one sample. */
  readonly peakRssMb: number;
  /** CPU seconds of the process and every descendant seen, each as of its last sample. */
  readonly cpuSeconds: number;
  /** The machine's 1-minute load average, averaged over the samples: what else was running. */
  readonly meanLoad: number;
}

interface ProcessSample {
  readonly ppid: number;
  readonly rssBytes: number;
  readonly cpuTicks: number;
}

/** Every process's parent, resident memory and CPU ticks, from /proc/<pid>/stat (Linux). */
function processTable(pageBytes: number): Map<number, ProcessSample> {
  const table = new Map<number, ProcessSample>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // the process ended since the listing
    }
    // The command name, in parentheses, may hold spaces; the fields after it are numbered from 3 (state).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const field = (n: number): number => Number(fields[n - 3]);
    table.set(Number(name), { ppid: field(4), rssBytes: field(24) * pageBytes, cpuTicks: field(14) + field(15) });
  }
  return table;
}

/**
 * Samples a process and all its descendants from /proc once per interval until `stop()`. Spark's
 * JVM is a grandchild of the process that runs a plan, and no rusage a Node process can read
 * counts it (maxRSS is the process's own; a waited-for child's is its largest single process), so
 * the tree is summed here. A process's CPU after its last sample is missed: under a second each.
 */
export function sampleProcessTree(rootPid: number, intervalMs = 1000): { cpuSeconds(): number; stop(): TreeUsage } {
  const getconf = (name: string): number => Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
  const pageBytes = getconf('PAGESIZE');
  const ticksPerSecond = getconf('CLK_TCK');
  const cpuTicks = new Map<number, number>();
  let peakRss = 0;
  let loadSum = 0;
  let samples = 0;
  const sample = (): void => {
    const table = processTable(pageBytes);
    const children = new Map<number, number[]>();
    for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    let rss = 0;
    const queue = table.has(rootPid) ? [rootPid] : [];
    for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
      const p = table.get(pid);
      if (!p) continue;
      rss += p.rssBytes;
      cpuTicks.set(pid, p.cpuTicks);
      queue.push(...(children.get(pid) ?? []));
    }
    peakRss = Math.max(peakRss, rss);
    loadSum += loadavg()[0] ?? 0;
    samples += 1;
  };
  const cpuSeconds = (): number => [...cpuTicks.values()].reduce((sum, t) => sum + t, 0) / ticksPerSecond;
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    /** The tree's CPU seconds so far, sampled now: to split the CPU time at the caller's marks. */
    cpuSeconds(): number {
      sample();
      return cpuSeconds();
    },
    stop(): TreeUsage {
      clearInterval(timer);
      return { peakRssMb: Math.round(peakRss / 2 ** 20), cpuSeconds: cpuSeconds(), meanLoad: loadSum / samples };
    },
  };
}
