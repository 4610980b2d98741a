/**
 * review-g: the commission event check (commission-event-check.ts:89-94) refuses a non-finite
 * subscriptionStartedAt, but takes any finite number: one beyond the Date range (|t| > 8.64e15 ms)
 * makes addMonthsUtc (time.ts:19) NaN, so `paidAt < NaN` is false and a `{ months: n }` rule journals
 * the payment "outside the rule's duration", silently: the NaN case review-f fixed, by another number.
 * paidAt itself must be a safe integer; subscriptionStartedAt is epoch ms as well. Fails on 61fce2b.
 */
import { type Money, MoneyError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import { type CommissionEvent, createCommissionLedger } from "../src/index.js";

const usd = (amount: number): Money => ({ amount, currency: "USD" });
const PAID_AT = 1_700_000_000_000;
const payment = {
  type: "payment",
  transactionId: "txn_1",
  amount: usd(1000),
  paidAt: PAID_AT,
  subscriptionId: "sub_1",
  referral: { partnerId: "p_1" },
} as const;

describe("review-g: a subscriptionStartedAt no Date can hold", () => {
  it.each([
    ["9e15 (past the Date range)", 9e15],
    ["-9e15", -9e15],
    ["Number.MAX_VALUE", Number.MAX_VALUE],
  ])("%s gets a TypeError, not a silent 'outside the rule's duration'", async (_label, start) => {
    const store = createMemoryStorage();
    const ledger = createCommissionLedger({
      store,
      rules: [{ percent: 30, duration: { months: 12 } }] as never,
    });
    const error = await ledger
      .record({ ...payment, subscriptionStartedAt: start } as CommissionEvent)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error instanceof TypeError || MoneyError.isInstance(error)).toBe(true);
    // today a ~journal entry is written: "no commission (outside the rule's duration)"
    expect(await store.listCommissions()).toHaveLength(0);
  });
});
