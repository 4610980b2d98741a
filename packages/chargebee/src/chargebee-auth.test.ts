import { ConfigError, WebhookAuthError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { createChargebeeWebhookVerifier, verifyChargebeeAuth } from "./chargebee-auth.js";

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

const current = { username: "chargebee", password: "s3cret-Current" };
const previous = { username: "chargebee-old", password: "s3cret:With:Colons" };
const verifier = createChargebeeWebhookVerifier({ credentials: [current, previous] });

function authError(header: string | null | undefined): WebhookAuthError {
  try {
    verifier.verify(header);
  } catch (error) {
    if (WebhookAuthError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a WebhookAuthError");
}

describe("createChargebeeWebhookVerifier", () => {
  it("accepts every configured pair (rotation) and returns the matching username", () => {
    expect(verifier.verify(basic("chargebee", "s3cret-Current"))).toEqual({
      username: "chargebee",
    });
    expect(verifier.verify(basic("chargebee-old", "s3cret:With:Colons"))).toEqual({
      username: "chargebee-old",
    });
  });

  it("accepts the scheme in any case and surrounding spaces (RFC 7617)", () => {
    const token = Buffer.from("chargebee:s3cret-Current").toString("base64");
    expect(verifier.verify(`basic ${token}`).username).toBe("chargebee");
    expect(verifier.verify(`  BASIC   ${token}  `).username).toBe("chargebee");
  });

  it("rejects missing, malformed and wrong headers with 401 and no credentials in the message", () => {
    const headers: Array<string | null | undefined> = [
      undefined,
      null,
      "",
      "Bearer abc",
      "Basic",
      "Basic !!!not-base64!!!",
      "Basic Y2hhcmdlYmVl", // "chargebee" without a colon
      `Basic ${Buffer.from(":nouser").toString("base64")}`,
      `Basic ${Buffer.from("chargebee:s3cret-Current").toString("base64").replace(/=+$/, "")}x`,
      basic("chargebee", "wrong"),
      basic("chargebee", "s3cret-current"),
      basic("chargebee-old", "s3cret-Current"),
      basic("nobody", "s3cret-Current"),
      `Basic ${"A".repeat(5000)}`,
    ];
    for (const header of headers) {
      const error = authError(header);
      expect(error.code).toBe("webhook_auth_failed");
      expect(error.httpStatus).toBe(401);
      const token = header?.trim().split(/ +/)[1];
      for (const secret of ["s3cret", "chargebee", token]) {
        if (secret) expect(error.message).not.toContain(secret);
      }
    }
  });

  it("validates its options and never echoes a password", () => {
    const attempts = [
      () => createChargebeeWebhookVerifier({ credentials: [] }),
      () =>
        createChargebeeWebhookVerifier({ credentials: [{ username: "a:b", password: "pw-x1" }] }),
      () => createChargebeeWebhookVerifier({ credentials: [{ username: "a", password: "" }] }),
    ];
    for (const attempt of attempts) {
      try {
        attempt();
        throw new Error("expected a ConfigError");
      } catch (error) {
        expect(ConfigError.isInstance(error)).toBe(true);
        expect((error as Error).message).not.toContain("pw-x1");
      }
    }
    expect(() =>
      createChargebeeWebhookVerifier({ credentials: [{ username: "a:b", password: "pw-x1" }] }),
    ).toThrow(
      "Invalid Chargebee webhook verifier options: credentials.0.username: A Basic-auth username cannot contain ':'",
    );
    expect(() =>
      createChargebeeWebhookVerifier({ credentials: [{ username: "a", password: "" }] }),
    ).toThrow(/^Invalid Chargebee webhook verifier options: credentials\.0\.password: /);
  });
});

describe("verifyChargebeeAuth", () => {
  it("is the one-shot form", () => {
    expect(verifyChargebeeAuth(basic("u", "p"), [{ username: "u", password: "p" }])).toEqual({
      username: "u",
    });
    expect(() => verifyChargebeeAuth(basic("u", "x"), [{ username: "u", password: "p" }])).toThrow(
      WebhookAuthError,
    );
  });
});

describe("verify: out-of-contract calls, and verifyAndParse", () => {
  const body = JSON.stringify({
    id: "ev_1",
    event_type: "customer_created",
    occurred_at: 1_700_000_000,
    api_version: "v2",
    content: { customer: { id: "cus_1" } },
  });

  it("a non-string header is a ConfigError that says what to pass", () => {
    for (const header of [123, {}, ["Basic x"]]) {
      expect(() => verifier.verify(header as never)).toThrow(ConfigError);
      expect(() => verifier.verify(header as never)).toThrow(
        /pass a string, or null\/undefined when the header is absent/,
      );
    }
  });

  it("verifyAndParse authenticates, then parses", () => {
    const event = verifier.verifyAndParse(basic("chargebee", "s3cret-Current"), body);
    expect(event).toMatchObject({
      id: "ev_1",
      type: "customer_created",
      customer: { id: "cus_1" },
    });
    expect(() => verifier.verifyAndParse(basic("chargebee", "wrong"), body)).toThrow(
      WebhookAuthError,
    );
    // Nothing is parsed without authentication: a garbage body still answers 401.
    expect(() => verifier.verifyAndParse(null, "{garbage")).toThrow(WebhookAuthError);
  });

  it("verifyAndParse uses the verifier's parser options", () => {
    const custom = createChargebeeWebhookVerifier({
      credentials: [current],
      parse: { clickIdField: "cf_ttclid" },
    });
    const event = custom.verifyAndParse(
      basic("chargebee", "s3cret-Current"),
      JSON.stringify({
        id: "ev_2",
        event_type: "subscription_created",
        occurred_at: 1_700_000_000,
        content: { subscription: { id: "s", cf_ttclid: "tt-1" } },
      }),
    );
    expect(event.subscription?.clickId).toBe("tt-1");
    expect(() =>
      createChargebeeWebhookVerifier({ credentials: [current], parse: { clickIdField: "x" } }),
    ).toThrow(ConfigError);
  });
});
