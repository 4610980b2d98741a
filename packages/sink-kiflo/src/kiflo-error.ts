/**
 * Kiflo answers → `SinkError`s. Kiflo reports failures with an HTTP status and a body
 * `{ errorCode, errorMessage }` (spec §1); its error catalogue is not published, so the status decides
 * what is retried (the core HTTP client's rules) and the `errorCode` is kept as `vendorCode`.
 *
 * @module
 */
import { ConfigError, SinkError } from "@revtrace/core";
import { KifloErrorBodySchema } from "./kiflo-api-types.js";

/** The sink's name, used in errors and logs. */
export const KIFLO_SINK_NAME = "kiflo";

/** The `errorCode` of a Kiflo error answer kept in `error.responseBody`, if it has one. */
export function kifloErrorCode(error: SinkError): string | undefined {
  if (error.responseBody === undefined) return undefined;
  try {
    const parsed = KifloErrorBodySchema.safeParse(JSON.parse(error.responseBody));
    return parsed.success ? parsed.data.errorCode : undefined;
  } catch {
    return undefined;
  }
}

/** `error` with Kiflo's `errorCode` as `vendorCode` and in the message (never the error text: it may quote data). */
export function withKifloCode(error: SinkError): SinkError {
  const code = kifloErrorCode(error);
  if (code === undefined || error.vendorCode !== undefined) return error;
  return new SinkError(`${error.message} (${code})`, {
    sink: KIFLO_SINK_NAME,
    reason: error.reason,
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    status: error.status,
    responseBody: error.responseBody,
    vendorCode: code,
    cause: error.cause,
  });
}

/**
 * True when Kiflo refused the item itself (400 invalid request, 404 a referenced record is gone, 409,
 * 422): sending it again cannot succeed, and the other items of the batch are unaffected. 401 and 403
 * (the token) and everything retryable concern the whole send.
 */
export function isItemRefusal(error: unknown): error is SinkError {
  return (
    SinkError.isInstance(error) &&
    !error.retryable &&
    (error.reason === "invalid_item" ||
      (error.reason === "http_status" && [400, 404, 409, 422].includes(error.status ?? 0)))
  );
}

/**
 * A retryable failure of one request that says nothing about the account: a network error or lost
 * answer, a timeout, or a 5xx without `Retry-After` (a 429, or an answer asking to wait, pauses the
 * whole send instead; so do an abort and authentication failures, which are not retryable).
 */
export function isTransientFailure(error: unknown): error is SinkError {
  if (!SinkError.isInstance(error) || !error.retryable || error.retryAfterMs !== undefined) {
    return false;
  }
  if (error.reason === "network" || error.reason === "timeout") return true;
  return error.reason === "http_status" && (error.status ?? 0) >= 500;
}

/** The per-item error of an item Kiflo (or the sink) refused. */
export function itemError(message: string, cause?: unknown): SinkError {
  const source = SinkError.isInstance(cause) ? cause : undefined;
  return new SinkError(`${KIFLO_SINK_NAME}: ${message}`, {
    sink: KIFLO_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    status: source?.status,
    vendorCode: source?.vendorCode,
    responseBody: source?.responseBody,
    cause,
  });
}

/**
 * A claim on this Chargebee transaction or customer is held (by another process, or by an earlier
 * attempt of this one whose answer was lost): this item is tried again later. No `retryAfterMs`: a
 * pipeline holds the whole sink for one (it means a vendor limit), while only this item has to wait;
 * the outbox's backoff retries it (with the defaults, 10 attempts span 4 to 8.5 minutes, past the
 * claim's expiry `claimTtlMs`, 2 minutes), and the holder's own retry usually frees it sooner.
 */
export function inProgressError(what: string): SinkError {
  return new SinkError(`${KIFLO_SINK_NAME}: ${what} is being delivered by another process`, {
    sink: KIFLO_SINK_NAME,
    reason: "vendor_error",
    retryable: true,
  });
}

/**
 * A refund whose payment's transaction is not recorded yet, though the payment may still create it
 * (Chargebee delivers out of order): retried until it is, dead-lettered after the attempts.
 */
export function notYetRecordedError(): SinkError {
  // No retryAfterMs: the outbox's backoff (1 s, 2 s, 4 s, …) retries it soon after the payment.
  return new SinkError(
    `${KIFLO_SINK_NAME}: the refunded payment's transaction is not recorded yet; the refund is retried until it is`,
    { sink: KIFLO_SINK_NAME, reason: "vendor_error", retryable: true },
  );
}

/** The mapping store failed: the outcome could not be recorded, so the send must be retried. */
export function storeError(cause: unknown): SinkError {
  return new SinkError(
    `${KIFLO_SINK_NAME}: the mapping store failed; the send will be retried and checks Kiflo before creating anything`,
    { sink: KIFLO_SINK_NAME, reason: "network", retryable: true, cause },
  );
}

/** A Kiflo account that lacks a property the sink needs (Kiflo's Chargebee integration is off). */
export function missingPropertyError(entity: "customer" | "transaction", label: string) {
  return new ConfigError(
    `Kiflo has no ${entity} property labelled "${label}": turn on Kiflo's Chargebee integration (Manage → Integrations → Chargebee → Add to Kiflo), which adds it, or create it with that label`,
    { fields: [`${entity}Properties.${label}`] },
  );
}

/** A setup error met during `send`: the whole send fails, not retryable until the account is fixed. */
export function setupSinkError(cause: ConfigError): SinkError {
  return new SinkError(`${KIFLO_SINK_NAME}: setup failed: ${cause.message}`, {
    sink: KIFLO_SINK_NAME,
    reason: "vendor_error",
    retryable: false,
    cause,
  });
}
