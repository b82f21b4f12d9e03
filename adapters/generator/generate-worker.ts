/** Worker thread entry: generates one range of people and reports progress and its part files. */
import { parentPort, workerData } from 'node:worker_threads';
import { runRange, type RangeTask } from './range-runner';

const task = workerData as RangeTask;
const parts = runRange(task, (done) => parentPort?.postMessage({ kind: 'progress', done }));
parentPort?.postMessage({ kind: 'done', parts });
