// Worker threads do not inherit the TypeScript loader: register it, then run the TypeScript entry.
require('tsx/cjs/api').register();
require('./generate-worker.ts');
