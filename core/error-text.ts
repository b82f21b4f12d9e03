/**
 * How an unexpected error is shown in logs and on the command line. Errors this project raises
 * say nothing about record values, and neither do the file system's (they name a path); an
 * engine's or an SDK's may quote a value from a file, so only its kind is shown.
 */
import { ContractError } from './contracts/catalog';
import { IngestVerificationError } from './ingest/ingest';
import { PlanError } from './plan/plan';

export function describeError(error: unknown): string {
  // A plan's errors name a step; the engine's words are their cause, not their message.
  if (error instanceof IngestVerificationError || error instanceof ContractError || error instanceof PlanError) return error.message;
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code as string)) {
    return error.message;
  }
  return `${error instanceof Error ? error.constructor.name : typeof error} (message withheld: it may quote file contents)`;
}
