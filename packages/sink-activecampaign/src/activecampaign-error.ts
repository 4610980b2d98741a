/**
 * ActiveCampaign answers → what the sink does with them (spec §1 "Error shapes" and its recommended
 * classification): 429, 503, other 5xx and network failures are retried by the HTTP client and, when
 * they outlast the retries, fail the whole send (retryable); 401/402/403 (a bad token, an account
 * payment problem) fail the whole send (not retryable: fix the configuration); 404 and 422 refuse
 * only the item at hand.
 *
 * @module
 */
import { redactText, SinkError } from "@revtrace/core";
import { ErrorBodySchema } from "./activecampaign-api-types.js";

/** The sink's name, used in errors and logs. */
export const ACTIVECAMPAIGN_SINK_NAME = "activecampaign";

/** Statuses that say the account or the token is unusable (spec §1: AC answers 403 for a bad token). */
const ACCOUNT_STATUSES = new Set([401, 402, 403]);

/** The first error `code` and title of an ActiveCampaign error body, whatever its shape. */
export function readErrorBody(text: string | undefined): {
  code: string | undefined;
  title: string | undefined;
} {
  if (!text) return { code: undefined, title: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { code: undefined, title: undefined };
  }
  const parsed = ErrorBodySchema.safeParse(json);
  if (!parsed.success) return { code: undefined, title: undefined };
  const first = parsed.data.errors?.[0];
  const code =
    first?.code || (/duplicate/i.test(parsed.data.error ?? "") ? "duplicate" : undefined);
  const title = first?.title || parsed.data.message || undefined;
  return { code, title };
}

/** True when the failure concerns the whole send, not one item: transport, throttling, account. */
export function failsTheSend(error: unknown): boolean {
  if (!SinkError.isInstance(error)) return true;
  if (error.reason === "aborted" || error.retryable) return true;
  return error.status !== undefined && ACCOUNT_STATUSES.has(error.status);
}

/** True for a 404 answer (a cached id that no longer exists, spec §1: re-resolve once). */
export function isNotFound(error: unknown): boolean {
  return SinkError.isInstance(error) && error.status === 404;
}

/** True for ActiveCampaign's "already exists" answer (422 `duplicate`, or the tag table's message). */
export function isDuplicate(error: unknown): boolean {
  if (!SinkError.isInstance(error) || (error.status !== 422 && error.status !== 400)) return false;
  return readErrorBody(error.responseBody).code === "duplicate";
}

/**
 * The error an item is rejected with: not retryable, carrying ActiveCampaign's error code and its
 * title (emails removed), the original error as `cause`.
 */
export function itemError(operation: string, error: unknown): SinkError {
  const original = SinkError.isInstance(error) ? error : undefined;
  const { code, title } = readErrorBody(original?.responseBody);
  const detail = title ? `: ${redactText(title).slice(0, 200)}` : "";
  const status = original?.status ? ` (HTTP ${original.status})` : "";
  return new SinkError(`${ACTIVECAMPAIGN_SINK_NAME}: ${operation} refused${status}${detail}`, {
    sink: ACTIVECAMPAIGN_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    status: original?.status,
    responseBody: original?.responseBody ? redactText(original.responseBody) : undefined,
    vendorCode: code,
    cause: error,
  });
}

/** An item the sink refuses before any request (bad data). */
export function localItemError(message: string, cause?: unknown): SinkError {
  return new SinkError(`${ACTIVECAMPAIGN_SINK_NAME}: ${message}`, {
    sink: ACTIVECAMPAIGN_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    cause,
  });
}

/**
 * A contact another process is writing (its owner record is leased, see
 * activecampaign-contact-owner.ts): the item is retried later. No `retryAfterMs`: the outbox holds
 * the whole sink until an item's `retryAfterMs` (a vendor's rate limit), and one busy contact must
 * not stall the others; its backoff retries it.
 */
export function contactBusyError(): SinkError {
  return new SinkError(
    `${ACTIVECAMPAIGN_SINK_NAME}: the contact is being written by another process`,
    {
      sink: ACTIVECAMPAIGN_SINK_NAME,
      reason: "vendor_error",
      retryable: true,
    },
  );
}

/**
 * The `store` failed (see activecampaign-contact-owner.ts): nothing was written to the contact, so the
 * send fails and is retried, as a network failure would be.
 */
export function contactStoreError(cause: unknown): SinkError {
  return new SinkError(`${ACTIVECAMPAIGN_SINK_NAME}: the store of contact owners failed`, {
    sink: ACTIVECAMPAIGN_SINK_NAME,
    reason: "network",
    retryable: true,
    cause,
  });
}

/** The error of a send stopped by its signal. */
export function abortedError(cause: unknown): SinkError {
  return new SinkError(`${ACTIVECAMPAIGN_SINK_NAME}: request aborted`, {
    sink: ACTIVECAMPAIGN_SINK_NAME,
    reason: "aborted",
    retryable: false,
    cause,
  });
}
