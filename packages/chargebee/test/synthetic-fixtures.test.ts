/**
 * The hand-made fixtures (SYNTHETIC.md): cases no public payload shows.
 */
import { BillingEventSchema, toMajor } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { isEventType, parseChargebeeEvent } from "../src/index.js";
import { fixtureText, SYNTHETIC_FIXTURES } from "./fixtures/index.js";

const parse = (name: string) => {
  const event = parseChargebeeEvent(fixtureText(name));
  expect(BillingEventSchema.parse(event)).toEqual(event);
  return event;
};

describe("synthetic Chargebee fixtures", () => {
  it("all produce valid BillingEvents", () => {
    expect(SYNTHETIC_FIXTURES.length).toBe(10);
    for (const name of SYNTHETIC_FIXTURES) parse(name);
  });

  it("Items-model payment_succeeded carries cf_click_id, the affiliate ref and the items", () => {
    const event = parse("payment_succeeded.items-click-id.synthetic.json");
    expect(event.payment).toEqual({
      transactionId: "txn_synthetic_items_1",
      customerId: "user_4711",
      invoiceId: "inv_9001",
      subscriptionId: "sub_synthetic_items_1",
      amount: { amount: 4900, currency: "EUR" },
      isFirstPayment: true,
      isRecurring: true,
      status: "success",
      gateway: "stripe",
      paymentMethod: "card",
      paidAt: 1717199998000,
      errorCode: null,
      exchangeRate: null,
      baseCurrencyCode: null,
    });
    expect(event.subscription).toMatchObject({
      catalogModel: "items",
      planId: "PRO-EUR-Monthly",
      clickId: "clk_8Jd2kQ",
      affiliateRef: "partner-42",
      customFields: { cf_click_id: "clk_8Jd2kQ" },
      currency: "EUR",
      resourceVersion: 1717199999456,
      items: [
        {
          id: "PRO-EUR-Monthly",
          type: "plan",
          quantity: 1,
          unitPrice: { amount: 3900, currency: "EUR" },
          amount: { amount: 3900, currency: "EUR" },
        },
        {
          id: "extra-seats-EUR-Monthly",
          type: "addon",
          quantity: 2,
          unitPrice: { amount: 500, currency: "EUR" },
          amount: { amount: 1000, currency: "EUR" },
        },
      ],
    });
    expect(event.customer).toMatchObject({
      email: "ada@example.com",
      phone: "+49 30 1234567",
      billingAddress: { country: "DE", city: "Berlin" },
    });
  });

  it("JPY amounts are whole yen (zero-decimal, spec §5)", () => {
    const event = parse("payment_succeeded.jpy.synthetic.json");
    expect(event.payment?.amount).toEqual({ amount: 1500, currency: "JPY" });
    expect(toMajor(event.payment?.amount ?? { amount: 0, currency: "JPY" })).toBe("1500");
    expect(event.payment?.isFirstPayment).toBe(false);
    expect(event.subscription?.items[0]?.unitPrice).toEqual({ amount: 1500, currency: "JPY" });
  });

  it("KWD amounts carry Chargebee's two decimals, kept as ISO fils", () => {
    const event = parse("payment_succeeded.kwd.synthetic.json");
    expect(event.payment?.amount).toEqual({ amount: 123450, currency: "KWD" });
    expect(toMajor(event.payment?.amount ?? { amount: 0, currency: "KWD" })).toBe("123.450");
    expect(event.invoice?.total).toEqual({ amount: 123450, currency: "KWD" });
    expect(event.customer).toBeNull();
    expect(event.subscription).toBeNull();
  });

  it("a partial refund keeps its own amount and links the original payment", () => {
    const event = parse("payment_refunded.partial.synthetic.json");
    expect(event.refund).toEqual({
      transactionId: "txn_synthetic_refund_1",
      customerId: "user_4711",
      refundedTransactionId: "txn_synthetic_items_1",
      invoiceId: "inv_9001",
      subscriptionId: "sub_synthetic_items_1",
      amount: { amount: 1500, currency: "EUR" },
      creditNoteIds: ["CN-77"],
      refundedAt: 1717500000000,
      transactionType: "refund",
      status: "success",
      exchangeRate: null,
      baseCurrencyCode: null,
    });
    expect(event.payment).toBeNull();
    expect(event.creditNote?.reasonCode).toBe("product_unsatisfactory");
  });

  it("numeric and boolean cf_* values are kept with their types; null ones are dropped", () => {
    const event = parse("subscription_created.custom-fields.synthetic.json");
    expect(event.subscription?.customFields).toEqual({
      cf_click_id: 987654321,
      cf_seats_promised: 12,
      cf_discount_rate: 0.15,
      cf_is_partner_deal: true,
      cf_channel: "tiktok",
      cs_marketing_consent: false,
    });
    expect(event.subscription?.clickId).toBe("987654321");
    expect(event.subscription?.affiliateRef).toBe("77");
    expect(event.subscription?.trialStart).toBe(1717600000000);
    expect(event.subscription?.trialEnd).toBe(1718809600000);
    expect(event.customer?.customFields).toEqual({ cf_vip: false, cf_pet_age: 4 });
    // Trimmed, case kept: normalization for hashing is @revtrace/identity's job.
    expect(event.customer?.email).toBe("Grace@Example.COM");
  });

  it("falls back to billing_address.email before contacts", () => {
    const event = parse("customer_created.billing-email.synthetic.json");
    expect(event.customer).toMatchObject({
      email: "billing@acme.example",
      emailSource: "billing_address",
      company: "Acme GmbH",
      billingAddress: {
        firstName: "Linus",
        lastName: "Example",
        email: "billing@acme.example",
        line1: "Hauptstr. 1",
        city: "Munich",
        zip: "80331",
        country: "DE",
      },
    });
  });

  it("falls back to the first contact email when neither customer nor billing address has one", () => {
    const body = JSON.parse(fixtureText("customer_created.billing-email.synthetic.json"));
    delete body.content.customer.billing_address.email;
    body.content.customer.contacts = [{ email: " " }, { email: "ops@acme.example" }];
    const event = parseChargebeeEvent(body);
    expect(event.customer?.email).toBe("ops@acme.example");
    expect(event.customer?.emailSource).toBe("contact");
  });

  it("a compat site sending both shapes is read from subscription_items", () => {
    const event = parse("subscription_changed.compat.synthetic.json");
    expect(event.subscription).toMatchObject({
      catalogModel: "items",
      planId: "legacy-pro-GBP-Monthly",
      items: [
        { id: "legacy-pro-GBP-Monthly", type: "plan", quantity: 1 },
        {
          id: "setup-GBP",
          type: "charge",
          quantity: 1,
          unitPrice: { amount: 1000, currency: "GBP" },
          amount: null,
        },
      ],
    });
  });

  it("a payment_reversal (chargeback) is money going back, never a payment", () => {
    const event = parse("transaction_created.payment-reversal.synthetic.json");
    expect(event.payment).toBeNull();
    expect(event.refund).toEqual({
      transactionId: "txn_synthetic_reversal_1",
      customerId: "cus_synthetic_items_1",
      refundedTransactionId: "txn_synthetic_payment_1",
      invoiceId: null,
      subscriptionId: "sub_synthetic_items_1",
      amount: { amount: 5000, currency: "USD" },
      creditNoteIds: [],
      refundedAt: 1717999990000,
      transactionType: "payment_reversal",
      status: "success",
      exchangeRate: 1,
      baseCurrencyCode: "USD",
    });
  });

  it("an authorization moves no money: neither payment nor refund", () => {
    const event = parse("transaction_created.authorization.synthetic.json");
    expect(event).toMatchObject({
      id: "ev_synthetic_authorization_1",
      type: "transaction_created",
      supported: true,
      payment: null,
      failedPayment: null,
      refund: null,
      invoice: null,
      customer: null,
      subscription: null,
    });
  });

  it("an unknown event type is returned unsupported, with only the envelope", () => {
    const event = parse("unknown_event.synthetic.json");
    expect(event).toEqual({
      id: "ev_synthetic_unknown_1",
      type: "feature_activated",
      supported: false,
      occurredAt: 1717800000000,
      source: "system",
      apiVersion: "v2",
      customer: null,
      subscription: null,
      subscriptions: null,
      payment: null,
      failedPayment: null,
      refund: null,
      invoice: null,
      creditNote: null,
    });
    expect(isEventType(event, "payment_succeeded")).toBe(false);
  });
});
