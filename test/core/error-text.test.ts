/** Unexpected errors are shown without anything that may quote a file's values. */
import { ContractError } from '../../core/contracts/catalog';
import { describeError } from '../../core/error-text';
import { IngestVerificationError } from '../../core/ingest/ingest';

test('our own errors and file-system errors keep their message', () => {
  expect(describeError(new ContractError('no contract for a/b'))).toBe('no contract for a/b');
  expect(describeError(new IngestVerificationError('wrote 3 bytes'))).toBe('wrote 3 bytes');
  const noSpace = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  expect(describeError(noSpace)).toBe('ENOSPC: no space left on device, write');
});

test('an engine\'s error keeps only its kind: it may quote a value such as an SSN', () => {
  const text = describeError(new TypeError('Could not convert string "123-45-6789" to INT64'));
  expect(text).toBe('TypeError (message withheld: it may quote file contents)');
  expect(describeError('123-45-6789')).not.toContain('123');
});
