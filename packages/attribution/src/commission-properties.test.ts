import type { Commission } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { day } from "../test/fixtures.js";
import { commissionBalances } from "./commission-balances.js";
import { commissionEntries } from "./commission-entries.js";
import type { CommissionEvent, CommissionPayment, CommissionRefund } from "./commission-events.js";
import {
  type CommissionPolicy,
  type CommissionRuleOptions,
  createCommissionPolicy,
} from "./commission-policy.js";
import { JOURNAL_PARTNER_ID } from "./ledger-index.js";
import { days } from "./time.js";

const currency = fc.constantFrom("USD", "JPY", "KWD");

const rule: fc.Arbitrary<CommissionRuleOptions> = fc
  .record({
    partnerId: fc.constantFrom(null, "alice"),
    kind: fc.constantFrom("percent", "flat"),
    percent: fc.integer({ min: 1, max: 1_000_000 }).map((p) => p / 10_000),
    flat: fc.integer({ min: 1, max: 10_000 }),
    duration: fc.constantFrom<CommissionRuleOptions["duration"]>(
      "lifetime",
      "first_payment",
      { months: 2 },
      { payments: 2 },
    ),
    trialPayments: fc.constantFrom("skip" as const, "earn" as const),
    holdDays: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ partnerId, kind, percent, flat, duration, trialPayments, holdDays }) => ({
    partnerId,
    ...(kind === "percent"
      ? { percent }
      : { flat: ["USD", "JPY", "KWD"].map((c) => ({ amount: flat, currency: c })) }),
    duration,
    trialPayments,
    holdMs: days(holdDays),
  }));

const policy: fc.Arbitrary<CommissionPolicy> = fc
  .uniqueArray(rule, { minLength: 1, maxLength: 2, selector: (r) => r.partnerId })
  .map((rules) => createCommissionPolicy({ rules }));

/** A payment and the refunds of it (summing to at most its amount; to exactly it when `full`). */
const paymentWithRefunds = fc.record({
  amount: fc.integer({ min: 0, max: 5_000_000 }),
  currency,
  paidDay: fc.integer({ min: 0, max: 120 }),
  number: fc.integer({ min: 1, max: 4 }),
  partner: fc.constantFrom("alice", "bob", null),
  cuts: fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 4 }),
  full: fc.boolean(),
  refundDelay: fc.integer({ min: 0, max: 60 }),
});

const stream = fc.array(paymentWithRefunds, { maxLength: 8 }).map((payments) => {
  const events: CommissionEvent[] = [];
  payments.forEach((p, i) => {
    const transactionId = `txn_${i}`;
    const payment: CommissionPayment = {
      type: "payment",
      transactionId,
      amount: { amount: p.amount, currency: p.currency },
      paidAt: day(p.paidDay),
      subscriptionId: `sub_${i % 3}`,
      customerId: `cus_${i % 3}`,
      isFirstPayment: p.number === 1,
      paymentNumber: p.number,
      subscriptionStartedAt: day(0),
      referral: p.partner === null ? null : { partnerId: p.partner },
    };
    events.push(payment);
    // Split the amount (or a part of it) into refunds in proportion to `cuts`.
    const total = p.cuts.reduce((a, b) => a + b, 0);
    const target = p.full ? p.amount : Math.floor(p.amount / 2);
    let given = 0;
    p.cuts.forEach((cut, k) => {
      const amount = k === p.cuts.length - 1 ? target - given : Math.floor((target * cut) / total);
      given += amount;
      if (amount <= 0) return;
      const refund: CommissionRefund = {
        type: "refund",
        transactionId: `re_${i}_${k}`,
        refundedTransactionId: transactionId,
        amount: { amount, currency: p.currency },
        refundedAt: day(p.paidDay + p.refundDelay + k),
      };
      events.push(refund);
    });
  });
  return events;
});

function replay(events: readonly CommissionEvent[], p: CommissionPolicy): Commission[] {
  const ledger: Commission[] = [];
  for (const event of events) ledger.push(...commissionEntries(ledger, event, p));
  return ledger;
}

