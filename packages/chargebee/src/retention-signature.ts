/**
 * Chargebee Retention (formerly Brightback) signs its webhooks — unlike Chargebee Billing — with
 * HMAC-SHA1 over the raw request body, keyed with the shared secret shown in Retention's webhook
 * settings; the hex digest travels in the `X-Hub-Signature` header (spec §1.1; Chargebee Retention
 * docs "Using Webhooks"). A `sha1=` prefix, as GitHub-style senders use, is accepted too.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ConfigError, WebhookAuthError } from "@revtrace/core";

const SIGNATURE = /^(?:sha1=)?([0-9a-f]{40})$/i;

/**
 * Checks the `X-Hub-Signature` header of a Chargebee Retention webhook against the raw body, in
 * constant time (`crypto.timingSafeEqual` on the 20-byte digests).
 *
 * @param rawBody The body exactly as received (before any JSON parsing).
 * @param signature The `X-Hub-Signature` header value, or `null`/`undefined` when absent.
 * @param secret The webhook's shared secret from Retention → Settings → Alerts & Webhooks.
 * @throws {WebhookAuthError} (HTTP 401) when the header is missing, malformed or does not match; the
 *   message never contains the secret or the signatures.
 * @throws {ConfigError} when `secret` is empty.
 */
export function verifyRetentionSignature(
  rawBody: string | Uint8Array,
  signature: string | null | undefined,
  secret: string,
): void {
  if (typeof secret !== "string" || secret === "") {
    throw new ConfigError("The Chargebee Retention webhook secret is empty", {
      fields: ["secret"],
    });
  }
  if (signature == null || signature === "") throw new WebhookAuthError("Missing X-Hub-Signature");
  const hex = SIGNATURE.exec(signature.trim())?.[1];
  if (hex === undefined) throw new WebhookAuthError("Malformed X-Hub-Signature");
  const expected = createHmac("sha1", secret).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(hex, "hex"))) {
    throw new WebhookAuthError("Invalid X-Hub-Signature");
  }
}
