/**
 * Adversarial streams through the ledger's public API on every storage engine (memory, SQLite,
 * PostgreSQL), against the pure `commissionEntries` replay as the oracle: shuffled arrival orders,
 * replays and duplicate refunds, refunds before payments and beyond the payment, zero- and
 * three-decimal currencies, payouts, and two ledgers (processes) writing one store at once.
 * Synthetic data, not real Chargebee payloads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Commission, LedgerStore } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CommissionEvent,
  type CommissionPayment,
  type CommissionRefund,
  type CommissionRuleOptions,
  commissionBalances,
  commissionEntries,
  createCommissionLedger,
  createCommissionPolicy,
  days,
  JOURNAL_PARTNER_ID,
} from "../src/index.js";
import { day } from "./fixtures.js";

type StoragePool = NonNullable<Parameters<typeof createPostgresStorage>[0]["pool"]>;
const pg = createRequire(import.meta.url)("pg") as {
  Pool: new (o: {
    connectionString: string;
    max: number;
  }) => StoragePool & { end(): Promise<void> };
};
const pool = new pg.Pool({
  connectionString: process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  max: 4,
});
const schemas: string[] = [];
const dirs: string[] = [];
let seq = 0;
afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Engine {
  /** Two handles on one store (two processes), and a close for both. */
  open(): Promise<{ a: LedgerStore; b: LedgerStore; close(): Promise<void> }>;
}
const engines: Record<string, Engine> = {
  memory: {
    async open() {
      const s = createMemoryStorage();
      return { a: s, b: s, close: async () => {} };
    },
  },
  sqlite: {
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "review-k-ledger-"));
      dirs.push(dir);
      const path = join(dir, "ledger.db");
      const a = createSqliteStorage({ path });
      await a.migrate();
      const b = createSqliteStorage({ path });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    },
  },
  postgres: {
    async open() {
      const schema = `review_k_ledger_${process.pid}_${Date.now().toString(36)}_${seq++}`;
      schemas.push(schema);
      const a = createPostgresStorage({ pool, schema });
      await a.migrate();
      const b = createPostgresStorage({ pool, schema });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    },
  },
};

const RULES: CommissionRuleOptions[] = [
  { percent: 30, duration: { payments: 2 }, holdMs: days(10) },
  { partnerId: "bob", percent: 12.3456, duration: "lifetime", holdMs: 0 },
];
const policy = createCommissionPolicy({ rules: RULES });

const paymentArb = fc.record({
  amount: fc.integer({ min: 0, max: 3_000_000 }),
  currency: fc.constantFrom("USD", "JPY", "KWD", "CLF", "BHD"),
  paidDay: fc.integer({ min: 0, max: 60 }),
  number: fc.integer({ min: 1, max: 4 }),
  partner: fc.constantFrom("alice", "bob", null),
  // refunds as per-mille of the amount, summing to at most the payment
  cuts: fc.array(fc.integer({ min: 1, max: 250 }), { maxLength: 4 }),
  refundDelay: fc.integer({ min: -5, max: 40 }),
  foreign: fc.boolean(),
});

const streamOf = (arb: typeof paymentArb) =>
  fc.array(arb, { minLength: 1, maxLength: 6 }).map((ps) => {
    const events: CommissionEvent[] = [];
    ps.forEach((p, i) => {
      const payment: CommissionPayment = {
        type: "payment",
        transactionId: `txn_${i}`,
        amount: { amount: p.amount, currency: p.currency },
        paidAt: day(p.paidDay),
        subscriptionId: `sub_${i % 2}`,
        customerId: `cus_${i % 2}`,
        isFirstPayment: p.number === 1,
        paymentNumber: p.number,
        subscriptionStartedAt: day(0),
        referral: p.partner === null ? null : { partnerId: p.partner },
      };
      events.push(payment);
      p.cuts.forEach((cut, k) => {
        const amount = Math.floor((p.amount * cut) / 1000);
        if (amount <= 0) return;
        const refund: CommissionRefund = {
          type: "refund",
          transactionId: `re_${i}_${k}`,
          refundedTransactionId: payment.transactionId,
          amount: { amount, currency: p.currency },
          refundedAt: day(p.paidDay + p.refundDelay + k),
        };
        events.push(refund);
      });
    });
    return events;
  });
