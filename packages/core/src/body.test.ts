import { describe, expect, it } from "vitest";
import { decodeWebhookBody, rawBodyBytes } from "./body.js";
import { WebhookPayloadError } from "./errors.js";

const json = '{"id":"ev_1","n":1}';
const bytes = new TextEncoder().encode(json);

describe("decodeWebhookBody", () => {
  it("decodes text, bytes, an ArrayBuffer and other views alike", () => {
    const expected = { id: "ev_1", n: 1 };
    expect(decodeWebhookBody(json)).toEqual(expected);
    expect(decodeWebhookBody(bytes)).toEqual(expected);
    expect(decodeWebhookBody(Buffer.from(json))).toEqual(expected);
    expect(decodeWebhookBody(bytes.buffer.slice(0))).toEqual(expected);
    expect(decodeWebhookBody(new DataView(bytes.buffer))).toEqual(expected);
    // A view onto the middle of a larger buffer reads only its own bytes.
    const padded = new TextEncoder().encode(`xx${json}yy`);
    expect(decodeWebhookBody(padded.subarray(2, padded.length - 2))).toEqual(expected);
  });

  it("drops a byte-order mark in text and in bytes", () => {
    expect(decodeWebhookBody(`\uFEFF${json}`)).toEqual({ id: "ev_1", n: 1 });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(decodeWebhookBody(withBom)).toEqual({ id: "ev_1", n: 1 });
  });

  it("returns an already parsed object as is", () => {
    const parsed = { id: "ev_1" };
    expect(decodeWebhookBody(parsed)).toBe(parsed);
  });

  it("refuses invalid JSON and UTF-8 without quoting the body", () => {
    const secret = '{"email":"jane@example.com"';
    const error = (() => {
      try {
        decodeWebhookBody(secret, "Chargebee webhook body");
      } catch (e) {
        return e;
      }
    })();
    expect(WebhookPayloadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("Chargebee webhook body: not valid JSON");
    expect((error as Error).message).not.toContain("jane");
    expect(() => decodeWebhookBody(new Uint8Array([0xff, 0xfe, 0x00]))).toThrow(/not valid UTF-8/);
  });

  it.each([
    [123, "number"],
    [null, "null"],
    [undefined, "undefined"],
    [true, "boolean"],
  ])("refuses %s, saying what to pass", (value, type) => {
    expect(() => decodeWebhookBody(value)).toThrow(WebhookPayloadError);
    expect(() => decodeWebhookBody(value)).toThrow(`got ${type}; pass the raw body`);
  });
});

describe("rawBodyBytes", () => {
  it("keeps text and bytes, and has nothing for a parsed object", () => {
    expect(rawBodyBytes(json)).toBe(json);
    expect(rawBodyBytes(bytes)).toBe(bytes);
    expect(rawBodyBytes(bytes.buffer)).toEqual(bytes);
    expect(rawBodyBytes({ id: "ev_1" })).toBeNull();
    expect(rawBodyBytes(42)).toBeNull();
  });
});
