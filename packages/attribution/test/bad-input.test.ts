import { type Money, MoneyError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import {
  attribute,
  type CommissionEvent,
  commissionEntries,
  createCommissionLedger,
  createCommissionPolicy,
} from "../src/index.js";

const usd = (amount: number): Money => ({ amount, currency: "USD" });
const policy = createCommissionPolicy({ rules: [{ percent: 30 }] });
const payment = {
  type: "payment",
  transactionId: "txn_1",
  amount: usd(1000),
  paidAt: 1_700_000_000_000,
  referral: { partnerId: "p_1" },
} as const;

const badEvents: Array<[string, unknown, typeof TypeError | typeof MoneyError]> = [
  ["a NaN paidAt", { ...payment, paidAt: Number.NaN }, TypeError],
  ["a fractional paidAt", { ...payment, paidAt: 1.5 }, TypeError],
  ["a missing transactionId", { ...payment, transactionId: undefined }, TypeError],
  ["an empty transactionId", { ...payment, transactionId: "" }, TypeError],
  ["a fractional amount", { ...payment, amount: usd(100.5) }, MoneyError],
  ["an unknown currency", { ...payment, amount: { amount: 100, currency: "XYZ" } }, MoneyError],
  ["an unknown event type", { ...payment, type: "chargeback" }, TypeError],
  [
    "a refund with a NaN refundedAt",
    {
      type: "refund",
      transactionId: "rf_1",
      refundedTransactionId: "txn_1",
      amount: usd(1),
      refundedAt: Number.NaN,
    },
    TypeError,
  ],
  ["a payout without a partner", { type: "payout", payoutId: "po_1", paidAt: 1 }, TypeError],
];

describe("bad commission events get typed errors", () => {
  it.each(badEvents)("commissionEntries refuses %s", (_, event, kind) => {
    expect(() => commissionEntries([], event as CommissionEvent, policy)).toThrow(kind);
  });

  it.each(badEvents)("the ledger refuses %s before touching the store", async (_, event, kind) => {
    const storage = createMemoryStorage();
    const ledger = createCommissionLedger({ store: storage, rules: [{ percent: 30 }] });
    const error = await ledger.record(event as CommissionEvent).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(kind);
    expect(await storage.listCommissions()).toEqual([]);
  });

  it("never writes a key such as earned:undefined", () => {
    expect(() =>
      commissionEntries([], { ...payment, transactionId: undefined } as never, policy),
    ).toThrow(/transactionId/);
  });
});

describe("attribute refuses a value that is not Money", () => {
  const touchpoint = {
    id: "tp1",
    anonymousId: "a1",
    occurredAt: 1,
    clickIds: {},
    utm: {},
    channel: "direct" as const,
  };
  it.each([
    ["currency XYZ", { amount: 100, currency: "XYZ" }],
    ["lower-case currency", { amount: 100, currency: "usd" }],
    ["a fractional amount", { amount: 100.5, currency: "USD" }],
  ])("%s", (_, value) => {
    expect(() => attribute({ occurredAt: 10, value }, [touchpoint])).toThrow(MoneyError);
    expect(() =>
      attribute({ occurredAt: 10, value }, [touchpoint, { ...touchpoint, id: "tp2" }], {
        models: ["linear"],
      }),
    ).toThrow(MoneyError);
  });
});
