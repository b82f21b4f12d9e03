// The entry of a screening worker thread (screening-pool.ts): the sources are TypeScript, run by tsx.
require('tsx/cjs/api').register();
require('./screening-worker.ts');
