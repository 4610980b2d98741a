import { createHmac } from "node:crypto";
import {
  ConfigError,
  RetentionEventSchema,
  WebhookAuthError,
  WebhookPayloadError,
} from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  parseRetentionEvent,
  RETENTION_EVENT_TYPES,
  verifyAndParseRetentionEvent,
  verifyRetentionSignature,
} from "../src/index.js";
import { fixtureText } from "./fixtures/index.js";

const raw = fixtureText("retention_accept_offer.json");

/** Seed 003's documented Segment identify call, as Retention sends it alongside page_loaded. */
const identify = {
  anonymousId: "KD21akKyAZ",
  context: { library: { name: "unknown", version: "unknown" } },
  integrations: {},
  messageId: "61932cbd-de99-48d7-891e-2dfa0555c845",
  originalTimestamp: "2020-11-06T00:52:40.831Z",
  receivedAt: "2020-11-06T00:52:50.887Z",
  sentAt: "2020-11-06T00:52:50.829Z",
  timestamp: "2020-11-06T00:52:40.889Z",
  traits: {
    "cancel.account.billing_id": "",
    "cancel.account.company_domain": "http://example.com",
    "cancel.account.company_name": "Example",
    "cancel.account.created_at": "1604621298",
    "cancel.account.internal_id": "9f827f6",
    "cancel.account.plan": "Premium",
    "cancel.account.plan_term": "monthly",
    "cancel.account.value": "1234",
    "cancel.app_id": "9Nyv3KZvQJ",
    "cancel.cancel_confirmation_url": "http://example.com?cancel_confirmation_url",
    "cancel.custom.test": "value",
    "cancel.email": "jane@example.com",
    "cancel.first_name": "Jane",
    "cancel.last_name": "Brighteyes",
    "cancel.save_return_url": "http://example.com?save_return_url",
    "cancel.subscription_id": "",
    "cancel.timestamp": "2020-11-06T00:50:48.207Z",
    user_cookie: "86807c85-294c-4007-8a1d-9218dd52a714",
    user_id: "KD21akKyAZ",
  },
  type: "identify",
  userId: "9f827f6",
};

