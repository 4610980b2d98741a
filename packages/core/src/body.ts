/**
 * The one webhook body decoder: every parser (Chargebee Billing events, Chargebee Retention events)
 * turns what the HTTP layer hands over into a JSON value here, so they accept the same inputs and fail
 * the same way.
 *
 * Accepted: the raw text (`string`), the raw bytes (`Uint8Array`, so Node's `Buffer`, any other
 * `ArrayBufferView`, or an `ArrayBuffer`), and a value some middleware already parsed (a plain object or
 * array, returned as is). A leading byte-order mark is dropped (RFC 8259 §8.1 lets parsers ignore it).
 * Anything else, invalid UTF-8 and invalid JSON are a {@link WebhookPayloadError} (HTTP 400) whose
 * message never quotes the body (it may hold personal data).
 *
 * @module
 */
import type { z } from "zod";
import { WebhookPayloadError } from "./errors.js";

/** What a webhook body may be when it reaches a parser. */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView | object;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function refuse(what: string, message: string, issue: string): WebhookPayloadError {
  return new WebhookPayloadError(`${what}: ${message}`, {
    issues: [{ code: "custom", path: [], message: issue } as z.core.$ZodIssue],
  });
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  return typeof value;
}

/**
 * Decodes a webhook body to a JSON value.
 *
 * @param what Names the body in error messages (`"Chargebee webhook body"`).
 * @throws {WebhookPayloadError} for invalid UTF-8, invalid JSON, or an input of another type (a number,
 *   `null`, a function, …): the message says what to pass.
 *
 * @example decodeWebhookBody(await request.text(), "Chargebee webhook body")
 */
export function decodeWebhookBody(input: unknown, what = "Webhook body"): unknown {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else if (typeof input === "object" && input !== null) {
    const bytes =
      input instanceof Uint8Array
        ? input
        : input instanceof ArrayBuffer
          ? new Uint8Array(input)
          : ArrayBuffer.isView(input)
            ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
            : null;
    if (bytes === null) return input;
    try {
      // TextDecoder drops a UTF-8 byte-order mark by itself.
      text = utf8.decode(bytes);
    } catch {
      throw refuse(what, "not valid UTF-8", "Invalid UTF-8");
    }
  } else {
    throw refuse(
      what,
      `got ${describeType(input)}; pass the raw body (string, Buffer, Uint8Array or ArrayBuffer) or the parsed JSON object`,
      "Expected a string, bytes or a JSON object",
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    throw refuse(what, "not valid JSON", "Invalid JSON");
  }
}

/**
 * The raw bytes or text of a body, for signature checks (an HMAC is computed over the body exactly as
 * received). Returns `null` for anything else, notably a parsed object: its original bytes are gone, so
 * it cannot be verified; callers turn that into an error that says "pass the raw body".
 */
export function rawBodyBytes(input: unknown): string | Uint8Array | null {
  if (typeof input === "string" || input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  return null;
}
