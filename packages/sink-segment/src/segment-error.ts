/**
 * Segment answers → `SinkError`. Segment answers HTTP 200 to nearly everything (spec §5), so the
 * body's `success` is checked on every answer; a 400 means the request was malformed or too big.
 *
 * @module
 */
import { redactSecrets, SinkError } from "@revtrace/core";
import type { SegmentResponse } from "./segment-api-types.js";

/** The sink's name, used in errors and logs. */
export const SEGMENT_SINK_NAME = "segment";

/** The error of a 2xx answer whose body says `success: false` (spec §5); never retryable. */
export function segmentResponseError(
  answer: SegmentResponse,
  status: number,
  secrets: readonly string[],
): SinkError | undefined {
  if (answer.success !== false) return undefined;
  const message = redactSecrets(answer.message ?? "request refused", secrets);
  return new SinkError(`${SEGMENT_SINK_NAME}: Segment refused the batch (${message})`, {
    sink: SEGMENT_SINK_NAME,
    reason: "vendor_error",
    retryable: false,
    status,
    vendorCode: answer.code,
    responseBody: redactSecrets(JSON.stringify(answer), secrets),
  });
}

/**
 * True for Segment's own refusal of a batch's content: `success: false` in the body, with HTTP 200 or
 * 400 (spec §5). A 400 without that body (a proxy, a gateway) is about the request, not a message.
 */
export function isContentRefusal(error: unknown): error is SinkError {
  if (!SinkError.isInstance(error) || error.retryable) return false;
  if (error.reason === "vendor_error") return true;
  if (error.status !== 400 || error.responseBody === undefined) return false;
  try {
    return (JSON.parse(error.responseBody) as { success?: unknown }).success === false;
  } catch {
    return false;
  }
}

/** The error of an item refused locally or by Segment: never retryable. */
export function invalidItemError(message: string, cause?: unknown): SinkError {
  return new SinkError(`${SEGMENT_SINK_NAME}: ${message}`, {
    sink: SEGMENT_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    cause,
  });
}
