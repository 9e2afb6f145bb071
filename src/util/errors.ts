/**
 * Two kinds of failure, kept apart:
 * - UserError: the user's input is wrong (a flag, a config key, a file). The CLI prints its message
 *   alone, without a stack, and exits with code 2. The message names the flag, key path or file.
 * - invariant(): an internal assumption broke. That is a bug in s3gan: it throws a plain Error
 *   (exit code 1, with stack).
 */
export class UserError extends Error {
  /** Process exit code for bad input. */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Throws a UserError unless `condition` holds. */
export function userCheck(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new UserError(typeof message === 'function' ? message() : message);
}

/** Asserts an internal invariant; a failure is a bug, not bad input. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`internal invariant failed: ${message}`);
}

/** The message of anything thrown, for wrapping low-level errors with context. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