const streamArb = streamOf(paymentArb);
/** Refunds that may add up to more than their payment (capped in arrival order). */
const overArb = streamOf(
  paymentArb.chain((p) =>
    fc
      .array(fc.integer({ min: 1, max: 900 }), { minLength: 2, maxLength: 4 })
      .map((cuts) => ({ ...p, cuts })),
  ),
);

function replay(events: readonly CommissionEvent[]): Commission[] {
  const ledger: Commission[] = [];
  for (const event of events) ledger.push(...commissionEntries(ledger, event, policy));
  return ledger;
}
const canon = (c: Commission) => ({
  ...c,
  baseAmount: c.baseAmount ?? null,
  payableAt: c.payableAt ?? null,
  payoutId: c.payoutId ?? null,
});
const byKey = (ledger: readonly Commission[]) =>
  ledger.map(canon).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const real = (ledger: readonly Commission[]) =>
  ledger.filter((e) => e.partnerId !== JOURNAL_PARTNER_ID);

/** An arrival order with replays: the stream shuffled and some events sent again. */
const scenarioOf = (arb: typeof streamArb) =>
  arb.chain((events) =>
    fc
      .tuple(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.nat(), { maxLength: 4 }),
      )
      .map(([shuffled, dups]) => {
        const noisy = shuffled.slice();
        for (const d of dups) {
          const again = events[d % events.length];
          if (again) noisy.splice(d % (noisy.length + 1), 0, again);
        }
        return { events, noisy };
      }),
  );
const scenarioArb = scenarioOf(streamArb);

/** Per partner and currency: everything owed or paid (pending + payable + paid), at `asOf`. */
function totals(ledger: readonly Commission[], asOf: number) {
  return commissionBalances(ledger, { asOf }).map((b) => ({
    partnerId: b.partnerId,
    currency: b.pending.currency,
    total: b.pending.amount + b.payable.amount + b.paid.amount,
  }));
}

const asOfDays = [0, 5, 15, 40, 200];
const payouts = (ids: string[]): CommissionEvent[] =>
  ["alice", "bob"].flatMap((partnerId) =>
    ids.map((id, i) => ({
      type: "payout" as const,
      payoutId: `${id}_${partnerId}`,
      partnerId,
      paidAt: day(20 + 30 * i),
    })),
  );

