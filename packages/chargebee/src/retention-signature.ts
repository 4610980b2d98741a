/**
 * Chargebee Retention (formerly Brightback) signs its webhooks — unlike Chargebee Billing — with
 * HMAC-SHA1 over the raw request body, keyed with the shared secret shown in Retention's webhook
 * settings; the hex digest travels in the `X-Hub-Signature` header (spec §1.1; Chargebee Retention
 * docs "Using Webhooks"). A `sha1=` prefix, as GitHub-style senders use, is accepted too.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ConfigError, type RetentionEvent, rawBodyBytes, WebhookAuthError } from "@revtrace/core";
import { parseRetentionEvent } from "./retention-event.js";

const SIGNATURE = /^(?:sha1=)?([0-9a-f]{40})$/i;

/** A raw body: the bytes or text exactly as received. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/**
 * Checks the `X-Hub-Signature` header of a Chargebee Retention webhook against the raw body, in
 * constant time (`crypto.timingSafeEqual` on the 20-byte digests).
 *
 * @param rawBody The body exactly as received (before any JSON parsing): a string, `Buffer`,
 *   `Uint8Array` or `ArrayBuffer`.
 * @param signature The `X-Hub-Signature` header value, or `null`/`undefined` when absent.
 * @param secret The webhook's shared secret from Retention → Settings → Alerts & Webhooks.
 * @throws {WebhookAuthError} (HTTP 401) when the header is missing, malformed or does not match; the
 *   message never contains the secret or the signatures.
 * @throws {ConfigError} when `secret` is empty or not a string, when `rawBody` is not raw (a parsed
 *   object cannot be HMAC-verified: its original bytes are gone), or when `signature` is not a string.
 */
export function verifyRetentionSignature(
  rawBody: RawBody,
  signature: string | null | undefined,
  secret: string,
): void {
  if (typeof secret !== "string" || secret === "") {
    throw new ConfigError("The Chargebee Retention webhook secret is empty or not a string", {
      fields: ["secret"],
    });
  }
  const bytes = rawBodyBytes(rawBody);
  if (bytes === null) {
    throw new ConfigError(
      "A parsed body cannot be HMAC-verified: pass the raw body (string, Buffer, Uint8Array or ArrayBuffer) exactly as received",
      { fields: ["rawBody"] },
    );
  }
  if (signature != null && typeof signature !== "string") {
    throw new ConfigError(
      "Pass the X-Hub-Signature header as a string, or null/undefined when it is absent",
      { fields: ["signature"] },
    );
  }
  if (signature == null || signature === "") throw new WebhookAuthError("Missing X-Hub-Signature");
  const hex = SIGNATURE.exec(signature.trim())?.[1];
  if (hex === undefined) throw new WebhookAuthError("Malformed X-Hub-Signature");
  const expected = createHmac("sha1", secret).update(bytes).digest();
  if (!timingSafeEqual(expected, Buffer.from(hex, "hex"))) {
    throw new WebhookAuthError("Invalid X-Hub-Signature");
  }
}

/**
 * Verifies the signature, then parses: the one call a Retention webhook endpoint needs.
 *
 * @throws {WebhookAuthError} (401), {@link WebhookPayloadError} (400) or {@link ConfigError}, as
 *   {@link verifyRetentionSignature} and `parseRetentionEvent` do.
 *
 * @example
 * const event = verifyAndParseRetentionEvent(rawBody, req.headers["x-hub-signature"], secret);
 */
export function verifyAndParseRetentionEvent(
  rawBody: RawBody,
  signature: string | null | undefined,
  secret: string,
): RetentionEvent {
  verifyRetentionSignature(rawBody, signature, secret);
  return parseRetentionEvent(rawBody);
}
