/**
 * Exact Segment messages for every meaning of every Chargebee fixture (real payloads through the real
 * parser and `conversionNamesOf`) and for every Chargebee Retention event type (synthetic payloads
 * built from seed 003's samples). The bodies are kept as reviewed files under `__bodies__/`; a change
 * of mapping shows up as a diff there. The key fields are also asserted explicitly below.
 */
import { readdirSync } from "node:fs";
import { conversionNamesOf } from "@revtrace/chargebee";
import { RETENTION_EVENT_TYPES } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { mapConversion, parseSegmentSinkOptions } from "../src/index.js";
import {
  billingConversion,
  billingEventOf,
  retentionConversion,
  retentionEventOf,
} from "./fixtures/conversions.js";

const settings = parseSegmentSinkOptions({ writeKey: "wk" });
const fixtures = readdirSync(new URL("../../chargebee/test/fixtures/", import.meta.url))
  .filter((name) => name.endsWith(".json") && !name.startsWith("retention_"))
  .map((name) => name.slice(0, -".json".length))
  .sort();

const messagesOf = (result: ReturnType<typeof mapConversion>) =>
  result.kind === "messages" ? result.messages : [];

describe("every Chargebee fixture's meanings", () => {
  for (const fixture of fixtures) {
    const names = conversionNamesOf(billingEventOf(fixture));
    if (names.length === 0) continue;
    it(`${fixture}: ${names.join(", ")}`, async () => {
      const bodies = names.map((name) => ({
        name,
        result: mapConversion(billingConversion(fixture, name), settings),
      }));
      for (const { result } of bodies) expect(result.kind).toBe("messages");
      await expect(JSON.stringify(bodies, null, 2)).toMatchFileSnapshot(
        `./__bodies__/${fixture}.json`,
      );
    });
  }

  it("a first payment: Order Completed with the invoice as order id, revenue and products", () => {
    const [identify, track] = messagesOf(
      mapConversion(billingConversion("payment_succeeded.bonusly.1", "first_payment"), settings),
    );
    expect(identify?.type).toBe("identify");
    expect(track).toMatchObject({
      type: "track",
      event: "Order Completed",
      messageId: expect.stringMatching(/^chargebee:ev_.+:first_payment:track$/),
      userId: billingEventOf("payment_succeeded.bonusly.1").customer?.id,
      properties: { order_id: expect.any(String), currency: "USD", first_payment: true },
    });
  });

  it("a refund: Order Refunded with a positive total", () => {
    const [, track] = messagesOf(
      mapConversion(billingConversion("payment_refunded.bonusly.1", "refund"), settings),
    );
    expect(track?.type === "track" && track.event).toBe("Order Refunded");
    expect(track?.type === "track" && (track.properties.total as number) > 0).toBe(true);
  });

  it("a customer whose PII Chargebee cleared: no personal trait at all", () => {
    const conversion = billingConversion("customer_changed.bonusly.1", "customer_updated");
    const event = conversion.billingEvent;
    if (!event?.customer) throw new Error("fixture has a customer");
    const cleared = {
      ...conversion,
      contact: { ...conversion.contact, email: null, phone: null, firstName: null, lastName: null },
      billingEvent: { ...event, customer: { ...event.customer, piiCleared: "cleared" as const } },
    };
    const [identify] = messagesOf(mapConversion(cleared, settings));
    const traits = identify?.type === "identify" ? identify.traits : {};
    for (const key of ["email", "phone", "firstName", "lastName", "company", "address"]) {
      expect(traits).not.toHaveProperty(key);
    }
    expect(traits).toHaveProperty("chargebee_customer_id");
  });
});

describe("every Chargebee Retention event", () => {
  for (const type of RETENTION_EVENT_TYPES) {
    it(`${type}: the event name and the flat properties exactly as Retention sends them`, async () => {
      const event = retentionEventOf(type);
      const messages = messagesOf(mapConversion(retentionConversion(type), settings));
      const track = messages.find((m) => m.type === "track");
      expect(track?.type === "track" && track.event).toBe(type);
      expect(track?.type === "track" && track.properties).toEqual(event.properties);
      expect(track?.anonymousId).toBe("KD21akKyAZ");
      // Retention's identify accompanies page_loaded only.
      expect(messages.map((m) => m.type)).toEqual(
        type === "page_loaded" ? ["identify", "track"] : ["track"],
      );
      await expect(JSON.stringify(messages, null, 2)).toMatchFileSnapshot(
        `./__bodies__/retention_${type}.json`,
      );
    });
  }

  it("page_loaded's identify carries the cancel.* traits of Retention's own identify (seed 003)", () => {
    const [identify] = messagesOf(mapConversion(retentionConversion("page_loaded"), settings));
    const seeded = retentionEventOf("identify");
    const traits = identify?.type === "identify" ? identify.traits : {};
    for (const [key, value] of Object.entries(seeded.traits)) {
      if (key.startsWith("cancel.") && key !== "cancel.account.company_name") {
        expect(traits[key]).toEqual(value);
      }
    }
    expect(traits.user_id).toBe("KD21akKyAZ");
  });

  it("a Retention identify body is forwarded as an identify with its traits verbatim", () => {
    const messages = messagesOf(mapConversion(retentionConversion("identify"), settings));
    expect(messages).toHaveLength(1);
    const [identify] = messages;
    expect(identify?.type).toBe("identify");
    expect(identify?.type === "identify" && identify.traits).toEqual(
      retentionEventOf("identify").traits,
    );
    expect(identify?.anonymousId).toBe("KD21akKyAZ");
  });
});

describe("a late event (staleState)", () => {
  const traitsOf = (staleState?: ("customer" | "subscription")[]) => {
    const conversion = billingConversion("subscription_created.bonusly.1", "subscription_created");
    const [identify] = messagesOf(
      mapConversion({ ...conversion, ...(staleState ? { staleState } : {}) }, settings),
    );
    return (identify as { traits: Record<string, unknown> }).traits;
  };

  it("sends no subscription traits from an outdated subscription", () => {
    expect(traitsOf()).toHaveProperty("subscription_status");
    const traits = traitsOf(["subscription"]);
    for (const key of ["plan", "subscription_status", "mrr", "mrr_currency"]) {
      expect(traits).not.toHaveProperty(key);
    }
    expect(traits).toHaveProperty("company");
  });

  it("sends no personal traits from an outdated customer, and keeps the customer id", () => {
    const fresh = traitsOf();
    const traits = traitsOf(["customer"]);
    expect(fresh).toHaveProperty("company");
    for (const key of ["company", "createdAt"]) expect(traits).not.toHaveProperty(key);
    expect(traits.chargebee_customer_id).toBe(fresh.chargebee_customer_id);
    expect(traits.subscription_status).toBe(fresh.subscription_status);
  });
});
