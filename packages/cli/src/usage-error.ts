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

/** `2026-11-01`, or a date and time with seconds optional and a zone: `2026-11-01T09:30Z`, `…+01:00`. */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * The time (ms since the epoch) of date option `--name`: an ISO 8601 date (midnight UTC) or date
 * and time with its zone. A `UsageError` (exit 2) for anything else: `Date.parse` would take `1` as
 * 2001, `2026-02-31` as 3 March and a time without a zone as the machine's local time.
 */
export function dateOption(value: unknown, name: string): number {
  const text = textOption(value, name).trim();
  const match = ISO_DATE.exec(text);
  const time = match ? Date.parse(text) : Number.NaN;
  // the calendar date must exist as written (Date.parse rolls 31 February over into March)
  const [, y, m, d] = match ?? [];
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (
    Number.isNaN(time) ||
    day.getUTCFullYear() !== Number(y) ||
    day.getUTCMonth() !== Number(m) - 1 ||
    day.getUTCDate() !== Number(d)
  ) {
    throw new UsageError(
      `--${name} must be an ISO 8601 date (2026-11-01) or date and time with a zone (2026-11-01T09:30:00Z)`,
    );
  }
  return time;
}
