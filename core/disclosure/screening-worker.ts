/** A screening worker (screening-pool.ts): screens the components it is handed, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { ComponentLps, type ComponentTask } from './audit';
import { highsSolver } from './highs';
import { unpackSystem, type PackedSystem, type WorkerReply } from './screening-pool';

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('screening-worker.ts runs only as a worker thread');
  const lps = new ComponentLps(unpackSystem(workerData as PackedSystem), await highsSolver());
  port.on('message', ({ task, component }: { task: number; component: ComponentTask }) => {
    let reply: WorkerReply;
    try {
      reply = { task, screened: lps.screen(component) };
    } catch (error) {
      // Messages name cells by index only (table-system.ts): no values leave in them.
      reply = { task, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}

void serve();
