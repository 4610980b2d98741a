/**
 * The pipeline's logger: the caller's (pino-compatible) logger with every entry passed through core's
 * `redact`, so secrets and personal data never reach the logs even if an id carries an email. An
 * entry the logger would drop is not redacted at all: a method the caller's logger lacks, or a level
 * its `isLevelEnabled` (pino's) says is off. The webhook path logs at `debug` on every request.
 *
 * @module
 */
import {
  type LogFn,
  type Logger,
  redact,
  redactText,
  silentLogger,
  toLogger,
} from "@revtrace/core";

type Level = keyof Logger;

/** Wraps `logger` so each entry is redacted before it is written. */
export function redactingLogger(logger: Partial<Logger> | undefined): Logger {
  const base = toLogger(logger);
  // Looked up on each call: pino's level (and so its answer) may change at run time.
  const levels = logger as { isLevelEnabled?: (level: string) => unknown } | undefined;
  const enabled =
    typeof levels?.isLevelEnabled === "function"
      ? (level: Level) => levels.isLevelEnabled?.(level) !== false
      : null;
  const wrap = (level: Level): LogFn => {
    const log = base[level];
    // No such method on the caller's logger: nothing would be written.
    if (log === silentLogger[level]) return log;
    return (objOrMsg: Record<string, unknown> | string, msg?: string) => {
      if (enabled !== null && !enabled(level)) return;
      if (typeof objOrMsg === "string") log(redactText(objOrMsg));
      else log(redact(objOrMsg), msg === undefined ? undefined : redactText(msg));
    };
  };
  return { debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
}
