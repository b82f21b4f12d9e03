/**
 * Screening on worker threads: the components of a pattern are independent LPs, so a round's
 * screenings run on every core. Each worker gets the table system once, packed into typed arrays,
 * builds its own ComponentLps (its own HiGHS), and screens the components it is handed, largest
 * first, one at a time as it becomes free. Results come back by task, so the outcome does not
 * depend on which worker ran what.
 *
 * Workers run screening-worker.cjs, which registers tsx and loads screening-worker.ts: the sources
 * run as TypeScript everywhere (the CLI, the publish task's container, jest), so there is no build.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ComponentScreened, ComponentTask, ScreeningRunner } from './audit';
import type { TableSystem } from './table-system';

/** A table system as transferable arrays. */
export interface PackedSystem {
  readonly values: Float64Array;
  readonly totals: Int32Array;
  /** Equation i's parts are parts[partStarts[i] .. partStarts[i + 1]). */
  readonly partStarts: Int32Array;
  readonly parts: Int32Array;
}

export function packSystem({ values, equations }: TableSystem): PackedSystem {
  const partStarts = new Int32Array(equations.length + 1);
  equations.forEach(({ parts }, i) => (partStarts[i + 1] = (partStarts[i] as number) + parts.length));
  const parts = new Int32Array(partStarts[equations.length] as number);
  equations.forEach((equation, i) => parts.set(equation.parts, partStarts[i] as number));
  return { values: Float64Array.from(values), totals: Int32Array.from(equations, ({ total }) => total), partStarts, parts };
}

export function unpackSystem({ values, totals, partStarts, parts }: PackedSystem): TableSystem {
  return {
    values: Array.from(values),
    equations: Array.from(totals, (total, i) => ({ total, parts: Array.from(parts.subarray(partStarts[i] as number, partStarts[i + 1] as number)) })),
  };
}

/** What a worker sends back: a task's result, or why it failed. */
export type WorkerReply = { readonly task: number; readonly screened: ComponentScreened } | { readonly task: number; readonly error: string };

/** Starts `workers` screening workers for the system. */
export function startScreeningPool(system: TableSystem, workers: number): ScreeningRunner {
  const packed = packSystem(system);
  const threads = Array.from({ length: workers }, () => new Worker(path.join(__dirname, 'screening-worker.cjs'), { workerData: packed }));
  return {
    run: (tasks) => runOn(threads, tasks),
    close: async () => {
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

function runOn(threads: readonly Worker[], tasks: readonly ComponentTask[]): Promise<ComponentScreened[]> {
  const results: ComponentScreened[] = new Array(tasks.length);
  // Largest first, so that no worker is left with a large component at the end.
  const order = [...tasks.keys()].sort((a, b) => (tasks[b] as ComponentTask).cells.length - (tasks[a] as ComponentTask).cells.length || a - b);
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let failed = false;
    const listeners: Array<() => void> = [];
    const finish = (error?: Error): void => {
      for (const remove of listeners) remove();
      if (error) reject(error);
      else resolve(results);
    };
    const give = (thread: Worker): void => {
      if (next >= order.length) return;
      const task = order[next++] as number;
      thread.postMessage({ task, component: tasks[task] });
    };
    for (const thread of threads) {
      const onMessage = (reply: WorkerReply): void => {
        if (failed) return;
        if ('error' in reply) {
          failed = true;
          finish(new Error(`screening worker failed: ${reply.error}`));
          return;
        }
        results[reply.task] = reply.screened;
        done++;
        if (done === tasks.length) finish();
        else give(thread);
      };
      const onError = (error: Error): void => {
        if (failed) return;
        failed = true;
        finish(new Error(`screening worker failed: ${error.message}`));
      };
      // A worker that stops without an error (killed, or exited) would leave its task unanswered.
      const onExit = (code: number): void => onError(new Error(`it stopped with exit code ${code}`));
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
      listeners.push(() => {
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      });
    }
    if (tasks.length === 0) finish();
    else for (const thread of threads) give(thread);
  });
}
