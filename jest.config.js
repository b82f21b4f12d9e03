/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `npm run typecheck`; with isolatedModules (tsconfig) jest only transpiles.
    '^.+\\.ts$': 'ts-jest',
  },
  testTimeout: 120000,
};