describe("review-k: ledger on every engine vs the pure replay", { timeout: 600_000 }, () => {
  for (const [name, engine] of Object.entries(engines)) {
    it(`${name}: shuffled, replayed streams give the in-order entries and balances`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ events, noisy }) => {
          const { a, close } = await engine.open();
          try {
            const ledger = createCommissionLedger({ store: a, rules: RULES });
            for (const event of noisy) await ledger.record(event);
            const tail = payouts(["po1", "po2"]);
            for (const event of tail) await ledger.record(event);
            const oracle = replay([...events, ...tail]);
            const got = await ledger.entries();
            expect(byKey(real(got))).toEqual(byKey(real(oracle)));
            for (const d of asOfDays)
              expect(await ledger.balances({ asOf: day(d) })).toEqual(
                commissionBalances(oracle, { asOf: day(d) }),
              );
            // a fresh ledger (another process) reads the same entries back from the store
            const fresh = createCommissionLedger({ store: a, rules: RULES });
            expect((await fresh.entries()).map(canon)).toEqual(got.map(canon));
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 200 : 40)) },
      );
    });

    it(`${name}: two ledgers on one store at once book every payment and refund once`, async () => {
      await fc.assert(
        fc.asyncProperty(
          scenarioArb,
          fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
          async ({ events, noisy }, side) => {
            const { a, b, close } = await engine.open();
            try {
              const la = createCommissionLedger({ store: a, rules: RULES });
              const lb = createCommissionLedger({ store: b, rules: RULES });
              const qa: CommissionEvent[] = [];
              const qb: CommissionEvent[] = [];
              for (const [i, e] of noisy.entries()) (side[i % side.length] ? qa : qb).push(e);
              await Promise.all([
                (async () => {
                  for (const e of qa) await la.record(e);
                })(),
                (async () => {
                  for (const e of qb) await lb.record(e);
                })(),
              ]);
              const oracle = replay(events);
              const fresh = createCommissionLedger({ store: a, rules: RULES });
              const got = await fresh.entries();
              expect(new Set(got.map((e) => e.key)).size).toBe(got.length);
              for (const d of asOfDays)
                expect(await fresh.balances({ asOf: day(d) })).toEqual(
                  commissionBalances(oracle, { asOf: day(d) }),
                );
            } finally {
              await close();
            }
          },
        ),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 150 : 30)) },
      );
    });

    it(`${name}: refunds beyond the payment, in any order and from two ledgers, net to the in-order totals`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioOf(overArb), fc.boolean(), async ({ events, noisy }, split) => {
          const { a, b, close } = await engine.open();
          try {
            const la = createCommissionLedger({ store: a, rules: RULES });
            const lb = createCommissionLedger({ store: b, rules: RULES });
            await Promise.all(
              [la, lb].map(async (l, side) => {
                for (const [i, e] of noisy.entries())
                  if (!split || i % 2 === side) await l.record(e);
              }),
            );
            const oracle = replay(events);
            const fresh = createCommissionLedger({ store: a, rules: RULES });
            const got = await fresh.entries();
            expect(totals(got, day(300))).toEqual(totals(oracle, day(300)));
            // no payment is reversed past its commission
            for (const earned of got.filter((e) => e.kind === "earned")) {
              const net = got
                .filter(
                  (e) =>
                    e.transactionId === earned.transactionId &&
                    e.partnerId === earned.partnerId &&
                    e.kind !== "paid",
                )
                .reduce((sum, e) => sum + e.amount.amount, 0);
              expect(net).toBeGreaterThanOrEqual(0);
            }
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 200 : 30)) },
      );
    });

    it(`${name}: renewals numbered by arrival, refunded, from two ledgers at once, net to the in-order totals`, async () => {
      const unnumbered = scenarioOf(
        streamArb.map((events) =>
          events.map((e) =>
            e.type === "payment" ? { ...e, paymentNumber: null, isFirstPayment: null } : e,
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(unnumbered, async ({ events, noisy }) => {
          const { a, b, close } = await engine.open();
          try {
            const ledgers = [a, b].map((store) => createCommissionLedger({ store, rules: RULES }));
            await Promise.all(
              ledgers.map(async (l, side) => {
                for (const [i, e] of noisy.entries()) if (i % 2 === side) await l.record(e);
              }),
            );
            const oracle = replay(events);
            const got = await createCommissionLedger({ store: a, rules: RULES }).entries();
            // an earn and its renumbering reversal instead of no earn: the same (zero) net
            const nonZero = (ledger: Commission[]) =>
              totals(ledger, day(300)).filter((t) => t.total !== 0);
            expect(nonZero(got)).toEqual(nonZero(oracle));
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 200 : 30)) },
      );
    });

    it(`${name}: payouts racing refunds on two ledgers keep what is owed and paid equal to the in-order totals`, async () => {
      await fc.assert(
        fc.asyncProperty(
          scenarioOf(overArb),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 90 })), { maxLength: 4 }),
          async ({ events, noisy }, at) => {
            const { a, b, close } = await engine.open();
            try {
              const mixed: CommissionEvent[] = noisy.slice();
              at.forEach(([pos, d], i) => {
                const partnerId = i % 2 ? "bob" : "alice";
                const payout: CommissionEvent = {
                  type: "payout",
                  payoutId: `po${i}`,
                  partnerId,
                  paidAt: day(d),
                };
                mixed.splice(pos % (mixed.length + 1), 0, payout);
              });
              const ledgers = [a, b].map((store) =>
                createCommissionLedger({ store, rules: RULES }),
              );
              await Promise.all(
                ledgers.map(async (l, side) => {
                  for (const [i, e] of mixed.entries()) if (i % 2 === side) await l.record(e);
                }),
              );
              const got = await createCommissionLedger({ store: a, rules: RULES }).entries();
              expect(totals(got, day(300))).toEqual(totals(replay(events), day(300)));
              // what was taken back after payouts is never negative
              for (const balance of commissionBalances(got, { asOf: day(300) }))
                expect(balance.clawedBack.amount).toBeGreaterThanOrEqual(0);
            } finally {
              await close();
            }
          },
        ),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 200 : 30)) },
      );
    });
  }
});
