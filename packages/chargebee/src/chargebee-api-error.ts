/**
 * Maps whatever a Chargebee API call fails with to one typed `ChargebeeApiError`. The SDK rejects
 * API errors with the parsed error body (`{ message, type, api_error_code, param, http_status_code,
 * headers }`, spec §9) and transport failures with the `fetch` error. Answers without a JSON body
 * (an HTML 429 from a proxy, an HTML 404) never reach the SDK, which would report them as 500: the
 * transport in `chargebee-client.ts` turns them into {@link NonJsonAnswer}, which keeps the real
 * status.
 *
 * @module
 */
import {
  ChargebeeApiError,
  type ChargebeeApiFailureReason,
  isRetryableStatus,
  parseRetryAfter,
  redactText,
  truncate,
} from "@revtrace/core";

/** An answer whose body is not JSON, seen by the transport before the SDK could misread it. */
export class NonJsonAnswer extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    readonly bodyStart: string,
  ) {
    super(`Chargebee answered HTTP ${status} without a JSON body`);
    this.name = "NonJsonAnswer";
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** A `ChargebeeApiError` for a failure that is not an HTTP status (bad response, network, timeout, abort). */
export function apiFailure(
  operation: string,
  reason: ChargebeeApiFailureReason,
  detail: string,
  cause?: unknown,
): ChargebeeApiError {
  return new ChargebeeApiError(`Chargebee ${operation} failed: ${detail}`, {
    operation,
    reason,
    retryable: reason === "network" || reason === "timeout",
    cause,
  });
}

function statusFailure(
  operation: string,
  status: number,
  details: {
    apiErrorCode?: string | undefined;
    errorType?: string | undefined;
    param?: string | undefined;
    retryAfter?: string | undefined;
    body?: string | undefined;
  },
  cause: unknown,
): ChargebeeApiError {
  const code = details.apiErrorCode;
  return new ChargebeeApiError(
    `Chargebee ${operation} failed: HTTP ${status}${code ? ` (${code})` : ""}`,
    {
      operation,
      reason: "http_status",
      status,
      retryable: isRetryableStatus(status),
      retryAfterMs: parseRetryAfter(details.retryAfter),
      apiErrorCode: code,
      errorType: details.errorType,
      param: details.param,
      responseBody:
        details.body === undefined ? undefined : truncate(redactText(details.body), 500),
      cause,
    },
  );
}

/**
 * Converts an SDK rejection to a `ChargebeeApiError`: HTTP errors keep the status, Chargebee's
 * `api_error_code`, `type` and `param`, `Retry-After` (spec §9: honour it on 429) and whether a
 * retry may succeed (408, 429, 5xx). The vendor message is redacted and truncated; credentials never
 * appear. An abort (the caller's signal) is never retryable.
 */
export function toChargebeeApiError(error: unknown, operation: string): ChargebeeApiError {
  if (ChargebeeApiError.isInstance(error)) return error;
  if (error instanceof NonJsonAnswer) {
    if (error.status >= 200 && error.status < 300) {
      return apiFailure(operation, "invalid_response", "the answer is not JSON", error);
    }
    return statusFailure(
      operation,
      error.status,
      { retryAfter: error.retryAfter ?? undefined, body: error.bodyStart },
      error,
    );
  }
  const name = field(error, "name");
  if (name === "TimeoutError") return apiFailure(operation, "timeout", "request timed out", error);
  if (name === "AbortError") return apiFailure(operation, "aborted", "request aborted", error);
  const status = field(error, "http_status_code") ?? field(error, "http_code");
  if (typeof status === "number") {
    const retryAfter = field(field(error, "headers"), "retry-after");
    return statusFailure(
      operation,
      status,
      {
        apiErrorCode: optionalString(field(error, "api_error_code")),
        errorType: optionalString(field(error, "type")),
        param: optionalString(field(error, "param")),
        retryAfter: optionalString(retryAfter),
        body: optionalString(field(error, "message")),
      },
      error,
    );
  }
  return apiFailure(operation, "network", "the request did not complete", error);
}
