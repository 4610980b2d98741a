import type { BillingSubscription, Conversion, Touchpoint } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  clickIdOf,
  contactSyncBody,
  firstTouchOf,
  formatDate,
  lifecycleState,
  mrrOf,
  nextBillingOf,
  orderSource,
  planRefund,
  present,
} from "./activecampaign-mapper.js";

const subscription = (changes: Partial<BillingSubscription> = {}): BillingSubscription => ({
  id: "sub_1",
  customerId: "cus_1",
  status: "active",
  catalogModel: "items",
  planId: "pro-USD-monthly",
  items: [
    {
      id: "pro-USD-monthly",
      type: "plan",
      quantity: 1,
      unitPrice: { amount: 4900, currency: "USD" },
      amount: { amount: 4900, currency: "USD" },
    },
    {
      id: "seats",
      type: "addon",
      quantity: 2,
      unitPrice: { amount: 500, currency: "USD" },
      amount: { amount: 1000, currency: "USD" },
    },
    {
      id: "setup",
      type: "charge",
      quantity: 1,
      unitPrice: { amount: 9900, currency: "USD" },
      amount: { amount: 9900, currency: "USD" },
    },
  ],
  currency: "USD",
  billingPeriod: 1,
  billingPeriodUnit: "month",
  trialStart: null,
  trialEnd: null,
  createdAt: null,
  startedAt: null,
  activatedAt: null,
  cancelledAt: null,
  cancelReason: null,
  cancelReasonCode: null,
  customFields: {},
  clickId: null,
  affiliateRef: null,
  metaData: null,
  resourceVersion: null,
  ...changes,
});

describe("mrrOf", () => {
  it("sums recurring items per month and ignores one-off charges", () => {
    expect(mrrOf(subscription())).toEqual({ amount: 5900, currency: "USD" });
    expect(mrrOf(subscription({ billingPeriod: 1, billingPeriodUnit: "year" }))).toEqual({
      amount: 492,
      currency: "USD",
    });
    expect(mrrOf(subscription({ billingPeriod: 3 }))).toEqual({ amount: 1967, currency: "USD" });
  });

  it("prefers Chargebee's own mrr when the subscription carries it, and has none when cancelled", () => {
    expect(
      mrrOf({ ...subscription(), mrr: { amount: 1234, currency: "EUR" } } as BillingSubscription),
    ).toEqual({ amount: 1234, currency: "EUR" });
    expect(mrrOf({ ...subscription(), mrr: 777 } as BillingSubscription)).toEqual({
      amount: 777,
      currency: "USD",
    });
    expect(mrrOf(subscription({ status: "cancelled" }))).toBeNull();
    expect(mrrOf(subscription({ billingPeriodUnit: "fortnight" }))).toBeNull();
    expect(mrrOf(null)).toBeNull();
  });
});

describe("values", () => {
  it("never gives a blank string", () => {
    expect([present(""), present("  "), present(null), present(0), present(" a ")]).toEqual([
      null,
      null,
      null,
      "0",
      "a",
    ]);
    const body = contactSyncBody(
      { email: "a@b.co", firstName: null, lastName: "", phone: null },
      new Map([
        ["PLAN", "pro"],
        ["UNKNOWN", "x"],
      ]),
      new Map([["PLAN", "12"]]),
    );
    expect(body).toEqual({
      contact: { email: "a@b.co", fieldValues: [{ field: "12", value: "pro" }] },
    });
  });

  it("formats dates as YYYY-MM-DD in UTC and reads the next billing date defensively", () => {
    expect(formatDate(Date.UTC(2026, 0, 31, 23, 59))).toBe("2026-01-31");
    expect(formatDate(null)).toBeNull();
    expect(nextBillingOf({ ...subscription(), currentTermEnd: 5 } as BillingSubscription)).toBe(5);
    expect(
      nextBillingOf({
        ...subscription(),
        nextBillingAt: 7,
        currentTermEnd: 5,
      } as BillingSubscription),
    ).toBe(7);
    expect(nextBillingOf(subscription())).toBeNull();
    expect(
      nextBillingOf({
        ...subscription({ status: "cancelled" }),
        nextBillingAt: 7,
      } as BillingSubscription),
    ).toBeNull();
  });

  it("maps every Chargebee status to a lifecycle state", () => {
    const states = [
      "future",
      "in_trial",
      "active",
      "non_renewing",
      "paused",
      "cancelled",
      "weird",
    ].map((status) => lifecycleState(subscription({ status })));
    expect(states).toEqual([
      "future",
      "trial",
      "active",
      "non-renewing",
      "paused",
      "cancelled",
      null,
    ]);
  });
});

describe("attribution", () => {
  const tp = (
    id: string,
    occurredAt: number,
    clickIds: Touchpoint["clickIds"] = {},
  ): Touchpoint => ({
    id,
    anonymousId: "a",
    occurredAt,
    clickIds,
    utm: {},
    channel: "direct",
  });
  it("takes the earliest first_touch credit only, and the ad click id before the affiliate's", () => {
    const conversion = {
      credits: [
        { model: "last_touch", touchpoint: tp("late", 1), share: 1, amount: null },
        { model: "first_touch", touchpoint: tp("b", 20), share: 0.5, amount: null },
        { model: "first_touch", touchpoint: tp("a", 10), share: 0.5, amount: null },
      ],
    } as unknown as Conversion;
    expect(firstTouchOf(conversion)?.id).toBe("a");
    expect(firstTouchOf({ credits: [] } as unknown as Conversion)).toBeNull();
    expect(clickIdOf(tp("x", 1, { affiliateRef: "ref", ttclid: "tt" }))).toBe("tt");
    expect(clickIdOf(tp("x", 1))).toBeNull();
  });
});

describe("orders", () => {
  it("is live for a day, then historical", () => {
    expect(orderSource(0, 86_400_000, 86_400_000)).toBe(1);
    expect(orderSource(0, 86_400_001, 86_400_000)).toBe(0);
  });

  it("applies a refund once, never below zero", () => {
    const order = {
      id: "1",
      externalid: "t",
      totalPrice: 500,
      discountAmount: 0,
      currency: "USD",
      orderDiscounts: [],
    };
    const first = planRefund(order, "r1", { amount: -300, currency: "USD" });
    expect(first).toEqual({
      kind: "update",
      body: {
        ecomOrder: {
          totalPrice: 200,
          discountAmount: 300,
          orderDiscounts: [{ name: "refund r1", type: "order", discountAmount: 300 }],
        },
      },
    });
    const after = {
      ...order,
      totalPrice: 200,
      discountAmount: 300,
      orderDiscounts: [{ name: "refund r1", type: "order", discountAmount: 300 }],
    };
    expect(planRefund(after, "r1", { amount: 300, currency: "USD" }).kind).toBe("already");
    const second = planRefund(after, "r2", { amount: 999, currency: "USD" });
    expect(second.kind === "update" && second.body.ecomOrder.totalPrice).toBe(0);
    expect(second.kind === "update" && second.body.ecomOrder.discountAmount).toBe(500);
  });
});
