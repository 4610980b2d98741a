/**
 * The two ledger cases the README used to list as open: a `{ payments: n }` rule whose payments
 * arrive in reverse order without payment numbers, and a payout racing a refund.
 */
import type { Commission, StoredCommission } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CommissionEvent,
  type CommissionRefund,
  commissionBalances,
  commissionEntries,
  createCommissionLedger,
  createCommissionPolicy,
  days,
  JOURNAL_PARTNER_ID,
} from "../src/index.js";
import { chargebeePayment, day, monthlyPayment, usd } from "./fixtures.js";
import { memoryLedgerStore, scheduled } from "./ledger-store.js";

const pay = monthlyPayment;
/** As Chargebee sends them: `isFirstPayment` from `invoice.first_invoice`, no payment number. */
const chargebee = chargebeePayment;
const refund = (id: string, of: string, amount: number, at: number): CommissionRefund => ({
  type: "refund",
  transactionId: id,
  refundedTransactionId: of,
  amount: usd(amount),
  refundedAt: at,
});
const payout = (id: string, at: number): CommissionEvent => ({
  type: "payout",
  payoutId: id,
  partnerId: "alice",
  paidAt: at,
});

function replay(events: readonly CommissionEvent[], rules: object[]): Commission[] {
  const policy = createCommissionPolicy({ rules } as never);
  const ledger: Commission[] = [];
  for (const event of events) ledger.push(...commissionEntries(ledger, event, policy));
  return ledger;
}

/** What each payment nets the partner (earned minus reversals), by payment. */
function netByPayment(ledger: readonly Commission[]): Record<string, number> {
  const net: Record<string, number> = {};
  for (const entry of ledger) {
    if (entry.partnerId === JOURNAL_PARTNER_ID || entry.kind === "paid") continue;
    const txn = entry.transactionId as string;
    net[txn] = (net[txn] ?? 0) + entry.amount.amount;
  }
  return net;
}

const balances = (ledger: readonly Commission[], asOf = day(1_000)) =>
  commissionBalances(ledger, { asOf }).map(({ pending, payable, paid, clawedBack }) => ({
    pending: pending.amount,
    payable: payable.amount,
    paid: paid.amount,
    clawedBack: clawedBack.amount,
  }));

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("a { payments: n } rule, payments in any order, no payment numbers", () => {
  const twoPayments = [{ percent: 30, duration: { payments: 2 }, holdMs: 0 }];

  it("nets what the in-order ledger nets, in every arrival order, at every date", () => {
    const inOrder = replay([1, 2, 3, 4].map(chargebee), twoPayments);
    expect(netByPayment(inOrder)).toEqual({ t1: 300, t2: 300 });
    expect(inOrder.some((e) => e.key.startsWith("renumbered:"))).toBe(false);
    for (const order of permutations([1, 2, 3, 4])) {
      const ledger = replay(order.map(chargebee), twoPayments);
      const net = netByPayment(ledger);
      expect({ order, net: { t1: 300, t2: 300, t3: net.t3 ?? 0, t4: net.t4 ?? 0 } }).toEqual({
        order,
        net: { t1: 300, t2: 300, t3: 0, t4: 0 },
      });
      for (const asOf of [day(30), day(60), day(90), day(120)]) {
        expect(balances(ledger, asOf), `order ${order}, as of ${asOf}`).toEqual(
          balances(inOrder, asOf),
        );
      }
    }
  });

  it("reverses the payment numbered too low once the earlier ones arrive (#3, #2, #1)", () => {
    const ledger = replay([3, 2, 1].map(chargebee), twoPayments);
    const renumbered = ledger.filter((e) => e.key.startsWith("renumbered:"));
    expect(renumbered).toMatchObject([
      {
        key: "renumbered:t3",
        partnerId: "alice",
        kind: "reversed",
        amount: { amount: -300, currency: "USD" },
        transactionId: "t3",
        occurredAt: day(90),
      },
    ]);
    expect(renumbered[0]?.note).toContain("payment #3 of the subscription");
    // Which numbers were counted is journaled, so a trusted number is never renumbered.
    expect(ledger.filter((e) => e.key.startsWith("counted:")).map((e) => e.key)).toEqual([
      "counted:t3",
      "counted:t2",
    ]);
  });

  it("also without isFirstPayment, and for first_payment rules", () => {
    const noFlags = (n: number) => pay(n, { isFirstPayment: null, paymentNumber: null });
    for (const order of permutations([1, 2, 3])) {
      expect(netByPayment(replay(order.map(noFlags), twoPayments)), `${order}`).toMatchObject({
        t1: 300,
        t2: 300,
      });
      const firstOnly = replay(order.map(noFlags), [{ percent: 30, duration: "first_payment" }]);
      const net = netByPayment(firstOnly);
      expect({ t2: net.t2 ?? 0, t3: net.t3 ?? 0, t1: net.t1 }, `${order}`).toEqual({
        t1: 300,
        t2: 0,
        t3: 0,
      });
    }
  });

  it("claws back a renumbered commission that was paid out meanwhile", () => {
    const ledger = replay(
      [chargebee(3), payout("po_1", day(100)), chargebee(2), chargebee(1)],
      twoPayments,
    );
    expect(ledger.find((e) => e.key === "renumbered:t3")).toMatchObject({
      kind: "clawback",
      amount: { amount: -300 },
    });
    // #1 and #2 are owed, #3 was paid and is owed back.
    expect(balances(ledger)).toEqual([{ pending: 0, payable: 300, paid: 300, clawedBack: 300 }]);
  });

  it("reverses only what refunds left, and refunds after it reverse nothing", () => {
    const ledger = replay(
      [
        chargebee(3),
        refund("re_1", "t3", 500, day(95)),
        chargebee(1),
        chargebee(2),
        refund("re_2", "t3", 500, day(96)),
      ],
      twoPayments,
    );
    const t3 = ledger.filter((e) => e.transactionId === "t3" && e.partnerId === "alice");
    expect(t3.map((e) => [e.key, e.amount.amount])).toEqual([
      ["earned:t3", 300],
      ["reversal:re_1", -150],
      ["renumbered:t3", -150],
    ]);
  });

  it("never renumbers a payment number you gave", () => {
    const given = replay(
      [pay(3, { paymentNumber: 2 }), pay(1, { paymentNumber: 1 }), pay(2, { paymentNumber: 2 })],
      twoPayments,
    );
    expect(given.some((e) => e.key.startsWith("renumbered:") || e.key.startsWith("counted:"))).toBe(
      false,
    );
  });
});

