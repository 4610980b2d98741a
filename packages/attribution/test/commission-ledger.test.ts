import type { Commission, LedgerStore, StoredCommission } from "@revtrace/core";
import { ConfigError } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CommissionEvent,
  commissionEventFromBillingEvent,
  createCommissionLedger,
  days,
} from "../src/index.js";
import { day, paymentEvent, refundEvent, usd } from "./fixtures.js";
import { memoryLedgerStore, scheduled } from "./ledger-store.js";

/** Rows as [key, kind, amount], sorted by key. */
const rowsByKey = (rows: readonly Commission[]) =>
  rows
    .map((row) => [row.key, row.kind, row.amount.amount] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const rules = [{ percent: 30, holdMs: days(30) }];
const alice = { partnerId: "alice" };
const payment = (txn: string, cents: number, at: number, isFirstPayment = true) =>
  commissionEventFromBillingEvent(
    paymentEvent({ transactionId: txn, amount: usd(cents), paidAt: at, isFirstPayment }),
    alice,
  ) as CommissionEvent;
const refund = (txn: string, of: string, cents: number, at: number) =>
  commissionEventFromBillingEvent(
    refundEvent({
      transactionId: txn,
      refundedTransactionId: of,
      amount: usd(cents),
      refundedAt: at,
    }),
    null,
  ) as CommissionEvent;

describe("createCommissionLedger over a LedgerStore", () => {
  it("appends the entries of each Chargebee event once, and derives balances from them", async () => {
    const store = memoryLedgerStore();
    const ledger = createCommissionLedger({ store, rules, now: () => day(100) });
    const first = await ledger.record(payment("txn_1", 9900, day(1)));
    expect(first.map((e) => [e.seq, e.key, e.kind, e.amount.amount])).toEqual([
      [1, "earned:txn_1", "earned", 2970],
    ]);
    expect(await ledger.record(payment("txn_1", 9900, day(1)))).toEqual([]);
    await ledger.record(payment("txn_2", 9900, day(90), false));
    expect(await ledger.balances()).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(2970),
        payable: usd(2970),
        paid: usd(0),
        clawedBack: usd(0),
      },
    ]);
    expect(await ledger.balances({ asOf: day(10) })).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(2970),
        payable: usd(0),
        paid: usd(0),
        clawedBack: usd(0),
      },
    ]);
  });

  it("runs the whole lifecycle: earn, partial refund, payout, refund after payout (clawback), recovery", async () => {
    const ledger = createCommissionLedger({
      store: memoryLedgerStore(),
      rules,
      now: () => day(200),
    });
    await ledger.record(payment("txn_1", 10_000, day(1)));
    await ledger.record(refund("re_1", "txn_1", 2000, day(5)));
    await ledger.record({ type: "payout", payoutId: "po_1", partnerId: "alice", paidAt: day(31) });
    await ledger.record(refund("re_2", "txn_1", 3000, day(40)));
    await ledger.record(payment("txn_2", 10_000, day(41), false));
    await ledger.record({ type: "payout", payoutId: "po_2", partnerId: "alice", paidAt: day(71) });
    const entries = await ledger.entries("alice");
    expect(entries.map((e) => [e.key, e.kind, e.amount.amount])).toEqual([
      ["earned:txn_1", "earned", 3000],
      ["reversal:re_1", "reversed", -600],
      ["paid:po_1:txn_1", "paid", 2400],
      ["reversal:re_2", "clawback", -900],
      ["earned:txn_2", "earned", 3000],
      ["paid:po_2:txn_1", "paid", -900],
      ["paid:po_2:txn_2", "paid", 3000],
    ]);
    expect(await ledger.balances()).toEqual([
      {
        partnerId: "alice",
        currency: "USD",
        pending: usd(0),
        payable: usd(0),
        paid: usd(4500),
        clawedBack: usd(900),
      },
    ]);
  });

  it("holds a refund that arrives before its payment, even across ledger instances (another process)", async () => {
    const store = memoryLedgerStore();
    const one = createCommissionLedger({ store, rules });
    const two = createCommissionLedger({ store, rules });
    expect((await one.record(refund("re_1", "txn_1", 4950, day(3)))).map((e) => e.key)).toEqual([
      "refund:re_1",
    ]);
    const added = await two.record(payment("txn_1", 9900, day(1)));
    expect(added.map((e) => [e.key, e.amount.amount])).toEqual([
      ["earned:txn_1", 2970],
      ["reversal:re_1", -1485],
    ]);
    // The first instance catches up from the store before deciding: the replay adds nothing.
    expect(await one.record(payment("txn_1", 9900, day(1)))).toEqual([]);
    expect((await one.entries()).map((e) => e.key)).toEqual([
      "refund:re_1",
      "earned:txn_1",
      "reversal:re_1",
    ]);
  });

  it("serializes concurrent calls, reading only new rows from the store", async () => {
    const store = memoryLedgerStore();
    const ledger = createCommissionLedger({ store, rules });
    await Promise.all([
      ledger.record(payment("txn_1", 9900, day(1))),
      ledger.record(refund("re_1", "txn_1", 9900, day(2))),
      ledger.record(refund("re_1", "txn_1", 9900, day(2))),
      ledger.record(payment("txn_1", 9900, day(1))),
    ]);
    expect(store.rows.map((r) => [r.seq, r.key, r.amount.amount])).toEqual([
      [1, "earned:txn_1", 2970],
      [2, "refund:re_1", 0],
      [3, "reversal:re_1", -2970],
    ]);
    expect(store.lists).toBe(4);
  });

  it("records a payment whose held refund is in another currency, skipping that refund", async () => {
    const store = memoryLedgerStore();
    const ledger = createCommissionLedger({ store, rules });
    const eur = commissionEventFromBillingEvent(
      refundEvent({
        transactionId: "re_eur",
        refundedTransactionId: "txn_1",
        amount: { amount: 500, currency: "EUR" },
        refundedAt: day(0),
      }),
      null,
    ) as CommissionEvent;
    await ledger.record(eur);
    const added = await ledger.record(payment("txn_1", 9900, day(1)));
    expect(added.map((e) => [e.key, e.amount.amount])).toEqual([
      ["earned:txn_1", 2970],
      ["refund-skipped:re_eur", 0],
    ]);
    expect((await ledger.balances({ asOf: day(40) }))[0]?.payable).toEqual(usd(2970));
  });

  it("keeps working after a failing store call", async () => {
    const store = memoryLedgerStore();
    const failing: LedgerStore = {
      ...store,
      appendCommissions: async () => Promise.reject(new Error("disk full")),
    };
    const ledger = createCommissionLedger({ store: failing, rules });
    await expect(ledger.record(payment("txn_1", 9900, day(1)))).rejects.toThrow("disk full");
    expect(await ledger.balances({ asOf: day(1) })).toEqual([]);
  });

  it("two ledgers on one store converge: a payment and a full refund recorded at once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, swap) => {
        const store = scheduled(memoryLedgerStore(), s);
        const [one, two] = [
          createCommissionLedger({ store, rules }),
          createCommissionLedger({ store, rules }),
        ];
        const events = [payment("txn_1", 9900, day(1)), refund("re_1", "txn_1", 9900, day(2))];
        if (swap) events.reverse();
        await s.waitFor(
          Promise.all([
            one.record(events[0] as CommissionEvent),
            two.record(events[1] as CommissionEvent),
          ]),
        );
        expect(rowsByKey(store.rows)).toEqual([
          ["earned:txn_1", "earned", 2970],
          ["refund:re_1", "reversed", 0],
          ["reversal:re_1", "reversed", -2970],
        ]);
        const balances = await s.waitFor(one.balances({ asOf: day(100) }));
        expect(balances[0]?.payable).toEqual(usd(0));
      }),
      { numRuns: 100 },
    );
  });

  it("two ledgers on one store converge: two partial refunds that make a full one, at once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const store = scheduled(memoryLedgerStore(), s);
        const [one, two] = [
          createCommissionLedger({ store, rules }),
          createCommissionLedger({ store, rules }),
        ];
        await s.waitFor(one.record(payment("txn_1", 999, day(1))));
        await s.waitFor(
          Promise.all([
            one.record(refund("re_1", "txn_1", 333, day(2))),
            two.record(refund("re_2", "txn_1", 666, day(3))),
          ]),
        );
        // 300 × 333/999 = 100; 300 × 666/999 = 200 (exact, no residue left to reverse).
        expect(rowsByKey(store.rows).filter(([key]) => !key.startsWith("refund:"))).toEqual([
          ["earned:txn_1", "earned", 300],
          ["reversal:re_1", "reversed", -100],
          ["reversal:re_2", "reversed", -200],
        ]);
        const uneven = scheduled(memoryLedgerStore(), s);
        const [three, four] = [
          createCommissionLedger({ store: uneven, rules }),
          createCommissionLedger({ store: uneven, rules }),
        ];
        await s.waitFor(three.record(payment("txn_1", 999, day(1))));
        await s.waitFor(
          Promise.all([
            three.record(refund("re_1", "txn_1", 500, day(2))),
            four.record(refund("re_2", "txn_1", 499, day(3))),
          ]),
        );
        // 300 × 500/999 = 150.15 → 150; 300 × 499/999 = 149.85 → 149; the residue reverses the last cent.
        expect(rowsByKey(uneven.rows).filter(([key]) => !key.startsWith("refund:"))).toEqual([
          ["earned:txn_1", "earned", 300],
          ["reversal-residue:txn_1", "reversed", -1],
          ["reversal:re_1", "reversed", -150],
          ["reversal:re_2", "reversed", -149],
        ]);
      }),
      { numRuns: 100 },
    );
  });

  it("two ledgers on one store recording any events at once end with the entries of one ledger recording them in turn", async () => {
    const events = fc
      .array(
        fc.record({
          amount: fc.integer({ min: 1, max: 100_000 }),
          number: fc.integer({ min: 1, max: 3 }),
          cuts: fc.array(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }),
          full: fc.boolean(),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((payments) =>
        payments.flatMap((p, i): CommissionEvent[] => {
          const txn = `txn_${i}`;
          const out: CommissionEvent[] = [
            {
              type: "payment",
              transactionId: txn,
              amount: usd(p.amount),
              paidAt: day(i),
              subscriptionId: "sub_1",
              paymentNumber: p.number,
              referral: alice,
            },
          ];
          const target = p.full ? p.amount : Math.floor(p.amount / 2);
          const total = p.cuts.reduce((a, b) => a + b, 0);
          let given = 0;
          p.cuts.forEach((cut, k) => {
            const cents =
              k === p.cuts.length - 1 ? target - given : Math.floor((target * cut) / total);
            given += cents;
            if (cents > 0) out.push(refund(`re_${i}_${k}`, txn, cents, day(i + k + 1)));
          });
          return out;
        }),
      );
    const counted = [{ percent: 30, duration: { payments: 2 } }];
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        events.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.array(fc.boolean(), { minLength: list.length, maxLength: list.length }),
          ),
        ),
        fc.constantFrom(rules, counted),
        async (s, [list, sides], ruleSet) => {
          const store = scheduled(memoryLedgerStore(), s);
          const one = createCommissionLedger({ store, rules: ruleSet });
          const two = createCommissionLedger({ store, rules: ruleSet });
          await s.waitFor(
            Promise.all(list.map((event, i) => (sides[i] ? one : two).record(event))),
          );
          const serial = memoryLedgerStore();
          const alone = createCommissionLedger({ store: serial, rules: ruleSet });
          for (const event of list) await alone.record(event);
          const entries = (rows: readonly StoredCommission[]) =>
            rows
              .map(({ seq: _seq, ...entry }) => entry)
              .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
          expect(entries(store.rows)).toEqual(entries(serial.rows));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("validates its options at construction, naming the field", () => {
    const bad: Array<[unknown, string]> = [
      [{ store: {}, rules }, "store"],
      [{ store: memoryLedgerStore(), rules, now: 5 }, "now"],
      [{ store: memoryLedgerStore(), rules: [{ percent: 300 }] }, "rules.0.percent"],
    ];
    for (const [options, field] of bad) {
      let error: unknown;
      try {
        createCommissionLedger(options as never);
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).fields).toContain(field);
    }
  });
});
