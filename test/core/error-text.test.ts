/** Unexpected errors are shown without anything that may quote a file's values. */
import { ContractError } from '../../core/contracts/catalog';
import { describeError } from '../../core/error-text';
import { IngestVerificationError } from '../../core/ingest/ingest';
import { PlanError } from '../../core/plan/plan';

test('our own errors and file-system errors keep their message', () => {
  expect(describeError(new ContractError('no contract for a/b'))).toBe('no contract for a/b');
  expect(describeError(new IngestVerificationError('wrote 3 bytes'))).toBe('wrote 3 bytes');
  // A plan's error names the step; what the engine said (which may quote values) is only its cause.
  const failed = new PlanError('step blocking failed in the engine', { cause: new Error('Conversion Error: "123-45-6789"') });
  expect(describeError(failed)).toBe('step blocking failed in the engine');
  const noSpace = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  expect(describeError(noSpace)).toBe('ENOSPC: no space left on device, write');
});

test('an engine\'s error keeps only its kind: it may quote a value such as an SSN', () => {
  const text = describeError(new TypeError('Could not convert string "123-45-6789" to INT64'));
  expect(text).toBe('TypeError (message withheld: it may quote file contents)');
  expect(describeError('123-45-6789')).not.toContain('123');
});