const stripSeq = (rows: readonly StoredCommission[]) =>
  rows.map(({ seq: _seq, ...entry }) => entry);

describe("writers racing on one store", () => {
  const rules = [{ percent: 30, duration: { payments: 2 }, holdMs: 0 }];

  it("payments of one subscription recorded at once by two ledgers net as in order", async () => {
    const inOrder = replay([1, 2, 3].map(chargebee), rules);
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.constantFrom(...permutations([1, 2, 3])),
        async (s, sides, order) => {
          const store = scheduled(memoryLedgerStore(), s);
          const one = createCommissionLedger({ store, rules });
          const two = createCommissionLedger({ store, rules });
          await s.waitFor(
            Promise.all(order.map((n, i) => (sides[i] ? one : two).record(chargebee(n)))),
          );
          const ledger = stripSeq((store as unknown as { rows: StoredCommission[] }).rows);
          expect(netByPayment(ledger)).toMatchObject({ t1: 300, t2: 300 });
          expect(netByPayment(ledger).t3 ?? 0).toBe(0);
          expect(balances(ledger)).toEqual(balances(inOrder));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a payout racing a refund: the refund is taken back after the payout (clawedBack), in every interleaving", async () => {
    // In turn, payout then refund: paid 300, clawed back 300, payable -300 (owed back).
    const serial = replay(
      [chargebee(1), payout("po_1", day(40)), refund("re_1", "t1", 1000, day(41))],
      rules,
    );
    expect(serial.at(-1)).toMatchObject({ key: "reversal:re_1", kind: "clawback" });
    const owedBack = [{ pending: 0, payable: -300, paid: 300, clawedBack: 300 }];
    expect(balances(serial)).toEqual(owedBack);
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, flip) => {
        const store = memoryLedgerStore();
        await createCommissionLedger({ store, rules }).record(chargebee(1));
        const racing = scheduled(store, s);
        const one = createCommissionLedger({ store: racing, rules });
        const two = createCommissionLedger({ store: racing, rules });
        await s.waitFor(
          Promise.all([
            (flip ? one : two).record(payout("po_1", day(40))),
            (flip ? two : one).record(refund("re_1", "t1", 1000, day(41))),
          ]),
        );
        const ledger = stripSeq(store.rows);
        const paid = ledger.some((e) => e.kind === "paid");
        // The payout either saw the refund (and paid nothing) or paid the commission: then the
        // refund is money taken back after a payout, whatever kind its entry was decided as.
        expect(balances(ledger)).toEqual(
          paid ? owedBack : [{ pending: 0, payable: 0, paid: 0, clawedBack: 0 }],
        );
      }),
      { numRuns: 100 },
    );
  });

  it("two full refunds racing after a payout: the excess given back is not counted as taken back", async () => {
    // In turn: paid 300, the first refund claws back 300, the second finds nothing left.
    const serial = replay(
      [
        chargebee(1),
        payout("po_1", day(40)),
        refund("re_1", "t1", 1000, day(41)),
        refund("re_2", "t1", 1000, day(42)),
      ],
      rules,
    );
    const owedBack = [{ pending: 0, payable: -300, paid: 300, clawedBack: 300 }];
    expect(balances(serial)).toEqual(owedBack);
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const store = memoryLedgerStore();
        const ledger = createCommissionLedger({ store, rules });
        await ledger.record(chargebee(1));
        await ledger.record(payout("po_1", day(40)));
        const racing = scheduled(store, s);
        const one = createCommissionLedger({ store: racing, rules });
        const two = createCommissionLedger({ store: racing, rules });
        await s.waitFor(
          Promise.all([
            one.record(refund("re_1", "t1", 1000, day(41))),
            two.record(refund("re_2", "t1", 1000, day(42))),
          ]),
        );
        // a later event lets a writer see both reductions and give the excess back
        await ledger.record(refund("re_3", "t1", 1, day(43)));
        const rows = stripSeq(store.rows);
        expect(balances(rows)).toEqual(owedBack);
      }),
      { numRuns: 100 },
    );
  });

  it("counts a raced reversal as taken back, in either commit order", () => {
    const earned = replay([chargebee(1)], rules);
    // Both writers decided from `earned`: the payout pays 300, the refund reverses 300 (no payout seen).
    const [paid] = commissionEntries(
      earned,
      payout("po_1", day(40)),
      createCommissionPolicy({ rules } as never),
    );
    const reversal = commissionEntries(
      earned,
      refund("re_1", "t1", 1000, day(41)),
      createCommissionPolicy({ rules } as never),
    );
    expect(reversal.at(-1)).toMatchObject({ kind: "reversed", amount: { amount: -300 } });
    const owedBack = [{ pending: 0, payable: -300, paid: 300, clawedBack: 300 }];
    expect(balances([...earned, paid as Commission, ...reversal])).toEqual(owedBack);
    expect(balances([...earned, ...reversal, paid as Commission])).toEqual(owedBack);
  });
});

