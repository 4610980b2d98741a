/**
 * The exit codes of every `revtrace` command (documented in the README and in `--help`).
 *
 * @module
 */

/** What a `revtrace` process exits with. */
export const EXIT_CODES = {
  /** Everything the command set out to do was done. */
  ok: 0,
  /** An unexpected error (a bug, a crash of a dependency). */
  error: 1,
  /** Bad usage: an unknown command or option, a missing argument. */
  usage: 2,
  /** Bad configuration: the config file, an environment variable or an option is invalid. */
  config: 3,
  /**
   * The command ran, but its check failed: the demo found something that did not arrive, `doctor` a
   * failing check, `replay` bodies still invalid, deliveries still queued or dead-lettered, `backfill`
   * customers with errors.
   */
  checkFailed: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The table printed under every command's `--help`. */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0  done",
  "  1  unexpected error",
  "  2  bad usage (unknown command or option, a missing file argument, an unknown name or value)",
  "  3  bad configuration (config file, environment variable, every command, doctor included)",
  "  4  the command's check failed (something did not arrive, a doctor check, invalid bodies, sync errors)",
].join("\n");
