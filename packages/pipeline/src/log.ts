/**
 * The pipeline's logger: the caller's (pino-compatible) logger with every entry passed through core's
 * `redact`, so secrets and personal data never reach the logs even if an id carries an email.
 *
 * @module
 */
import { type LogFn, type Logger, redact, redactText, toLogger } from "@revtrace/core";

/** Wraps `logger` so each entry is redacted before it is written. */
export function redactingLogger(logger: Partial<Logger> | undefined): Logger {
  const base = toLogger(logger);
  const wrap =
    (log: LogFn): LogFn =>
    (objOrMsg: Record<string, unknown> | string, msg?: string) => {
      if (typeof objOrMsg === "string") log(redactText(objOrMsg));
      else log(redact(objOrMsg), msg === undefined ? undefined : redactText(msg));
    };
  return {
    debug: wrap(base.debug),
    info: wrap(base.info),
    warn: wrap(base.warn),
    error: wrap(base.error),
  };
}
