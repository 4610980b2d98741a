/**
 * Maps whatever the official SDK rejects with to one typed `SinkError` (`sink: "chargebee"`). The SDK
 * rejects API errors with the parsed error body (`{ message, type, api_error_code, http_status_code,
 * headers }`, spec §9), non-JSON 5xx answers with a `ChargebeeError`, and transport failures with the
 * `fetch` error.
 *
 * @module
 */
import {
  isRetryableStatus,
  parseRetryAfter,
  redactText,
  SinkError,
  type SinkFailureReason,
  truncate,
} from "@revtrace/core";

/** The `sink` name carried by errors of the Chargebee API helpers. */
export const CHARGEBEE_API = "chargebee";

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** A `SinkError` for a failure that is not an HTTP status (bad response, network, timeout, abort). */
export function apiFailure(
  operation: string,
  reason: SinkFailureReason,
  detail: string,
  cause?: unknown,
): SinkError {
  return new SinkError(`Chargebee ${operation} failed: ${detail}`, {
    sink: CHARGEBEE_API,
    reason,
    retryable: reason === "network" || reason === "timeout",
    cause,
  });
}

/**
 * Converts an SDK rejection to a `SinkError`: HTTP errors keep the status, Chargebee's
 * `api_error_code` (`vendorCode`), `Retry-After` (spec §9: honour it on 429) and whether a retry may
 * succeed (408, 429, 5xx). The vendor message is redacted and truncated; credentials never appear.
 */
export function toChargebeeApiError(error: unknown, operation: string): SinkError {
  if (SinkError.isInstance(error)) return error;
  const name = field(error, "name");
  if (name === "TimeoutError") return apiFailure(operation, "timeout", "request timed out", error);
  if (name === "AbortError") return apiFailure(operation, "aborted", "request aborted", error);
  const status = field(error, "http_status_code") ?? field(error, "http_code");
  if (typeof status === "number") {
    const code = field(error, "api_error_code");
    const vendorCode = typeof code === "string" ? code : undefined;
    const headers = field(error, "headers");
    const retryAfter = field(headers, "retry-after");
    const message = field(error, "message");
    return new SinkError(
      `Chargebee ${operation} failed: HTTP ${status}${vendorCode ? ` (${vendorCode})` : ""}`,
      {
        sink: CHARGEBEE_API,
        reason: "http_status",
        status,
        retryable: isRetryableStatus(status),
        retryAfterMs: parseRetryAfter(typeof retryAfter === "string" ? retryAfter : undefined),
        vendorCode,
        responseBody: typeof message === "string" ? truncate(redactText(message), 500) : undefined,
        cause: error,
      },
    );
  }
  return apiFailure(operation, "network", "the request did not complete", error);
}
