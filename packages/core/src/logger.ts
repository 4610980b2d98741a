/**
 * Logging: a pino-compatible subset, silent by default, plus redaction of secrets and PII.
 *
 * @module
 */
import { PERSONAL_KEYS } from "./model/personal-keys.js";

/** A log method: `(object, message)` or `(message)`, as in pino. */
export type LogFn = {
  (obj: Record<string, unknown>, msg?: string): void;
  (msg: string): void;
};

/** The logger revtrace calls. A pino logger satisfies it; so does `console` wrapped by {@link consoleLogger}. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => {};

/** A logger that drops everything (the default everywhere). */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
});

/** Completes a partial logger with no-op methods. */
export function toLogger(logger: Partial<Logger> | undefined): Logger {
  if (!logger) return silentLogger;
  return {
    debug: logger.debug?.bind(logger) ?? noop,
    info: logger.info?.bind(logger) ?? noop,
    warn: logger.warn?.bind(logger) ?? noop,
    error: logger.error?.bind(logger) ?? noop,
  };
}

/** Property names that hold credentials: always replaced by `[redacted]`. */
export const SECRET_KEYS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "access-token",
  "access_token",
  "accesstoken",
  "api-token",
  "api_token",
  "apitoken",
  "api_key",
  "apikey",
  "api-key",
  "password",
  "secret",
  "token",
  "cookie",
  "set-cookie",
];

/**
 * Property names always replaced by `[redacted]`: the {@link SECRET_KEYS} plus every personal field of
 * the model ({@link PERSONAL_KEYS}, derived from the schemas' `personal()` marks, so a personal field
 * added to the model is covered without editing this list), plus the short generic names a log object
 * may use for the same data (`email`, `phone`, `ip`, …).
 */
export const SENSITIVE_KEYS: readonly string[] = Object.freeze([
  ...new Set([
    ...SECRET_KEYS,
    ...PERSONAL_KEYS,
    "email",
    "phone",
    "ip",
    "user_agent",
    "useragent",
    "first_name",
    "last_name",
    "firstname",
    "lastname",
  ]),
]);

const EMAIL_PATTERN = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const BEARER_PATTERN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
/** A maximal run of digits and phone punctuation, starting with `+`, `(` or a digit. */
const PHONE_CANDIDATE = /\+?[\d(][\d ().-]*\d/g;

/**
 * Whether a run of digits and punctuation reads as a phone number rather than an ordinary number:
 * 7 to 15 digits (E.164's maximum), and either an international `+`, an area code in parentheses, or
 * phone-style grouping (three or more groups, or two groups split by a space or dash, with 9+ digits).
 * Amounts (`150050`, `2.24`), epoch times, ids without grouping, ISO dates, IPv4 addresses and version
 * numbers are left alone.
 */
function isPhoneLike(run: string): boolean {
  const digits = run.replace(/\D/g, "").length;
  if (digits < 7 || digits > 15) return false;
  if (/\d{4}-\d{2}-\d{2}/.test(run) || /^\d{1,3}(\.\d{1,3}){3}$/.test(run)) return false;
  if (run.startsWith("+") || /\(\d{1,4}\)/.test(run)) return true;
  const groups = run.split(/\D+/).filter(Boolean).length;
  if (groups >= 3) return digits >= 9;
  return groups === 2 && digits >= 10 && /\d[ -]+\d/.test(run);
}

/** Replaces email addresses, phone numbers and Bearer/Basic credentials inside free text. */
export function redactText(text: string): string {
  return text
    .replace(EMAIL_PATTERN, "[redacted-email]")
    .replace(BEARER_PATTERN, "$1 [redacted]")
    .replace(PHONE_CANDIDATE, (run, offset: number, whole: string) => {
      // Part of a word or an id (`cus_123-456-789`, `v1.2.3-beta`): not a phone number.
      const before = whole[offset - 1];
      const after = whole[offset + run.length];
      if ((before && /[\w-]/.test(before)) || (after && /\w/.test(after))) return run;
      return isPhoneLike(run) ? "[redacted-phone]" : run;
    });
}

/**
 * An error safe to keep as a cause (in an item's error, a log line): the same name, its message
 * passed through {@link redactText}, no stack of the original. For errors a sink did not make
 * itself (a mapping that threw on an item's data, a user's callback), whose text may quote data.
 */
export function redactedError(error: unknown): Error {
  const redacted = new Error(redactText(error instanceof Error ? error.message : String(error)));
  redacted.name = error instanceof Error ? error.name : typeof error;
  return redacted;
}

const SENSITIVE_KEY_SET: ReadonlySet<string> = new Set(SENSITIVE_KEYS);

/**
 * A deep copy of `value` with sensitive keys (see {@link SENSITIVE_KEYS}, plus `extraKeys`) replaced by
 * `[redacted]` and emails, phone numbers and credentials inside strings masked. Safe on cycles.
 */
export function redact<T>(value: T, extraKeys: readonly string[] = []): T {
  const keys =
    extraKeys.length === 0
      ? SENSITIVE_KEY_SET
      : new Set([...SENSITIVE_KEYS, ...extraKeys.map((k) => k.toLowerCase())]);
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactText(v);
    if (typeof v !== "object" || v === null) return v;
    if (seen.has(v)) return "[circular]";
    seen.add(v);
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, inner] of Object.entries(v)) {
      out[k] = keys.has(k.toLowerCase()) ? "[redacted]" : walk(inner);
    }
    return out;
  };
  return walk(value) as T;
}

/**
 * Vendor response text made safe to keep in an error or a log: every occurrence of each secret
 * (tokens, API keys) replaced, emails and Basic/Bearer credentials masked, cut to `max` characters.
 */
export function redactSecrets(text: string, secrets: readonly string[], max = 500): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("[redacted]");
  return truncate(redactText(out), max);
}

/** Cuts `text` to `max` characters, marking the cut. */
export function truncate(text: string, max = 1000): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/**
 * A logger writing JSON lines to `console` (for the CLI and quick starts). Every object is passed
 * through {@link redact} first.
 */
export function consoleLogger(level: "debug" | "info" | "warn" | "error" = "info"): Logger {
  const order = ["debug", "info", "warn", "error"] as const;
  const make =
    (name: (typeof order)[number]): LogFn =>
    (objOrMsg: Record<string, unknown> | string, msg?: string) => {
      if (order.indexOf(name) < order.indexOf(level)) return;
      const entry =
        typeof objOrMsg === "string"
          ? { level: name, msg: redactText(objOrMsg) }
          : {
              level: name,
              ...redact(objOrMsg),
              ...(msg === undefined ? {} : { msg: redactText(msg) }),
            };
      console[name === "debug" ? "log" : name](JSON.stringify(entry));
    };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}
