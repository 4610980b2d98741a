/**
 * The revtrace error family. Every error thrown on purpose by a revtrace package is a
 * {@link RevtraceError} with a literal `code`, so callers can branch on `code` or on the class, and
 * `isInstance` works across duplicated package versions (it checks a `Symbol.for` marker, not the
 * prototype chain).
 *
 * Messages never contain secrets or raw personal data: callers pass identifiers, counts and field
 * names, never values.
 *
 * @module
 */
import type { z } from "zod";

const MARKER = Symbol.for("@revtrace/error");

/** Every `code` a revtrace error can carry. */
export type RevtraceErrorCode =
  | "config_invalid"
  | "webhook_auth_failed"
  | "webhook_payload_invalid"
  | "sink_failed"
  | "storage_failed"
  | "money_invalid"
  | "chargebee_api_failed";

/** Options shared by every revtrace error. */
export interface RevtraceErrorOptions {
  /** The underlying error, kept for debugging (it is never serialized into the message). */
  cause?: unknown;
}

/** Base class of every revtrace error. */
export class RevtraceError<C extends RevtraceErrorCode = RevtraceErrorCode> extends Error {
  /** Machine-readable kind of the error. */
  readonly code: C;
  /** Suggested HTTP status when the error reaches an HTTP boundary. */
  readonly httpStatus: number;
  readonly [MARKER] = true;

