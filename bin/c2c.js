#!/usr/bin/env node
// The c2c command line runs from its TypeScript sources (no build step to forget).
require('tsx/cjs/api').register();
const { main } = require('./c2c.ts');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
