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

/**
 * The text value of option `--name` (a path, a code), checked: a `UsageError` (exit 2) when it was
 * given twice (the parser makes an array, which `String()` would join with a comma into a path
 * nobody asked for), given without a value, or empty (the parser turns `""` into the number 0).
 */
export function textOption(value: unknown, name: string): string {
  if (Array.isArray(value)) throw new UsageError(`--${name} was given more than once`);
  if (value === true || value === undefined) throw new UsageError(`--${name} needs a value`);
  const text = String(value);
  if (value === 0 || text.trim() === "") throw new UsageError(`--${name} needs a non-empty value`);
  return text;
}

/** {@link textOption} for an option that may be left out (`undefined` stays `undefined`). */
export function optionalTextOption(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : textOption(value, name);
}