  constructor(
    code: C,
    message: string,
    options: RevtraceErrorOptions & { httpStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
  }

  /** True for any revtrace error, even one thrown by another copy of this package. */
  static isInstance(error: unknown): error is RevtraceError {
    return (
      typeof error === "object" &&
      error !== null &&
      (error as Record<symbol, unknown>)[MARKER] === true
    );
  }
}

function hasCode<C extends RevtraceErrorCode>(error: unknown, code: C): error is RevtraceError<C> {
  return RevtraceError.isInstance(error) && error.code === code;
}

/** Bad options given to a `createX()` factory. Thrown at construction, naming the field. */
export class ConfigError extends RevtraceError<"config_invalid"> {
  /** Dotted paths of the offending options, e.g. `["accessToken", "events.0.pixelCode"]`. */
  readonly fields: readonly string[];
  constructor(
    message: string,
    options: RevtraceErrorOptions & { fields?: readonly string[] } = {},
  ) {
    super("config_invalid", message, options);
    this.fields = options.fields ?? [];
  }
  static override isInstance(error: unknown): error is ConfigError {
    return hasCode(error, "config_invalid");
  }
}

/** A webhook request whose credentials are missing or wrong (HTTP 401). Never echoes credentials. */
export class WebhookAuthError extends RevtraceError<"webhook_auth_failed"> {
  constructor(message = "Webhook authentication failed", options: RevtraceErrorOptions = {}) {
    super("webhook_auth_failed", message, { ...options, httpStatus: 401 });
  }
  static override isInstance(error: unknown): error is WebhookAuthError {
    return hasCode(error, "webhook_auth_failed");
  }
}

/** A webhook body that is not valid JSON or not of the expected shape (HTTP 400). */
export class WebhookPayloadError extends RevtraceError<"webhook_payload_invalid"> {
  /** The zod issues that made the payload invalid (paths and messages; no input values). */
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(
    message: string,
    options: RevtraceErrorOptions & { issues?: readonly z.core.$ZodIssue[] } = {},
  ) {
    super("webhook_payload_invalid", message, { ...options, httpStatus: 400 });
    this.issues = options.issues ?? [];
  }
  static override isInstance(error: unknown): error is WebhookPayloadError {
    return hasCode(error, "webhook_payload_invalid");
  }
}

/** Why a delivery failed. */
export type SinkFailureReason =
  /** The vendor answered with a non-2xx HTTP status. */
  | "http_status"
  /** The vendor answered 2xx but its body reports a failure (TikTok `code != 0`, …). */
  | "vendor_error"
  /** The vendor's body does not match its documented schema. */
  | "invalid_response"
  /** The connection failed (DNS, reset, refused). */
  | "network"
  /** An attempt or the whole time budget ran out. */
  | "timeout"
  /** The caller's `AbortSignal` fired. */
  | "aborted"
  /** The item itself was refused (bad data); sending it again cannot succeed. */
  | "invalid_item";

/** Options of a {@link SinkError}. */
export interface SinkErrorOptions extends RevtraceErrorOptions {
  /** The sink's name (`tiktok`, `segment`, …). */
  sink: string;
  /** Why the delivery failed. */
  reason: SinkFailureReason;
  /** Whether sending the same request again may succeed. */
  retryable: boolean;
  /** How long the vendor asked us to wait before retrying (from `Retry-After`). */
  retryAfterMs?: number | undefined;
  /** HTTP status of the vendor's answer, when there was one. */
  status?: number | undefined;
  /** The vendor's response body, truncated and redacted. */
  responseBody?: string | undefined;
  /** The vendor's own error code, when its body carries one (TikTok `code`, …). */
  vendorCode?: string | number | undefined;
}

/** A delivery to a destination failed (transport, HTTP status or a failure code in the body). */
export class SinkError extends RevtraceError<"sink_failed"> {
  readonly sink: string;
  readonly reason: SinkFailureReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly responseBody: string | undefined;
  readonly vendorCode: string | number | undefined;
  constructor(message: string, options: SinkErrorOptions) {
    super("sink_failed", message, { ...options, httpStatus: 502 });
    this.sink = options.sink;
    this.reason = options.reason;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.responseBody = options.responseBody;
    this.vendorCode = options.vendorCode;
  }
  static override isInstance(error: unknown): error is SinkError {
    return hasCode(error, "sink_failed");
  }
}

/**
 * A storage engine failed (connection, constraint, migration, use after `close()`), or refused input
 * it cannot store faithfully (`invalidInput`: a float amount, a NUL character, an unsafe integer).
 */
export class StorageError extends RevtraceError<"storage_failed"> {
  /** The engine's name (`memory`, `sqlite`, `postgres`). */
  readonly engine: string;
  /** True when the caller's input was refused (HTTP 400); false for engine failures (HTTP 503). */
  readonly invalidInput: boolean;
  constructor(
    message: string,
    options: RevtraceErrorOptions & { engine: string; invalidInput?: boolean },
  ) {
    super("storage_failed", message, { ...options, httpStatus: options.invalidInput ? 400 : 503 });
    this.engine = options.engine;
    this.invalidInput = options.invalidInput ?? false;
  }
  static override isInstance(error: unknown): error is StorageError {
    return hasCode(error, "storage_failed");
  }
}

/** An invalid amount or currency, or arithmetic across two currencies. */
export class MoneyError extends RevtraceError<"money_invalid"> {
  constructor(message: string, options: RevtraceErrorOptions = {}) {
    super("money_invalid", message, { ...options, httpStatus: 400 });
  }
  static override isInstance(error: unknown): error is MoneyError {
    return hasCode(error, "money_invalid");
  }
}

/** Why a Chargebee API call failed. */
export type ChargebeeApiFailureReason =
  /** Chargebee answered with a non-2xx HTTP status (its real status, even without a JSON body). */
  | "http_status"
  /** A 2xx answer whose body is not what the API documents (or a list filter Chargebee ignored). */
  | "invalid_response"
  /** List pagination handed back an offset it had already given: following it would loop forever. */
  | "pagination_loop"
  /** The connection failed (DNS, reset, refused). */
  | "network"
  /** The request ran out of time. */
  | "timeout"
  /** The caller's `AbortSignal` fired. Never retryable. */
  | "aborted";

/** Options of a {@link ChargebeeApiError}. */
export interface ChargebeeApiErrorOptions extends RevtraceErrorOptions {
  /** What was being done (`list events`, `checkout_new_for_items`, …). */
  operation: string;
  reason: ChargebeeApiFailureReason;
  /** Whether the same request may succeed later (408, 429, 5xx, network, timeout). */
  retryable: boolean;
  /** From `Retry-After` (Chargebee spec §9: honour it on 429). */
  retryAfterMs?: number | undefined;
  /** The HTTP status Chargebee answered with. */
  status?: number | undefined;
  /** Chargebee's `api_error_code` (`api_request_limit_exceeded`, `resource_not_found`, …). */
  apiErrorCode?: string | undefined;
  /** Chargebee's error `type` (`payment`, `invalid_request`, `operation_failed`). */
  errorType?: string | undefined;
  /** The request parameter Chargebee blamed (`param`). */
  param?: string | undefined;
  /** Chargebee's message, or the start of a non-JSON body, truncated and redacted. */
  responseBody?: string | undefined;
}

/**
 * A call to the Chargebee REST API failed (replay, backfill, checkout). `reason` says how; `retryable`
 * and `retryAfterMs` tell the caller, who owns the retry policy, whether and when to try again.
 */
export class ChargebeeApiError extends RevtraceError<"chargebee_api_failed"> {
  readonly operation: string;
  readonly reason: ChargebeeApiFailureReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly apiErrorCode: string | undefined;
  readonly errorType: string | undefined;
  readonly param: string | undefined;
  readonly responseBody: string | undefined;
  constructor(message: string, options: ChargebeeApiErrorOptions) {
    super("chargebee_api_failed", message, { ...options, httpStatus: 502 });
    this.operation = options.operation;
    this.reason = options.reason;
    // An abort is the caller's decision: retrying it would undo that decision.
    this.retryable = options.reason === "aborted" ? false : options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.apiErrorCode = options.apiErrorCode;
    this.errorType = options.errorType;
    this.param = options.param;
    this.responseBody = options.responseBody;
  }
  static override isInstance(error: unknown): error is ChargebeeApiError {
    return hasCode(error, "chargebee_api_failed");
  }
}

/**
 * Zod issues without the offending input values (zod 4 can include `input` on issues; inputs may hold
 * personal data and must not reach logs or answers); the nested issues of a union, a key or an
 * element are redacted alike. Unknown keys of a strict object are named (a misspelt option must say
 * which): never validate untrusted input with a strict object whose issues are answered.
 */
export function redactIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((issue) => {
    const { input: _input, ...rest } = issue as z.core.$ZodIssue & { input?: unknown };
    if (rest.code === "invalid_union") {
      return {
        ...rest,
        errors: rest.errors.map((nested) => redactIssues(nested)),
      } as z.core.$ZodIssue;
    }
    if (rest.code === "invalid_key" || rest.code === "invalid_element") {
      return { ...rest, issues: redactIssues(rest.issues) };
    }
    return rest as z.core.$ZodIssue;
  });
}
