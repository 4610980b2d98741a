import { createHmac } from "node:crypto";
import { ConfigError, WebhookAuthError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { verifyRetentionSignature } from "./retention-signature.js";

const secret = "retention-shared-secret";
const body = '{"event":"cancel","properties":{"user_id":"u1"}}';
const sign = (text: string, key = secret) => createHmac("sha1", key).update(text).digest("hex");

function authError(fn: () => unknown): WebhookAuthError {
  try {
    fn();
  } catch (error) {
    if (WebhookAuthError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a WebhookAuthError");
}

describe("verifyRetentionSignature", () => {
  it("accepts the hex HMAC-SHA1 of the raw body, with or without sha1=, any hex case", () => {
    expect(() => verifyRetentionSignature(body, sign(body), secret)).not.toThrow();
    expect(() => verifyRetentionSignature(body, `sha1=${sign(body)}`, secret)).not.toThrow();
    expect(() => verifyRetentionSignature(body, sign(body).toUpperCase(), secret)).not.toThrow();
    expect(() => verifyRetentionSignature(Buffer.from(body), sign(body), secret)).not.toThrow();
  });

  it("rejects a missing, malformed or wrong signature with a 401 that leaks nothing", () => {
    const cases = [
      () => verifyRetentionSignature(body, undefined, secret),
      () => verifyRetentionSignature(body, "", secret),
      () => verifyRetentionSignature(body, "sha256=abc", secret),
      () => verifyRetentionSignature(body, sign(body).slice(0, 39), secret),
      () => verifyRetentionSignature(body, sign(body, "other-secret"), secret),
      () => verifyRetentionSignature(`${body} `, sign(body), secret),
    ];
    for (const run of cases) {
      const error = authError(run);
      expect(error.httpStatus).toBe(401);
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(sign(body));
    }
  });

  it("refuses an empty secret as a configuration error", () => {
    expect(() => verifyRetentionSignature(body, sign(body), "")).toThrow(ConfigError);
  });
});
