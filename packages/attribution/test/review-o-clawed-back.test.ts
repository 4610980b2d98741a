/**
 * Review o: clawedBack with `reversal-excess:` give-backs (9263163), under random races of refunds and
 * payouts between two ledgers on one store. Invariants on one commission: clawedBack is never negative
 * and never more than was paid; once a later event lets a writer see every reduction, the reductions
 * (net of give-backs) never exceed the commission and clawedBack is what was paid beyond what the
 * commission still nets.
 */
import type { Commission, StoredCommission } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CommissionEvent,
  type CommissionRefund,
  commissionBalances,
  createCommissionLedger,
  JOURNAL_PARTNER_ID,
} from "../src/index.js";
import { chargebeePayment, day, usd } from "./fixtures.js";
import { memoryLedgerStore, scheduled } from "./ledger-store.js";

const pay = chargebeePayment;
const refund = (id: string, amount: number, at: number): CommissionRefund => ({
  type: "refund",
  transactionId: id,
  refundedTransactionId: "t1",
  amount: usd(amount),
  refundedAt: at,
});
const payout = (id: string, at: number) =>
  ({ type: "payout", payoutId: id, partnerId: "alice", paidAt: at }) as CommissionEvent;

const rules = [{ percent: 30, holdMs: 0 }];
const COMMISSION = 300;

function check(rows: readonly Commission[], settled: boolean) {
  const [b] = commissionBalances(rows, { asOf: day(1_000) });
  if (!b) return;
  const t1 = rows.filter((e) => e.partnerId !== JOURNAL_PARTNER_ID && e.transactionId === "t1");
  const reductions = -t1
    .filter((e) => e.kind === "reversed" || e.kind === "clawback")
    .reduce((sum, e) => sum + e.amount.amount, 0);
  const context = JSON.stringify(rows.map((e) => [e.key, e.kind, e.amount.amount]));
  expect(b.clawedBack.amount, context).toBeGreaterThanOrEqual(0);
  expect(b.clawedBack.amount, context).toBeLessThanOrEqual(b.paid.amount);
  if (settled) {
    expect(reductions, context).toBeLessThanOrEqual(COMMISSION);
    expect(b.clawedBack.amount, context).toBe(
      Math.max(0, b.paid.amount - (COMMISSION - reductions)),
    );
  }
}

describe("clawedBack under racing refunds and payouts", () => {
  it("keeps its invariants in every interleaving", async () => {
    let excess = 0;
    let clawed = 0;
    const racer = fc.oneof(
      fc
        .record({ k: fc.integer({ min: 0, max: 5 }), cents: fc.integer({ min: 1, max: 1000 }) })
        .map(({ k, cents }) => refund(`re_${k}`, cents, day(41 + k))),
      fc.integer({ min: 0, max: 2 }).map((k) => payout(`po_${k}`, day(40 + k))),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.boolean(),
        fc.array(fc.tuple(racer, fc.boolean()), { minLength: 2, maxLength: 4 }),
        async (s, paidFirst, racing) => {
          const store = memoryLedgerStore();
          const serial = createCommissionLedger({ store, rules });
          await serial.record(pay(1));
          if (paidFirst) await serial.record(payout("po_first", day(35)));
          const raced = scheduled(store, s);
          const one = createCommissionLedger({ store: raced, rules });
          const two = createCommissionLedger({ store: raced, rules });
          await s.waitFor(
            Promise.all(racing.map(([event, side]) => (side ? one : two).record(event))),
          );
          check(stripSeq(store.rows), false);
          // a later event lets a writer see every reduction (and give any excess back)
          await serial.record(refund("re_late", 1, day(90)));
          check(stripSeq(store.rows), true);
          if (store.rows.some((e) => e.key.startsWith("reversal-excess:"))) excess++;
          if (
            (commissionBalances(stripSeq(store.rows), { asOf: day(1_000) })[0]?.clawedBack.amount ??
              0) > 0
          )
            clawed++;
        },
      ),
      { numRuns: 300 },
    );
    // the races did over-reverse (and give back), and did claw back
    expect(excess).toBeGreaterThan(5);
    expect(clawed).toBeGreaterThan(30);
  }, 120_000);
});

const stripSeq = (rows: readonly StoredCommission[]) =>
  rows.map(({ seq: _seq, ...entry }) => entry as Commission);
