import { type Commission, type Money, MoneyError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { day, paymentEvent, refundEvent, usd } from "../test/fixtures.js";
import { commissionBalances } from "./commission-balances.js";
import { commissionEntries, isSkippedRefund } from "./commission-entries.js";
import {
  type CommissionEvent,
  type CommissionPayment,
  type CommissionRefund,
  commissionEventFromBillingEvent,
} from "./commission-events.js";
import { type CommissionPolicyOptions, createCommissionPolicy } from "./commission-policy.js";
import { JOURNAL_PARTNER_ID } from "./ledger-index.js";
import { days } from "./time.js";

const thirty = createCommissionPolicy({ rules: [{ percent: 30 }] });

function replay(
  events: readonly CommissionEvent[],
  policy = thirty,
  start: readonly Commission[] = [],
): Commission[] {
  const ledger = [...start];
  for (const event of events) ledger.push(...commissionEntries(ledger, event, policy));
  return ledger;
}

const pay = (
  transactionId: string,
  amount: Money,
  paidAt: number,
  fields: Partial<CommissionPayment> = {},
): CommissionPayment => ({
  type: "payment",
  transactionId,
  amount,
  paidAt,
  subscriptionId: "sub_1",
  customerId: "cus_1",
  referral: { partnerId: "alice" },
  ...fields,
});
const refund = (
  transactionId: string,
  refundedTransactionId: string,
  amount: Money,
  refundedAt: number,
): CommissionRefund => ({
  type: "refund",
  transactionId,
  refundedTransactionId,
  amount,
  refundedAt,
});
const amounts = (ledger: readonly Commission[]) =>
  ledger
    .filter((e) => e.partnerId !== JOURNAL_PARTNER_ID)
    .map((e) => [e.key, e.kind, e.amount.amount]);
const earnedOn = (events: readonly CommissionEvent[], options: CommissionPolicyOptions) =>
  amounts(replay(events, createCommissionPolicy(options)));

describe("earning", () => {
  it("earns a percent of the payment in its currency, with a key from the transaction id", () => {
    expect(commissionEntries([], pay("txn_1", usd(9900), day(1)), thirty)).toEqual([
      {
        key: "earned:txn_1",
        partnerId: "alice",
        programId: null,
        kind: "earned",
        amount: usd(2970),
        transactionId: "txn_1",
        refundTransactionId: null,
        subscriptionId: "sub_1",
        customerId: "cus_1",
        occurredAt: day(1),
        note: "30% of USD 99.00 (half-up), rule any-partner/any-program",
        baseAmount: usd(9900),
        payableAt: day(31),
        payoutId: null,
      },
    ]);
  });

  it("never double-counts a duplicate or replayed payment", () => {
    const ledger = replay([pay("txn_1", usd(9900), day(1))]);
    expect(commissionEntries(ledger, pay("txn_1", usd(9900), day(1)), thirty)).toEqual([]);
    expect(commissionEntries(ledger, pay("txn_1", usd(1), day(2)), thirty)).toEqual([]);
  });

  it("earns nothing without a referral or a matching rule", () => {
    expect(
      commissionEntries([], pay("txn_1", usd(9900), day(1), { referral: null }), thirty),
    ).toEqual([]);
    const reserved = pay("txn_1", usd(9900), day(1), {
      referral: { partnerId: JOURNAL_PARTNER_ID },
    });
    expect(commissionEntries([], reserved, thirty)).toEqual([]);
    const onlyBob = createCommissionPolicy({ rules: [{ partnerId: "bob", percent: 30 }] });
    expect(commissionEntries([], pay("txn_1", usd(9900), day(1)), onlyBob)).toEqual([]);
  });

  it("rounds as the rule says (half-up by default)", () => {
    // 30% of USD 3.33 = 99.9 cents; 12.5% of USD 0.20 = 2.5 cents.
    expect(earnedOn([pay("t", usd(333), day(1))], { rules: [{ percent: 30 }] })).toEqual([
      ["earned:t", "earned", 100],
    ]);
    expect(
      earnedOn([pay("t", usd(333), day(1))], { rules: [{ percent: 30, rounding: "floor" }] }),
    ).toEqual([["earned:t", "earned", 99]]);
    expect(
      earnedOn([pay("t", usd(20), day(1))], { rules: [{ percent: 12.5, rounding: "half-even" }] }),
    ).toEqual([["earned:t", "earned", 2]]);
  });

  it("pays a flat amount in the payment's currency, and nothing in a currency without one", () => {
    const flat = { rules: [{ flat: [usd(500), { amount: 450, currency: "EUR" }] }] };
    expect(
      replay(
        [
          pay("t1", { amount: 9900, currency: "EUR" }, day(1)),
          pay("t2", { amount: 9900, currency: "GBP" }, day(2)),
        ],
        createCommissionPolicy(flat),
      ).map((e) => e.amount),
    ).toEqual([{ amount: 450, currency: "EUR" }]);
  });

  it("keeps each payment's currency, zero-decimal ones included", () => {
    expect(replay([pay("t", { amount: 12_345, currency: "JPY" }, day(1))])[0]?.amount).toEqual({
      amount: 3704,
      currency: "JPY",
    });
  });

  it("first payment only: the first invoice earns, renewals do not", () => {
    const events = [
      pay("t1", usd(1000), day(1), { isFirstPayment: true }),
      pay("t2", usd(1000), day(31), { isFirstPayment: false }),
    ];
    expect(earnedOn(events, { rules: [{ percent: 30, duration: "first_payment" }] })).toEqual([
      ["earned:t1", "earned", 300],
    ]);
  });

  it("recurring for N payments: by the given payment number, else by counting earlier commissions", () => {
    const rule = { rules: [{ percent: 30, duration: { payments: 2 } }] };
    const numbered = [3, 1, 2].map((n) =>
      pay(`t${n}`, usd(1000), day(30 * n), { paymentNumber: n }),
    );
    expect(earnedOn(numbered, rule)).toEqual([
      ["earned:t1", "earned", 300],
      ["earned:t2", "earned", 300],
    ]);
    const counted = [1, 2, 3].map((n) => pay(`t${n}`, usd(1000), day(30 * n)));
    expect(earnedOn(counted, rule).map(([key]) => key)).toEqual(["earned:t1", "earned:t2"]);
  });

  it("first payment only: a renewal that arrives before the first payment earns nothing", () => {
    // The normal path from Chargebee: no paymentNumber, only `invoice.first_invoice`.
    const event = (txn: string, at: number, isFirstPayment: boolean) =>
      commissionEventFromBillingEvent(
        paymentEvent({ transactionId: txn, amount: usd(1000), paidAt: at, isFirstPayment }),
        { partnerId: "alice" },
      ) as CommissionPayment;
    const t1 = event("t1", day(10), true);
    const t2 = event("t2", day(40), false);
    expect(t2.paymentNumber).toBeNull();
    const rule = { rules: [{ percent: 30, duration: "first_payment" as const }] };
    expect(earnedOn([t2, t1], rule)).toEqual([["earned:t1", "earned", 300]]);
    expect(earnedOn([t1, t2], rule)).toEqual([["earned:t1", "earned", 300]]);
    // { payments: 1 } is the same rule.
    expect(earnedOn([t2, t1], { rules: [{ percent: 30, duration: { payments: 1 } }] })).toEqual([
      ["earned:t1", "earned", 300],
    ]);
  });

  it("recurring for N payments: counts every payment of the subscription, those that earned nothing too", () => {
    // t1 is below the minimum, so it earns nothing, but it is still payment #1: t2 is #2, t3 is #3.
    const rule = {
      rules: [{ percent: 30, duration: { payments: 2 }, minimumPayment: [usd(500)] }],
    };
    const events = [
      pay("t1", usd(100), day(1), { isFirstPayment: true }),
      pay("t2", usd(1000), day(31), { isFirstPayment: false }),
      pay("t3", usd(1000), day(61), { isFirstPayment: false }),
    ];
    expect(earnedOn(events, rule)).toEqual([["earned:t2", "earned", 300]]);
    // A payment without a referral is a payment of the subscription too.
    const unattributed = [
      pay("t1", usd(1000), day(1), { referral: null }),
      pay("t2", usd(1000), day(31)),
      pay("t3", usd(1000), day(61)),
    ];
    expect(earnedOn(unattributed, { rules: [{ percent: 30, duration: { payments: 2 } }] })).toEqual(
      [["earned:t2", "earned", 300]],
    );
  });

  it("recurring for N payments: isFirstPayment false means at least payment #2", () => {
    // Nothing earlier is known, but a payment that is not the first invoice is #2 at least.
    const renewal = pay("t2", usd(1000), day(31), { isFirstPayment: false });
    expect(
      replay(
        [renewal],
        createCommissionPolicy({ rules: [{ percent: 30, duration: { payments: 2 } }] }),
      )
        .filter((e) => e.kind === "earned")
        .map((e) => [e.key, e.note]),
    ).toEqual([
      ["earned:t2", "30% of USD 10.00 (half-up), payment #2, rule any-partner/any-program"],
    ]);
    expect(earnedOn([renewal], { rules: [{ percent: 30, duration: { payments: 1 } }] })).toEqual(
      [],
    );
  });

  it("recurring for N months from the subscription start, calendar months, end of month clamped", () => {
    const start = Date.UTC(2025, 0, 31);
    const rule = { rules: [{ percent: 30, duration: { months: 3 } }] };
    const events = [
      pay("jan", usd(1000), start, { subscriptionStartedAt: start }),
      pay("apr29", usd(1000), Date.UTC(2025, 3, 29), { subscriptionStartedAt: start }),
      pay("apr30", usd(1000), Date.UTC(2025, 3, 30), { subscriptionStartedAt: start }),
    ];
    expect(earnedOn(events, rule).map(([key]) => key)).toEqual(["earned:jan", "earned:apr29"]);
    // Without a start date, from the subscription's first commission.
    const noStart = events.map((e) => ({ ...e, subscriptionStartedAt: null }));
    expect(earnedOn(noStart, rule).map(([key]) => key)).toEqual(["earned:jan", "earned:apr29"]);
  });

  it("lifetime: every payment earns", () => {
    const events = [1, 2, 3, 4].map((n) => pay(`t${n}`, usd(1000), day(365 * n)));
    expect(earnedOn(events, { rules: [{ percent: 30, duration: "lifetime" }] })).toHaveLength(4);
  });

  it("trials: a zero-amount trial invoice is skipped and the first paid invoice counts as the first payment", () => {
    const events = [
      pay("trial", usd(0), day(0), { isFirstPayment: true }),
      pay("paid", usd(4900), day(14), { isFirstPayment: false }),
      pay("renewal", usd(4900), day(44), { isFirstPayment: false }),
    ];
    expect(earnedOn(events, { rules: [{ percent: 30, duration: "first_payment" }] })).toEqual([
      ["earned:paid", "earned", 1470],
    ]);
    // trialPayments: earn, with a flat bounty, pays on the trial signup itself.
    expect(
      earnedOn(events.slice(0, 1), { rules: [{ flat: [usd(500)], trialPayments: "earn" }] }),
    ).toEqual([["earned:trial", "earned", 500]]);
  });

  it("minimum payment: smaller payments earn nothing", () => {
    const rule = { rules: [{ percent: 30, minimumPayment: [usd(1000)] }] };
    expect(
      earnedOn([pay("small", usd(999), day(1)), pay("ok", usd(1000), day(2))], rule).map(
        ([key]) => key,
      ),
    ).toEqual(["earned:ok"]);
  });

  it("does not record a commission that rounds to zero", () => {
    expect(replay([pay("t", usd(1), day(1))])).toEqual([]);
  });
});

describe("refunds", () => {
  // USD 9.99 at 30% = 299.7 → 300 cents of commission.
  const paid = pay("txn_1", usd(999), day(1));

  it("a full refund reverses the whole commission, and journals the refund", () => {
    const ledger = replay([paid, refund("re_1", "txn_1", usd(999), day(5))]);
    expect(ledger.slice(1)).toEqual([
      {
        key: "refund:re_1",
        partnerId: JOURNAL_PARTNER_ID,
        programId: null,
        kind: "reversed",
        amount: usd(0),
        transactionId: "txn_1",
        refundTransactionId: "re_1",
        subscriptionId: null,
        customerId: null,
        occurredAt: day(5),
        note: "refund journal: USD 9.99 refunded",
        baseAmount: usd(999),
        payableAt: null,
        payoutId: null,
      },
      {
        key: "reversal:re_1",
        partnerId: "alice",
        programId: null,
        kind: "reversed",
        amount: usd(-300),
        transactionId: "txn_1",
        refundTransactionId: "re_1",
        subscriptionId: "sub_1",
        customerId: "cus_1",
        occurredAt: day(5),
        note: "refund USD 9.99 of payment USD 9.99: commission USD 3.00 × 999/999 at the original payment's rate, rounded toward zero",
        baseAmount: usd(999),
        payableAt: null,
        payoutId: null,
      },
    ]);
  });

  it("partial refunds reverse proportionally, toward zero, and sum back to the commission when complete", () => {
    // 300 × 333/999 = 100; 300 × 500/999 = 150.15 → 150; 300 × 166/999 = 49.85 → 49; residue 1.
    const ledger = replay([
      paid,
      refund("re_1", "txn_1", usd(333), day(2)),
      refund("re_2", "txn_1", usd(500), day(3)),
      refund("re_3", "txn_1", usd(166), day(4)),
    ]);
    expect(amounts(ledger)).toEqual([
      ["earned:txn_1", "earned", 300],
      ["reversal:re_1", "reversed", -100],
      ["reversal:re_2", "reversed", -150],
      ["reversal:re_3", "reversed", -49],
      ["reversal-residue:txn_1", "reversed", -1],
    ]);
    expect(ledger.at(-1)?.refundTransactionId).toBe("re_3");
    expect(ledger.at(-1)?.occurredAt).toBe(day(4));
  });

  it("reverses at the rate of the original payment, not a blended rate, even after the rule changed", () => {
    // Payment 1 earned 30%; the rule then dropped to 10% for payment 2. Refunding half of payment 1
    // reverses half of its own commission (1500), not half of payment 1 at the blended rate
    // (3000 + 1000) / (10 000 + 10 000) = 20% (1000).
    const before = replay([pay("p1", usd(10_000), day(1))]);
    const ten = createCommissionPolicy({ rules: [{ percent: 10 }] });
    const after = replay(
      [pay("p2", usd(10_000), day(31)), refund("re_1", "p1", usd(5000), day(40))],
      ten,
      before,
    );
    expect(amounts(after)).toEqual([
      ["earned:p1", "earned", 3000],
      ["earned:p2", "earned", 1000],
      ["reversal:re_1", "reversed", -1500],
    ]);
  });

  it("a refund seen before its payment is held and applied when the payment arrives", () => {
    const early = replay([refund("re_1", "txn_1", usd(333), day(2))]);
    expect(early.map((e) => [e.key, e.partnerId, e.amount.amount])).toEqual([
      ["refund:re_1", JOURNAL_PARTNER_ID, 0],
    ]);
    const late = replay([paid], thirty, early);
    const inOrder = replay([paid, refund("re_1", "txn_1", usd(333), day(2))]);
    expect(amounts(late)).toEqual([
      ["earned:txn_1", "earned", 300],
      ["reversal:re_1", "reversed", -100],
    ]);
    const byKey = (ledger: Commission[]) => ledger.slice().sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(byKey(late)).toEqual(byKey(inOrder));
  });

  it("ignores a duplicate refund", () => {
    const ledger = replay([paid, refund("re_1", "txn_1", usd(333), day(2))]);
    expect(commissionEntries(ledger, refund("re_1", "txn_1", usd(333), day(2)), thirty)).toEqual(
      [],
    );
  });

  it("never reverses more than the commission, even when refunds exceed the payment", () => {
    const ledger = replay([
      paid,
      refund("re_1", "txn_1", usd(999), day(2)),
      refund("re_2", "txn_1", usd(999), day(3)),
    ]);
    expect(amounts(ledger)).toEqual([
      ["earned:txn_1", "earned", 300],
      ["reversal:re_1", "reversed", -300],
    ]);
  });

  it("refuses a refund in another currency than its payment", () => {
    const ledger = replay([paid]);
    expect(() =>
      commissionEntries(
        ledger,
        refund("re_1", "txn_1", { amount: 100, currency: "EUR" }, day(2)),
        thirty,
      ),
    ).toThrow(MoneyError);
  });

  it("records the commission when a held refund is in another currency, and skips that refund", () => {
    const held = replay([refund("re_eur", "txn_1", { amount: 100, currency: "EUR" }, day(0))]);
    const added = commissionEntries(held, paid, thirty);
    expect(added.map((e) => [e.key, e.kind, e.amount, e.baseAmount])).toEqual([
      ["earned:txn_1", "earned", usd(300), usd(999)],
      ["refund-skipped:re_eur", "reversed", usd(0), { amount: 100, currency: "EUR" }],
    ]);
    expect(added[1]?.note).toBe(
      "refund EUR 1.00 skipped: the payment is in USD, so nothing is reversed",
    );
    expect(added.map(isSkippedRefund)).toEqual([false, true]);
    // Later refunds of the payment still reverse, and the skipped one never counts toward a full refund.
    const ledger = replay([refund("re_1", "txn_1", usd(999), day(5))], thirty, [...held, ...added]);
    expect(amounts(ledger)).toEqual([
      ["earned:txn_1", "earned", 300],
      ["refund-skipped:re_eur", "reversed", 0],
      ["reversal:re_1", "reversed", -300],
    ]);
    expect(commissionBalances(ledger, { asOf: day(100) })[0]?.payable).toEqual(usd(0));
  });

  it("journals a refund without a refunded transaction and does nothing else", () => {
    const entries = commissionEntries(
      replay([paid]),
      { ...refund("re_x", "txn_1", usd(1), day(2)), refundedTransactionId: null },
      thirty,
    );
    expect(entries.map((e) => [e.key, e.transactionId])).toEqual([["refund:re_x", null]]);
  });
});

describe("payouts and clawbacks", () => {
  const held = createCommissionPolicy({
    rules: [{ percent: 30, holdMs: days(30) }],
    minimumPayouts: [usd(1000)],
  });
  const payout = (payoutId: string, paidAt: number, currency?: string): CommissionEvent => ({
    type: "payout",
    payoutId,
    partnerId: "alice",
    paidAt,
    currency: currency ?? null,
  });

  it("pays what is out of its hold, itemized per payment, once", () => {
    const ledger = replay(
      [
        pay("p1", usd(10_000), day(1)),
        pay("p2", usd(10_000), day(20)),
        payout("po_1", day(35)),
        payout("po_1", day(35)),
        payout("po_2", day(36)),
      ],
      held,
    );
    expect(amounts(ledger)).toEqual([
      ["earned:p1", "earned", 3000],
      ["earned:p2", "earned", 3000],
      ["paid:po_1:p1", "paid", 3000],
    ]);
    expect(ledger.at(-1)?.payoutId).toBe("po_1");
    expect(commissionBalances(ledger, { asOf: day(36) })).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(3000),
        payable: usd(0),
        paid: usd(3000),
        clawedBack: usd(0),
      },
    ]);
  });

  it("waits for the minimum payout", () => {
    const small = replay([pay("p1", usd(3000), day(1)), payout("po_1", day(40))], held);
    expect(amounts(small)).toEqual([["earned:p1", "earned", 900]]);
  });

  it("pays net of reversals made before the payout", () => {
    const ledger = replay(
      [
        pay("p1", usd(10_000), day(1)),
        refund("re_1", "p1", usd(2500), day(10)),
        payout("po_1", day(40)),
      ],
      held,
    );
    expect(amounts(ledger)).toEqual([
      ["earned:p1", "earned", 3000],
      ["reversal:re_1", "reversed", -750],
      ["paid:po_1:p1", "paid", 2250],
    ]);
  });

  it("a refund after payout is a clawback: a negative balance the next payout recovers", () => {
    const ledger = replay(
      [
        pay("p1", usd(10_000), day(1)),
        payout("po_1", day(31)),
        refund("re_1", "p1", usd(4000), day(33)),
        pay("p2", usd(10_000), day(34)),
      ],
      held,
    );
    expect(amounts(ledger)).toEqual([
      ["earned:p1", "earned", 3000],
      ["paid:po_1:p1", "paid", 3000],
      ["reversal:re_1", "clawback", -1200],
      ["earned:p2", "earned", 3000],
    ]);
    expect(commissionBalances(ledger, { asOf: day(40) })).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(3000),
        payable: usd(-1200),
        paid: usd(3000),
        clawedBack: usd(1200),
      },
    ]);
    const next = replay([payout("po_2", day(70))], held, ledger);
    expect(amounts(next).slice(4)).toEqual([
      ["paid:po_2:p1", "paid", -1200],
      ["paid:po_2:p2", "paid", 3000],
    ]);
    expect(commissionBalances(next, { asOf: day(70) })).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(0),
        payable: usd(0),
        paid: usd(4800),
        clawedBack: usd(1200),
      },
    ]);
  });

  it("pays only the currency asked for, each currency on its own", () => {
    const ledger = replay(
      [
        pay("u", usd(10_000), day(1)),
        pay("e", { amount: 10_000, currency: "EUR" }, day(1)),
        payout("po_1", day(40), "EUR"),
      ],
      held,
    );
    expect(amounts(ledger).at(-1)).toEqual(["paid:po_1:e", "paid", 3000]);
    expect(
      commissionBalances(ledger, { asOf: day(40), partnerId: "alice" }).map((b) => [
        b.currency,
        b.payable.amount,
        b.paid.amount,
      ]),
    ).toEqual([
      ["EUR", 0, 3000],
      ["USD", 3000, 0],
    ]);
  });
});

