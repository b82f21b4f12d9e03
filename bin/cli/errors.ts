/** What the command line promises: exit 0 success, 1 failed check, 2 usage error; no stack traces for user mistakes. */
export const EXIT = { ok: 0, failedCheck: 1, usage: 2 } as const;

/** The user asked for something the command cannot do as asked (a bad option, a missing folder). */
export class UsageError extends Error {}

/** The command ran, and what it checked did not pass. */
export class CheckFailedError extends Error {}