const byKey = (ledger: readonly Commission[]) =>
  ledger.slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const ledgerEntries = (ledger: readonly Commission[]) =>
  ledger.filter((e) => e.partnerId !== JOURNAL_PARTNER_ID);

describe("commission ledger properties", () => {
  it("duplicate and shuffled event streams give identical ledgers", () => {
    const scenario = fc.tuple(policy, stream).chain(([p, events]) =>
      fc
        .tuple(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.nat(), { maxLength: 6 }),
        )
        .map(([shuffled, duplicates]) => {
          const noisy = shuffled.slice();
          for (const d of duplicates)
            if (events.length > 0)
              noisy.splice(d % (noisy.length + 1), 0, events[d % events.length] as CommissionEvent);
          return { p, events, noisy };
        }),
    );
    fc.assert(
      fc.property(scenario, ({ p, events, noisy }) => {
        expect(byKey(replay(noisy, p))).toEqual(byKey(replay(events, p)));
      }),
      { numRuns: 300 },
    );
  });

  it("balances equal the sum of the entries, with payouts at random times", () => {
    const scenario = fc.tuple(
      policy,
      stream,
      fc.array(fc.integer({ min: 0, max: 250 }), { maxLength: 4 }),
      fc.integer({ min: 0, max: 300 }),
    );
    fc.assert(
      fc.property(scenario, ([p, events, payoutDays, asOfDay]) => {
        const all: CommissionEvent[] = [...events];
        payoutDays.forEach((d, i) => {
          for (const partnerId of ["alice", "bob"])
            all.push({ type: "payout", payoutId: `po_${i}`, partnerId, paidAt: day(d) });
        });
        all.sort((a, b) => time(a) - time(b));
        const ledger = replay(all, p);
        for (const balance of commissionBalances(ledger, { asOf: day(asOfDay) })) {
          const mine = ledgerEntries(ledger).filter(
            (e) =>
              e.partnerId === balance.partnerId &&
              e.amount.currency === balance.currency &&
              e.occurredAt <= day(asOfDay),
          );
          const sum = (kind: Commission["kind"]) =>
            mine.filter((e) => e.kind === kind).reduce((s, e) => s + e.amount.amount, 0);
          expect(balance.pending.amount + balance.payable.amount).toBe(
            sum("earned") + sum("reversed") + sum("clawback") - sum("paid"),
          );
          expect(balance.paid.amount).toBe(sum("paid"));
          expect(balance.clawedBack.amount).toBe(0 - sum("clawback"));
          expect(balance.pending.amount).toBeGreaterThanOrEqual(0);
        }
        for (const entry of ledger) expect(Number.isSafeInteger(entry.amount.amount)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("partial refunds sum back to the original commission, and never exceed it", () => {
    fc.assert(
      fc.property(policy, stream, (p, events) => {
        const ledger = replay(events, p);
        for (const earned of ledgerEntries(ledger).filter((e) => e.kind === "earned")) {
          const txn = earned.transactionId as string;
          const reversals = ledger.filter(
            (e) =>
              e.transactionId === txn &&
              (e.kind === "reversed" || e.kind === "clawback") &&
              e.partnerId !== JOURNAL_PARTNER_ID,
          );
          const reversed = -reversals.reduce((s, e) => s + e.amount.amount, 0);
          const refunded = events
            .filter(
              (e): e is CommissionRefund => e.type === "refund" && e.refundedTransactionId === txn,
            )
            .reduce((s, e) => s + e.amount.amount, 0);
          const paymentAmount = (earned.baseAmount as { amount: number }).amount;
          expect(reversed).toBeLessThanOrEqual(earned.amount.amount);
          if (refunded === paymentAmount && refunded > 0)
            expect(reversed).toBe(earned.amount.amount);
          // Each reversal is at most its refund's share at the original payment's rate.
          for (const r of reversals.filter((e) => e.key.startsWith("reversal:"))) {
            const refundAmount = (r.baseAmount as { amount: number }).amount;
            expect(-r.amount.amount * paymentAmount).toBeLessThanOrEqual(
              earned.amount.amount * refundAmount,
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Streams as they come from Chargebee through `commissionEventFromBillingEvent`: no `paymentNumber`,
 * only `isFirstPayment` (the subscription's first invoice). Days are unique per subscription.
 */
const unnumberedStream = fc
  .uniqueArray(
    fc.record({
      sub: fc.integer({ min: 0, max: 2 }),
      paidDay: fc.integer({ min: 0, max: 200 }),
      amount: fc.integer({ min: 1, max: 5_000_000 }),
      partner: fc.constantFrom("alice", "bob", null),
      refund: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
      refundDelay: fc.integer({ min: -5, max: 40 }),
    }),
    { maxLength: 9, selector: (p) => `${p.sub}:${p.paidDay}` },
  )
  .map((payments) => {
    const first = new Map<number, number>();
    for (const p of payments) first.set(p.sub, Math.min(first.get(p.sub) ?? p.paidDay, p.paidDay));
    const events: CommissionEvent[] = [];
    payments.forEach((p, i) => {
      events.push({
        type: "payment",
        transactionId: `txn_${i}`,
        amount: { amount: p.amount, currency: "USD" },
        paidAt: day(p.paidDay),
        subscriptionId: `sub_${p.sub}`,
        customerId: `cus_${p.sub}`,
        isFirstPayment: first.get(p.sub) === p.paidDay,
        paymentNumber: null,
        subscriptionStartedAt: day(0),
        referral: p.partner === null ? null : { partnerId: p.partner },
      });
      if (p.refund !== null)
        events.push({
          type: "refund",
          transactionId: `re_${i}`,
          refundedTransactionId: `txn_${i}`,
          amount: { amount: Math.ceil((p.amount * p.refund) / 100), currency: "USD" },
          refundedAt: day(p.paidDay + p.refundDelay),
        });
    });
    return events;
  });

const orderFreeRule: fc.Arbitrary<CommissionRuleOptions> = fc.record({
  percent: fc.integer({ min: 1, max: 1_000_000 }).map((p) => p / 10_000),
  duration: fc.constantFrom<CommissionRuleOptions["duration"]>(
    "lifetime",
    "first_payment",
    { payments: 1 },
    { months: 2 },
  ),
  trialPayments: fc.constantFrom("skip" as const, "earn" as const),
  minimumPayment: fc.constantFrom(null, [{ amount: 50_000, currency: "USD" }]),
});

describe("commission ledger properties without payment numbers", () => {
  it("isFirstPayment alone gives identical ledgers in any order, and pays only first payments once", () => {
    const scenario = fc.tuple(orderFreeRule, unnumberedStream).chain(([r, events]) =>
      fc
        .tuple(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          fc.array(fc.nat(), { maxLength: 4 }),
        )
        .map(([shuffled, duplicates]) => {
          const noisy = shuffled.slice();
          for (const d of duplicates)
            if (events.length > 0)
              noisy.splice(d % (noisy.length + 1), 0, events[d % events.length] as CommissionEvent);
          return { r, events, noisy };
        }),
    );
    fc.assert(
      fc.property(scenario, ({ r, events, noisy }) => {
        const p = createCommissionPolicy({ rules: [r] });
        const ledger = replay(events, p);
        expect(byKey(replay(noisy, p))).toEqual(byKey(ledger));
        if (
          r.duration === "first_payment" ||
          (typeof r.duration === "object" && "payments" in r.duration)
        ) {
          const firsts = new Set(
            events
              .filter(
                (e): e is CommissionPayment => e.type === "payment" && e.isFirstPayment === true,
              )
              .map((e) => e.transactionId),
          );
          for (const e of ledger.filter((e) => e.kind === "earned" && e.amount.amount > 0))
            expect(firsts.has(e.transactionId as string)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function time(event: CommissionEvent): number {
  return event.type === "payment"
    ? event.paidAt
    : event.type === "refund"
      ? event.refundedAt
      : event.paidAt;
}