describe("parseRetentionEvent", () => {
  it("parses the documented accept_offer track event (seeds/003) into core's RetentionEvent", () => {
    const event = parseRetentionEvent(raw);
    expect(RetentionEventSchema.parse(event)).toEqual(event);
    expect(event).toEqual({
      call: "track",
      type: "accept_offer",
      supported: true,
      messageId: "1c296cd0-509f-477e-bbc2-bd07e5b33d06",
      occurredAt: Date.parse("2020-11-06T00:53:10.886Z"),
      appId: "9Nyv3KZvQJ",
      sessionId: "1kbVVDN7b6",
      userId: "KD21akKyAZ",
      cookie: "86807c85-294c-4007-8a1d-9218dd52a714",
      funnelId: 769,
      modalName: "25_discount.modal_email_send.a5ce8f6c-f35e-4112-80ba-75ccaa75a8f5",
      user: { email: "jane@example.com", firstName: "Jane", lastName: "Brighteyes" },
      account: {
        internalId: "9f827f6",
        billingId: null,
        subscriptionId: null,
        companyName: "Chargebee Retention",
        companyDomain: "http://example.com",
        plan: "Premium",
        planTerm: "monthly",
        value: 1234,
        createdAt: 1604621298000,
      },
      survey: {
        selectedReason: "pricing_dont_see_value.1834045247",
        displayReason: "Pricing - don't see value",
        reason: "too_expensive",
        feedback: null,
        competition: null,
        sentiment: 0,
        confirmation: false,
      },
      custom: { test: "value" },
      properties: JSON.parse(raw).properties,
      traits: {},
    });
  });

  it("parses the documented identify call (seeds/003): traits, not properties", () => {
    for (const body of [
      JSON.stringify(identify),
      identify,
      Buffer.from(JSON.stringify(identify)),
    ]) {
      const event = parseRetentionEvent(body);
      expect(RetentionEventSchema.parse(event)).toEqual(event);
      expect(event).toEqual({
        call: "identify",
        type: "identify",
        supported: true,
        messageId: "61932cbd-de99-48d7-891e-2dfa0555c845",
        occurredAt: Date.parse("2020-11-06T00:52:40.831Z"),
        appId: "9Nyv3KZvQJ",
        sessionId: null,
        userId: "KD21akKyAZ",
        cookie: "86807c85-294c-4007-8a1d-9218dd52a714",
        funnelId: null,
        modalName: null,
        user: { email: "jane@example.com", firstName: "Jane", lastName: "Brighteyes" },
        account: {
          internalId: "9f827f6",
          billingId: null,
          subscriptionId: null,
          companyName: "Example",
          companyDomain: "http://example.com",
          plan: "Premium",
          planTerm: "monthly",
          value: 1234,
          createdAt: 1604621298000,
        },
        survey: {
          selectedReason: null,
          displayReason: null,
          reason: null,
          feedback: null,
          competition: null,
          sentiment: null,
          confirmation: null,
        },
        custom: { test: "value" },
        properties: {},
        traits: identify.traits,
      });
    }
  });

  it("an identify without user_id in its traits takes Retention's anonymousId", () => {
    const event = parseRetentionEvent({ ...identify, traits: { "cancel.email": "a@example.com" } });
    expect(event.userId).toBe("KD21akKyAZ");
    expect(event.user.email).toBe("a@example.com");
  });

  it("reads every documented track name with identify-style keys, from bytes and an ArrayBuffer", () => {
    for (const type of RETENTION_EVENT_TYPES) {
      const body = {
        event: type,
        properties: {
          "cancel.email": "x@example.com",
          "cancel.account.billing_id": "cus_1",
          "cancel.subscription_id": "sub_1",
          "cancel.custom.tier": 2,
        },
      };
      const bytes = new TextEncoder().encode(JSON.stringify(body));
      for (const input of [Buffer.from(bytes), bytes.buffer]) {
        const event = parseRetentionEvent(input);
        expect(event.call).toBe("track");
        expect(event.type).toBe(type);
        expect(event.supported).toBe(true);
        expect(event.user.email).toBe("x@example.com");
        expect(event.account.billingId).toBe("cus_1");
        expect(event.account.subscriptionId).toBe("sub_1");
        expect(event.custom).toEqual({ tier: 2 });
      }
    }
  });

  it("drops a byte-order mark like the billing parser (one decoder)", () => {
    expect(parseRetentionEvent(`\uFEFF${raw}`)).toEqual(parseRetentionEvent(raw));
  });

  it("returns unknown names unsupported and accepts event_type and a missing properties object", () => {
    const event = parseRetentionEvent({ event_type: "survey_viewed" });
    expect(event.type).toBe("survey_viewed");
    expect(event.supported).toBe(false);
    expect(event.occurredAt).toBeNull();
    expect(event.properties).toEqual({});
  });

  it.each([
    ["{", "(body)"],
    ["[]", "(body)"],
    ["{}", "event"],
    ['{"event":""}', "event"],
    ['{"event":"cancel","properties":[]}', "properties"],
    ['{"type":"identify","traits":"x"}', "traits"],
  ])("rejects %s with a WebhookPayloadError naming %s", (body, where) => {
    expect(() => parseRetentionEvent(body)).toThrow(WebhookPayloadError);
    try {
      parseRetentionEvent(body);
    } catch (error) {
      const message = (error as Error).message;
      expect(message.includes(where) || message.endsWith("not valid JSON")).toBe(true);
    }
  });

  it("out-of-contract input says what to pass", () => {
    expect(() => parseRetentionEvent(42 as never)).toThrow(/got number; pass the raw body/);
  });
});

describe("verify and parse", () => {
  const secret = "whsec-retention";
  const signature = createHmac("sha1", secret).update(raw).digest("hex");

  it("verify then parse: the documented flow, or both in one call", () => {
    expect(() => verifyRetentionSignature(raw, signature, secret)).not.toThrow();
    expect(parseRetentionEvent(raw).type).toBe("accept_offer");
    expect(verifyAndParseRetentionEvent(Buffer.from(raw), signature, secret)).toEqual(
      parseRetentionEvent(raw),
    );
    expect(() => verifyAndParseRetentionEvent(raw, `${signature.slice(0, 39)}0`, secret)).toThrow(
      WebhookAuthError,
    );
  });

  it("a parsed body cannot be HMAC-verified: a ConfigError that says to pass the raw body", () => {
    const parsed = JSON.parse(raw);
    for (const run of [
      () => verifyRetentionSignature(parsed, signature, secret),
      () => verifyAndParseRetentionEvent(parsed, signature, secret),
    ]) {
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(/pass the raw body/);
    }
    expect(() => verifyRetentionSignature(raw, 42 as never, secret)).toThrow(ConfigError);
  });
});
