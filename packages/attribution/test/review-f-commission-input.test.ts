/**
 * review-f: malformed commission events that the ledger accepts silently (or refuses only as a
 * StorageError from the store) although they decide money. README "Errors": a malformed commission
 * event gets a TypeError named by field, before any store call; money that is not Money gets a
 * MoneyError. Each case below is written, or changes the outcome, without any error today.
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

async function refusal(rules: unknown[], before: unknown[], bad: unknown) {
  const store = createMemoryStorage();
  const ledger = createCommissionLedger({ store, rules: rules as never });
  for (const event of before) await ledger.record(event as CommissionEvent);
  const stored = (await store.listCommissions()).length;
  const error = await ledger.record(bad as CommissionEvent).then(
    (result) => ({ accepted: result }),
    (e: unknown) => e,
  );
  return { error, added: (await store.listCommissions()).length - stored };
}

const typed = (error: unknown) => error instanceof TypeError || MoneyError.isInstance(error);

describe("review-f: malformed commission events get typed errors, and write nothing", () => {
  const cases: Array<[string, unknown[], unknown[], unknown]> = [
    // a 1-based number: #0 and #-1 earn under { payments: 1 } today
    [
      "paymentNumber 0",
      [{ percent: 30, duration: { payments: 1 } }],
      [],
      { ...payment, paymentNumber: 0 },
    ],
    [
      "paymentNumber -1",
      [{ percent: 30, duration: { payments: 1 } }],
      [],
      { ...payment, paymentNumber: -1 },
    ],
    // silently journaled as "outside the rule's duration": the partner never earns
    [
      "paymentNumber NaN",
      [{ percent: 30, duration: { payments: 3 } }],
      [],
      { ...payment, paymentNumber: Number.NaN },
    ],
    [
      "paymentNumber 1.5",
      [{ percent: 30, duration: { payments: 3 } }],
      [],
      { ...payment, paymentNumber: 1.5 },
    ],
    [
      "subscriptionStartedAt NaN",
      [{ percent: 30, duration: { months: 12 } }],
      [],
      { ...payment, subscriptionStartedAt: Number.NaN },
    ],
    [
      "subscriptionStartedAt a string",
      [{ percent: 30, duration: { months: 12 } }],
      [],
      { ...payment, subscriptionStartedAt: "2023-11-01" },
    ],
    // refused only by the store, as StorageError (storage_failed), not by the ledger
    [
      "subscriptionId holding U+0000",
      [{ percent: 30 }],
      [],
      { ...payment, subscriptionId: "sub\u0000" },
    ],
    ["customerId a number", [{ percent: 30 }], [], { ...payment, customerId: 42 }],
    // silently nothing: no entry, no error
    ["a negative payment amount", [{ percent: 30 }], [], { ...payment, amount: usd(-1000) }],
    // journaled as "USD -5.00 refunded"
    [
      "a negative refund amount",
      [{ percent: 30 }],
      [payment],
      {
        type: "refund",
        transactionId: "rf_1",
        refundedTransactionId: "txn_1",
        amount: usd(-500),
        refundedAt: PAID_AT + 5,
      },
    ],
    // a payout in currency XYZ or "usd" pays nothing, silently
    [
      "a payout in currency XYZ",
      [{ percent: 30, holdMs: 0 }],
      [payment],
      { type: "payout", payoutId: "po_1", partnerId: "p_1", paidAt: PAID_AT + 10, currency: "XYZ" },
    ],
    [
      "a payout in lower-case currency usd",
      [{ percent: 30, holdMs: 0 }],
      [payment],
      { type: "payout", payoutId: "po_1", partnerId: "p_1", paidAt: PAID_AT + 10, currency: "usd" },
    ],
  ];

  it.each(cases)("%s", async (_label, rules, before, bad) => {
    const { error, added } = await refusal(rules, before, bad);
    expect(
      typed(error),
      `got ${String((error as Error)?.constructor?.name)}: ${String((error as Error)?.message ?? JSON.stringify(error)).slice(0, 200)}`,
    ).toBe(true);
    expect(added).toBe(0);
  });
});

/*
 * review-g: the commission event check (commission-event-check.ts:89-94) refuses a non-finite
 * subscriptionStartedAt, but takes any finite number: one beyond the Date range (|t| > 8.64e15 ms)
 * makes addMonthsUtc (time.ts:19) NaN, so `paidAt < NaN` is false and a `{ months: n }` rule journals
 * the payment "outside the rule's duration", silently: the NaN case review-f fixed, by another number.
 * paidAt itself must be a safe integer; subscriptionStartedAt is epoch ms as well. Fails on 61fce2b.
 */
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
