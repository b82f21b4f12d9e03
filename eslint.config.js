// @ts-check
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'glue-jobs/', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The domain stays free of AWS and of the edges (DESIGN.md §3).
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['aws-cdk-lib', 'aws-cdk-lib/*', '@aws-sdk/*', 'constructs', '@duckdb/*'], message: 'core/ has no AWS or engine imports' },
          { group: ['**/adapters/**', '**/lib/**', '**/lambdas/**', '**/bin/**'], message: 'core/ imports none of the edges' },
        ],
      }],
    },
  },
  {
    // CommonJS entry points (a worker thread's, which registers tsx before loading TypeScript).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/adapters/**', '**/lambdas/**'], message: 'lib/ reads core/, never adapters/' }],
      }],
    },
  },
);
