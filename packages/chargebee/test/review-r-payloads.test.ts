/**
 * Review R: held-out-style payloads (fixtures/review-r/*.synthetic.json, built from spec §2–§8 and
 * Chargebee's API docs) through the parser, checked against what the spec says it must produce.
 */
import { readFileSync } from "node:fs";
import { BillingEventSchema, toMajor, WebhookPayloadError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { conversionNamesOf, parseChargebeeEvent, parseRetentionEvent } from "../src/index.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/review-r/${name}`, import.meta.url), "utf8");
const parse = (name: string) => {
  const event = parseChargebeeEvent(fixture(name));
  expect(BillingEventSchema.parse(event)).toEqual(event);
  return event;
};

describe("review-r: currencies (spec §5)", () => {
  it("KRW is zero-decimal: 59000 is ₩59,000; a first invoice is a first payment", () => {
    const event = parse("payment_succeeded.krw.synthetic.json");
    expect(event.payment).toMatchObject({
      amount: { amount: 59000, currency: "KRW" },
      isFirstPayment: true,
      customerId: "cus_review_r1",
      subscriptionId: "sub_review_r1",
      invoiceId: "inv_review_r1",
    });
    expect(toMajor(event.payment?.amount ?? { amount: 0, currency: "KRW" })).toBe("59000");
    expect(event.subscription).toMatchObject({
      catalogModel: "items",
      planId: "PRO-KRW-Monthly",
      clickId: "clk_review_r1",
      affiliateRef: "partner-r1",
    });
    expect(conversionNamesOf(event)).toEqual(["first_payment"]);
  });

  it("JPY invoice_generated keeps whole yen and means nothing", () => {
    const event = parse("invoice_generated.jpy.synthetic.json");
    expect(event.invoice?.total).toEqual({ amount: 1500, currency: "JPY" });
    expect(conversionNamesOf(event)).toEqual([]);
  });

  it("BHD carries Chargebee's two decimals, held as ISO fils; a renewal is recurring", () => {
    const event = parse("payment_succeeded.bhd.synthetic.json");
    expect(event.payment?.amount).toEqual({ amount: 123450, currency: "BHD" });
    expect(toMajor(event.payment?.amount ?? { amount: 0, currency: "BHD" })).toBe("123.450");
    expect(conversionNamesOf(event)).toEqual(["recurring_payment"]);
  });

  it("Chargebee's maximum (2^53 − 1 cents) is kept in USD; in KWD it cannot be held and is refused", () => {
    const usd = parse("payment_succeeded.large-usd.synthetic.json");
    expect(usd.payment?.amount).toEqual({ amount: 9007199254740991, currency: "USD" });
    expect(() =>
      parseChargebeeEvent(fixture("payment_succeeded.large-kwd.synthetic.json")),
    ).toThrow(WebhookPayloadError);
  });
});

describe("review-r: lifecycle and refunds", () => {
  it("a partial refund with two credit notes is the refund transaction's amount", () => {
    const event = parse("payment_refunded.two-credit-notes.synthetic.json");
    expect(event.refund).toMatchObject({
      transactionId: "txn_review_r1_rf",
      refundedTransactionId: "txn_review_r1",
      amount: { amount: 1500, currency: "EUR" },
      creditNoteIds: ["CN-R-2", "CN-R-1"],
      invoiceId: "inv_review_r1",
      customerId: "cus_review_r1",
    });
    expect(conversionNamesOf(event)).toEqual(["refund"]);
  });

  it("subscription_cancelled keeps cancel_reason and cancel_reason_code apart", () => {
    const event = parse("subscription_cancelled.cancel-reason.synthetic.json");
    expect(event.subscription).toMatchObject({
      status: "cancelled",
      cancelReason: "not_paid",
      cancelReasonCode: "Too expensive",
      cancelledAt: 1733600000000,
    });
    expect(conversionNamesOf(event)).toEqual(["subscription_cancelled"]);
  });

  it("subscription_reactivated with an unpaid invoice is a win-back, not revenue", () => {
    const event = parse("subscription_reactivated.items.synthetic.json");
    expect(event.payment).toBeNull();
    expect(event.invoice?.amountPaid).toEqual({ amount: 0, currency: "USD" });
    expect(conversionNamesOf(event)).toEqual(["subscription_reactivated"]);
  });

  it("subscription_changed lists every item, a charge and a decimal-only addon included", () => {
    const event = parse("subscription_changed.items-added-removed.synthetic.json");
    expect(event.subscription?.items).toEqual([
      {
        id: "PRO-USD-Monthly",
        type: "plan",
        quantity: 3,
        unitPrice: { amount: 1900, currency: "USD" },
        amount: { amount: 5700, currency: "USD" },
      },
      {
        id: "onboarding-USD",
        type: "charge",
        quantity: 1,
        unitPrice: { amount: 5000, currency: "USD" },
        amount: { amount: 5000, currency: "USD" },
      },
      { id: "storage-USD-Monthly", type: "addon", quantity: 2.5, unitPrice: null, amount: null },
    ]);
    expect(event.subscription?.planQuantity).toBe(3);
  });

  it("customer_changed keeps cf_*/cs_* scalars (names with spaces too) and skips null and arrays", () => {
    const event = parse("customer_changed.custom-fields.synthetic.json");
    expect(event.customer?.customFields).toEqual({
      cf_click_id: "clk_review_r_cust",
      "cf_Lead Source": "google",
      cf_score: 4.5,
      cf_vip: true,
      cs_marketing: "granted",
    });
    expect(event.customer?.metaData).toEqual({ affiliate_ref: "partner-r-cust" });
    expect(conversionNamesOf(event)).toEqual(["customer_updated"]);
  });
});

describe("review-r: nulls, missing objects, unknown types", () => {
  it("null invoice, subscription and card on payment_succeeded: the payment is still read", () => {
    const event = parse("payment_succeeded.nulls.synthetic.json");
    expect(event.payment).toMatchObject({
      amount: { amount: 1900, currency: "USD" },
      customerId: "cus_review_r1",
      subscriptionId: "sub_review_r1",
      invoiceId: null,
      isFirstPayment: null,
    });
    expect(event.customer).toMatchObject({ email: null, billingAddress: null, metaData: null });
  });

  it("null subscription_items/addons/meta_data and a null customer on subscription_created", () => {
    const event = parse("subscription_created.nulls.synthetic.json");
    expect(event.subscription).toMatchObject({ items: [], planId: null, clickId: null });
    expect(event.customer).toBeNull();
    expect(conversionNamesOf(event)).toEqual(["subscription_created", "trial_started"]);
  });

  it("an uninterpreted type with content: null is acknowledged (envelope only)", () => {
    const event = parse("subscription_cancellation_scheduled.null-content.synthetic.json");
    expect(event).toMatchObject({ supported: false, subscription: null });
  });
});

describe("review-r: v1 payloads (spec §8)", () => {
  it("a v1 invoice starting at the trial's end is the first payment; the next term is a renewal", () => {
    const first = parse("payment_succeeded.v1-trial-first.synthetic.json");
    expect(first.apiVersion).toBe("v1");
    expect(first.payment).toMatchObject({
      amount: { amount: 3400, currency: "USD" },
      isFirstPayment: true,
      customerId: "cus_review_r_v1",
      invoiceId: "7",
    });
    expect(first.subscription).toMatchObject({
      catalogModel: "plans",
      planId: "basic",
      planQuantity: 3,
      customerId: "cus_review_r_v1",
      clickId: "clk_review_r_v1",
    });
    expect(first.invoice?.paidAt).toBe(1733600000000);
    const renewal = parse("payment_succeeded.v1-renewal.synthetic.json");
    expect(renewal.payment?.isFirstPayment).toBe(false);
    expect(conversionNamesOf(renewal)).toEqual(["recurring_payment"]);
  });
});

describe("review-r: Chargebee Retention", () => {
  it("identify: traits give the account, the billing id and the custom fields", () => {
    const event = parseRetentionEvent(fixture("retention_identify.synthetic.json"));
    expect(event).toMatchObject({
      call: "identify",
      type: "identify",
      supported: true,
      userId: "RvR0anon1",
      account: { internalId: "acct_r1", billingId: "cus_review_r1", value: 1900 },
      custom: { segment: "smb" },
    });
    expect(event.account.createdAt).toBe(1733600000000);
  });

  it("track cancel: survey answers, numeric created_at and unknown nested keys kept raw", () => {
    const event = parseRetentionEvent(fixture("retention_cancel.synthetic.json"));
    expect(event).toMatchObject({
      call: "track",
      type: "cancel",
      supported: true,
      funnelId: 901,
      survey: { reason: "too_expensive", sentiment: 2, confirmation: true },
    });
    expect(event.properties["some.future.key"]).toEqual({ nested: [1, 2] });
  });

  it("an unknown step with properties: null and no messageId is unsupported, not an error", () => {
    const event = parseRetentionEvent(fixture("retention_new-step.synthetic.json"));
    expect(event).toMatchObject({ type: "offer_viewed", supported: false, messageId: null });
  });
});
