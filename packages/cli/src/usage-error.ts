/**
 * The CLI's bad-usage error: a missing file or folder given as an argument, an unknown name, an
 * invalid option value. `revtrace` prints its message (never a stack) and exits 2.
 *
 * @module
 */

/** Bad usage of a command (exit code 2). Its message names the option, never a secret. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  static isInstance(error: unknown): error is UsageError {
    return error instanceof Error && error.name === "UsageError";
  }
}

/**
 * The integer value of option `--name`, checked: a `UsageError` (exit 2) naming the option and the
 * range when it is not a whole number from `min` to `max` (never `NaN` passed on).
 */
export function integerOption(value: unknown, name: string, min: number, max: number): number {
  const text = String(value).trim();
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return number;
}