describe("commissionEventFromBillingEvent", () => {
  it("maps payment_succeeded to a payment with the referral", () => {
    const event = paymentEvent({
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(10),
      isFirstPayment: true,
    });
    expect(
      commissionEventFromBillingEvent(event, { partnerId: "alice", programId: "saas" }),
    ).toEqual({
      type: "payment",
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(10),
      subscriptionId: "sub_1",
      customerId: "cus_1",
      isFirstPayment: true,
      paymentNumber: null,
      subscriptionStartedAt: day(10),
      referral: { partnerId: "alice", programId: "saas" },
    });
  });

  it("maps payment_refunded to a refund of the original transaction", () => {
    const event = refundEvent({
      transactionId: "re_1",
      refundedTransactionId: "txn_1",
      amount: usd(1000),
      refundedAt: day(12),
    });
    expect(commissionEventFromBillingEvent(event, null)).toEqual({
      type: "refund",
      transactionId: "re_1",
      refundedTransactionId: "txn_1",
      amount: usd(1000),
      refundedAt: day(12),
    });
  });

  it("ignores other events, failed payments included", () => {
    const event = paymentEvent({
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(10),
      isFirstPayment: true,
    });
    const failed = {
      ...event,
      type: "payment_failed",
      payment: { ...(event.payment as NonNullable<typeof event.payment>), status: "failure" },
    };
    expect(commissionEventFromBillingEvent(failed, null)).toBeNull();
    expect(
      commissionEventFromBillingEvent(
        { ...event, type: "subscription_created", payment: null },
        null,
      ),
    ).toBeNull();
  });
});
