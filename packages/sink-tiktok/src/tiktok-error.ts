/**
 * TikTok answers → `SinkError`. TikTok reports business errors with HTTP 200 and a non-zero body
 * `code` (TikTok spec §6), so every answer's `code` is classified here.
 *
 * @module
 */
import { redactSecrets, SinkError } from "@revtrace/core";
import type { TikTokResponse } from "./tiktok-api-types.js";

/** The sink's name, used in errors and logs. */
export const TIKTOK_SINK_NAME = "tiktok";

/**
 * How the sink treats a TikTok `code`:
 * - `ok`: accepted (0);
 * - `partial`: partly accepted (20001): delivered, except the events the answer names as failed;
 * - `retryable`: throttling or a TikTok-side failure, retried with backoff;
 * - `invalid_event`: the payload was refused because of an event in it (40002 parameter error, 40062
 *   PII not hashed); the sink isolates the bad event so that only it is rejected;
 * - `request`: the request as a whole cannot succeed (40000 invalid params, token, pixel permission,
 *   API version, batch size, partner name, or an unknown code); thrown for the whole send, never split.
 */
export type TikTokCodeClass = "ok" | "partial" | "retryable" | "invalid_event" | "request";

/** Meanings of the documented codes (official SDK constants, TikTok spec §6). */
export const TIKTOK_CODE_MEANINGS: Readonly<Record<number, string>> = {
  0: "OK",
  20001: "partial OK",
  40000: "invalid params",
  40001: "permission error (the token cannot operate this pixel)",
  40002: "parameter error",
  40003: "forbidden",
  40006: "API version error",
  40051: "API version error",
  40061: "invalid batch size",
  40062: "PII not hashed",
  40063: "invalid partner name",
  40100: "request too frequent",
  40102: "access token expired",
  40104: "empty access token",
  40105: "invalid or revoked access token",
  40132: "request frequency limited",
  50000: "system error",
  50002: "system timeout",
  60001: "maintenance",
  61000: "too many requests",
};

const RETRYABLE = new Set([40100, 40132, 50000, 50002, 60001, 61000]);
// TikTok spec §5 suggests splitting a batch on 40002 only; 40062 (PII not hashed) also names an event.
// 40000 (invalid params) is about the request: splitting it would only multiply the same refusal.
const INVALID_EVENT = new Set([40002, 40062]);

/** Classifies a TikTok body `code` (TikTok spec §6 retry table). */
export function classifyTikTokCode(code: number): TikTokCodeClass {
  if (code === 0) return "ok";
  if (code === 20001) return "partial";
  // 51000–53103: internal service errors, retried (bounded by the retry policy).
  if (RETRYABLE.has(code) || (code >= 51000 && code <= 53103)) return "retryable";
  if (INVALID_EVENT.has(code)) return "invalid_event";
  return "request";
}

/**
 * The indexes of `data[]` that TikTok's message names (`Batch.3.properties.contents.0.content_id: Not a
 * valid string`, TikTok spec §5), sorted, without duplicates, only those inside a batch of `size`.
 */
export function refusedIndexes(message: string, size: number): number[] {
  const indexes = new Set<number>();
  for (const match of message.matchAll(/\bBatch\.(\d+)\b/g)) {
    const index = Number(match[1]);
    if (index < size) indexes.add(index);
  }
  return [...indexes].sort((a, b) => a - b);
}

function describe(code: number): string {
  const meaning =
    TIKTOK_CODE_MEANINGS[code] ??
    (code >= 51000 && code <= 53103 ? "internal service error" : "unknown code");
  return `TikTok code ${code} (${meaning})`;
}

/**
 * The `interpret` hook of the core HTTP client: `undefined` for codes 0 and 20001, otherwise a
 * `SinkError` with reason `vendor_error`, TikTok's code as `vendorCode`, `retryable` per
 * {@link classifyTikTokCode}, and the cleaned body (with `request_id`) as `responseBody`.
 */
export function tiktokResponseError(
  body: TikTokResponse,
  status: number,
  secrets: readonly string[],
): SinkError | undefined {
  const kind = classifyTikTokCode(body.code);
  if (kind === "ok" || kind === "partial") return undefined;
  const requestId = body.request_id ? `, request_id ${body.request_id}` : "";
  return new SinkError(`${TIKTOK_SINK_NAME}: ${describe(body.code)}${requestId}`, {
    sink: TIKTOK_SINK_NAME,
    reason: "vendor_error",
    retryable: kind === "retryable",
    status,
    vendorCode: body.code,
    responseBody: redactSecrets(JSON.stringify(body), secrets),
  });
}

/** True for a TikTok answer refusing the payload because of an event in it (bisect the batch). */
export function isInvalidEventError(error: unknown): error is SinkError {
  return (
    SinkError.isInstance(error) &&
    error.reason === "vendor_error" &&
    typeof error.vendorCode === "number" &&
    classifyTikTokCode(error.vendorCode) === "invalid_event"
  );
}

/** The per-item error of an event TikTok refused on its own (after bisection). */
export function invalidItemError(error: SinkError): SinkError {
  return new SinkError(error.message, {
    sink: TIKTOK_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    status: error.status,
    vendorCode: error.vendorCode,
    responseBody: error.responseBody,
    cause: error,
  });
}

/**
 * The error thrown when a request without any event is refused like the batch was (the probe of
 * core's `deliverInBatches`): the request, not an event, is at fault, so splitting it would only
 * multiply the same refusal. Nothing of the batch was accepted, so no result is lost.
 */
export function requestLevelError(error: SinkError): SinkError {
  return new SinkError(
    `${error.message}; a request without any event is refused the same way, so the request itself is at fault`,
    {
      sink: TIKTOK_SINK_NAME,
      reason: "vendor_error",
      retryable: false,
      status: error.status,
      vendorCode: error.vendorCode,
      responseBody: error.responseBody,
      cause: error,
    },
  );
}
