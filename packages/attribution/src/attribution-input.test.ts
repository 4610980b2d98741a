import { describe, expect, it } from "vitest";
import { day, paymentEvent, refundEvent, tp, usd } from "../test/fixtures.js";
import { attribute } from "./attribution-engine.js";
import {
  conversionFromBillingEvent,
  originalConversionTime,
  resolveInput,
} from "./attribution-input.js";

describe("conversionFromBillingEvent", () => {
  it("takes a first payment's amount, time, click id and ref; it is its own original conversion", () => {
    const event = paymentEvent({
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(10),
      isFirstPayment: true,
      subscription: { clickId: "clk_1", affiliateRef: "alice" },
    });
    expect(conversionFromBillingEvent(event)).toEqual({
      occurredAt: day(10),
      value: usd(4900),
      clickId: "clk_1",
      affiliateRef: "alice",
      originalOccurredAt: null,
    });
  });

  it("anchors a renewal at the subscription's activation (else start, else creation)", () => {
    const renewal = (subscription: Parameters<typeof paymentEvent>[0]["subscription"]) =>
      paymentEvent({
        transactionId: "txn_2",
        amount: usd(4900),
        paidAt: day(40),
        isFirstPayment: false,
        subscription,
      });
    expect(conversionFromBillingEvent(renewal({ activatedAt: day(12) })).originalOccurredAt).toBe(
      day(12),
    );
    expect(originalConversionTime(renewal({ activatedAt: null, startedAt: day(11) }))).toBe(
      day(11),
    );
    expect(
      originalConversionTime(renewal({ activatedAt: null, startedAt: null, createdAt: day(9) })),
    ).toBe(day(9));
  });

  it("turns a refund into a negative value at the refund's time, anchored at the original conversion", () => {
    const event = refundEvent({
      transactionId: "txn_r",
      refundedTransactionId: "txn_1",
      amount: usd(1000),
      refundedAt: day(20),
    });
    expect(conversionFromBillingEvent(event)).toEqual({
      occurredAt: day(20),
      value: usd(-1000),
      clickId: null,
      affiliateRef: null,
      originalOccurredAt: day(10),
    });
  });

  it("falls back to the invoice's paid amount, and to a null value", () => {
    const base = paymentEvent({
      transactionId: "t",
      amount: usd(1),
      paidAt: day(1),
      isFirstPayment: true,
    });
    const invoice = {
      id: "inv_1",
      customerId: null,
      subscriptionId: null,
      status: "paid",
      total: usd(700),
      amountPaid: usd(700),
      amountDue: null,
      firstInvoice: true,
      recurring: false,
      date: day(2),
      paidAt: day(3),
      periodStart: null,
      periodEnd: null,
      dunningStatus: null,
      nextRetryAt: null,
      exchangeRate: null,
      baseCurrencyCode: null,
    };
    expect(conversionFromBillingEvent({ ...base, payment: null, invoice })).toMatchObject({
      value: usd(700),
      occurredAt: day(3),
    });
    expect(conversionFromBillingEvent({ ...base, payment: null, subscription: null })).toEqual({
      occurredAt: base.occurredAt,
      value: null,
      clickId: null,
      affiliateRef: null,
      originalOccurredAt: null,
    });
  });
});

describe("the first payment and its renewals share one anchor", () => {
  it("anchors both at the subscription's activation, so they credit the same touchpoints", () => {
    // Activated on day 10, first paid on day 12 (e.g. an invoice paid late), renewed on day 42. The
    // visit on day 11 came after the conversion: neither payment credits it.
    const subscription = { activatedAt: day(10) };
    const first = paymentEvent({
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(12),
      isFirstPayment: true,
      subscription,
    });
    const renewal = paymentEvent({
      transactionId: "txn_2",
      amount: usd(4900),
      paidAt: day(42),
      isFirstPayment: false,
      subscription,
    });
    const path = [tp("before", 5), tp("between", 11)];
    const options = { models: ["last_touch" as const] };
    const credited = (event: typeof first) =>
      attribute(conversionFromBillingEvent(event), path, options).credits.map(
        (c) => c.touchpoint.id,
      );
    expect(conversionFromBillingEvent(first).originalOccurredAt).toBe(day(10));
    expect(credited(first)).toEqual(["before"]);
    expect(credited(renewal)).toEqual(["before"]);
    const explained = attribute(
      { occurredAt: day(12), value: usd(1), billingEvent: first },
      path,
      options,
    );
    expect(explained.models[0]?.explanation.excluded).toEqual([
      { touchpointId: "between", occurredAt: day(11), reason: "after_original_conversion" },
    ]);
  });
});

describe("resolveInput", () => {
  it("prefers explicit fields (null included) over the billing event", () => {
    const billingEvent = paymentEvent({
      transactionId: "txn_2",
      amount: usd(4900),
      paidAt: day(40),
      isFirstPayment: false,
      subscription: { clickId: "clk_1", affiliateRef: "alice" },
    });
    expect(resolveInput({ occurredAt: day(40), value: usd(1), billingEvent })).toEqual({
      occurredAt: day(40),
      value: usd(1),
      clickId: "clk_1",
      affiliateRef: "alice",
      originalOccurredAt: day(10),
    });
    expect(
      resolveInput({
        occurredAt: day(40),
        value: usd(1),
        billingEvent,
        clickId: null,
        affiliateRef: "bob",
        originalOccurredAt: null,
      }),
    ).toEqual({
      occurredAt: day(40),
      value: usd(1),
      clickId: null,
      affiliateRef: "bob",
      originalOccurredAt: null,
    });
  });
});
