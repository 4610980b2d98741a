/**
 * Money that was not collected never looks like revenue: the real Chargebee payloads (the fixtures of
 * `@revtrace/chargebee`, provenance in packages/chargebee/test/fixtures/SOURCES.md) through the real
 * parser, then `conversionFromBillingEvent`.
 */
import { parseChargebeeEvent } from "@revtrace/chargebee";
import { describe, expect, it } from "vitest";
import { webhookBody } from "../../chargebee/test/fixtures/index.js";
import { conversionFromBillingEvent } from "../src/index.js";

const eventOf = (name: string) => parseChargebeeEvent(webhookBody(name));

describe("conversionFromBillingEvent on real Chargebee payloads", () => {
  it("a failed payment yields no revenue (value null)", () => {
    const event = eventOf("payment_failed.bonusly.1.json");
    // The attempt (USD 2.24) and the unpaid invoice are there, but nothing was collected.
    expect(event.failedPayment?.attemptedAmount).toEqual({ amount: 224, currency: "USD" });
    expect(conversionFromBillingEvent(event).value).toBeNull();
  });

  it("a successful payment yields its cash, and a refund its amount taken back", () => {
    expect(conversionFromBillingEvent(eventOf("payment_succeeded.bonusly.1.json")).value).toEqual({
      amount: 450000,
      currency: "USD",
    });
    expect(conversionFromBillingEvent(eventOf("payment_refunded.bonusly.1.json")).value).toEqual({
      amount: -2,
      currency: "USD",
    });
  });
});