describe("clawedBack read from the order of the entries", () => {
  it("equals the clawback entries of any ledger recorded in turn", () => {
    const event = fc.oneof(
      fc
        .record({ n: fc.integer({ min: 1, max: 4 }), cents: fc.integer({ min: 0, max: 50_000 }) })
        .map(({ n, cents }) => pay(n, { amount: usd(cents), isFirstPayment: n === 1 })),
      fc
        .record({
          n: fc.integer({ min: 1, max: 4 }),
          k: fc.integer({ min: 0, max: 3 }),
          cents: fc.integer({ min: 1, max: 30_000 }),
        })
        .map(({ n, k, cents }) => refund(`re_${n}_${k}`, `t${n}`, cents, day(30 * n + k + 1))),
      fc.integer({ min: 0, max: 5 }).map((k) => payout(`po_${k}`, day(30 * k + 15))),
    );
    const ruleSets = [
      [{ percent: 30, holdMs: 0 }],
      [{ percent: 30, duration: { payments: 2 }, holdMs: 0 }],
      [{ percent: 25, holdMs: days(10) }],
    ];
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 14 }),
        fc.constantFrom(...ruleSets),
        (events, rules) => {
          const ledger = replay(events, rules);
          const clawbacks = ledger
            .filter((e) => e.kind === "clawback")
            .reduce((sum, e) => sum - e.amount.amount, 0);
          const [balance] = balances(ledger);
          expect(balance?.clawedBack ?? 0).toBe(clawbacks);
        },
      ),
      { numRuns: 500 },
    );
  });
});
