import { createHmac } from "node:crypto";
import { WebhookPayloadError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  parseRetentionEvent,
  RETENTION_EVENT_TYPES,
  verifyRetentionSignature,
} from "../src/index.js";
import { fixtureText } from "./fixtures/index.js";

const raw = fixtureText("retention_accept_offer.json");

describe("parseRetentionEvent", () => {
  it("parses the documented accept_offer event (seeds/003)", () => {
    const event = parseRetentionEvent(raw);
    expect(event).toEqual({
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
    });
  });

  it("reads every documented event name, identify-style keys, and bytes", () => {
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
      const event = parseRetentionEvent(Buffer.from(JSON.stringify(body)));
      expect(event.type).toBe(type);
      expect(event.supported).toBe(true);
      expect(event.user.email).toBe("x@example.com");
      expect(event.account.billingId).toBe("cus_1");
      expect(event.account.subscriptionId).toBe("sub_1");
      expect(event.custom).toEqual({ tier: 2 });
    }
  });

  it("returns unknown names unsupported and accepts event_type and a missing properties object", () => {
    const event = parseRetentionEvent({ event_type: "survey_viewed" });
    expect(event.type).toBe("survey_viewed");
    expect(event.supported).toBe(false);
    expect(event.occurredAt).toBeNull();
    expect(event.properties).toEqual({});
  });

  it("rejects invalid bodies with WebhookPayloadError", () => {
    for (const body of ["{", "[]", "{}", '{"event":""}', '{"event":"cancel","properties":[]}']) {
      expect(() => parseRetentionEvent(body)).toThrow(WebhookPayloadError);
    }
  });

  it("verify then parse: the documented flow", () => {
    const secret = "whsec-retention";
    const signature = createHmac("sha1", secret).update(raw).digest("hex");
    expect(() => verifyRetentionSignature(raw, signature, secret)).not.toThrow();
    expect(parseRetentionEvent(raw).type).toBe("accept_offer");
  });
});
