/**
 * Review H: Chargebee's money scale for currencies beyond JPY/KRW/XAF/XOF, checked against
 * Chargebee's own API documentation (apidocs.chargebee.com/docs/api/currencies, "Whole number
 * currency values"): "For currencies that are not zero-decimal, Chargebee supports values up to two
 * decimal places in the major unit of the currency. This value with two decimal places must be
 * converted to an integer by multiplying it by 100." Only KRW, JPY, XAF and XOF are zero-decimal.
 * So a KWD/BHD/OMR/JOD/TND integer is hundredths, and KWD `12345` is KWD 123.45 = 123450 fils in
 * ISO minor units; reading it as 12.345 understates every such payment tenfold.
 *
 * Chargebee's supported-currencies page (chargebee.com/docs/supported-currencies.html) also lists
 * MRO (Mauritanian Ouguiya); a site billing in it gets every money event quarantined.
 */
import { readFileSync } from "node:fs";
import { BillingEventSchema } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { chargebeeMoney, conversionNamesOf, parseChargebeeEvent } from "../src/index.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/review-h/${name}`, import.meta.url), "utf8");

describe("review-h: Chargebee's two-decimal scale for ISO three-decimal currencies", () => {
  it("reads a KWD payment of 12345 as KWD 123.45 (123450 fils), as Chargebee documents", () => {
    const event = parseChargebeeEvent(fixture("payment_succeeded.kwd-two-decimal.synthetic.json"));
    expect(BillingEventSchema.parse(event)).toEqual(event);
    expect(conversionNamesOf(event)).toEqual(["first_payment"]);
    expect(event.payment?.amount).toEqual({ amount: 123450, currency: "KWD" });
    expect(event.invoice?.total).toEqual({ amount: 123450, currency: "KWD" });
  });

  it.each(["BHD", "OMR", "JOD", "TND", "KWD"])(
    "chargebeeMoney(1999, %s) is 19.99 in the major unit (19990 ISO minor units)",
    (code) => {
      expect(chargebeeMoney(1999, code)).toEqual({ amount: 19990, currency: code });
    },
  );
});

describe("review-h: currencies Chargebee lists as supported", () => {
  it("accepts a payment_succeeded in MRO (listed on Chargebee's supported-currencies page)", () => {
    const body = fixture("payment_succeeded.mro.synthetic.json");
    let event: ReturnType<typeof parseChargebeeEvent> | undefined;
    expect(() => {
      event = parseChargebeeEvent(body);
    }).not.toThrow();
    expect(event?.payment?.amount.currency).toBe("MRO");
    expect(event?.payment?.amount.amount).toBe(12345);
  });
});
