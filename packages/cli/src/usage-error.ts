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
