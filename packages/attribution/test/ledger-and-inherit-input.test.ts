/**
 * black-box defects of the attribution engine and the commission ledger.
 */
import { StorageError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import {
  attribute,
  type CommissionPayment,
  createCommissionLedger,
  days,
  inheritAttribution,
} from "../src/index.js";
import { day, tp } from "./fixtures.js";

describe("inheritAttribution with a repeated touchpoint id", () => {
  // README: touchpoints are `duplicate` only with the same id AND time, so one id at two times is two
  // touchpoints; inheritAttribution "uses the same touchpoints and weights". It looks the weights up by
  // touchpoint id (inherit-attribution.ts, `weightOf = new Map(considered.map(c => [c.touchpointId, …]))`),
  // so the later weight of a repeated id overwrites the earlier one.
  it("re-uses the original weights when one touchpoint id occurs at two times", () => {
    const touchpoints = [
      tp("a", 1, { clickIds: { gclid: "g" } }),
      tp("a", 5, { utm: { source: "news", medium: "email" } }),
      tp("b", 8),
    ];
    const options = {
      models: [{ model: "time_decay" as const, halfLifeMs: days(2) }, "position_based" as const],
    };
    const value = { amount: 10_000, currency: "USD" };
    const original = attribute({ occurredAt: day(10), value }, touchpoints, options);
    const renewal = inheritAttribution(original, { occurredAt: day(40), value });
    const amounts = (r: typeof original) =>
      r.models.map((m) => m.credits.map((c) => c.amount?.amount));
    // observed: time_decay [2071, 2071, 5858] and position_based [2500, 2500, 5000]
    expect(amounts(renewal)).toEqual(amounts(original)); // [[613, 2452, 6935], [4000, 2000, 4000]]
  });
});

describe("inheritAttribution with a bad time", () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, 9e15, "5"])(
    "occurredAt %s is a TypeError, not a RangeError from the explanation",
    (occurredAt) => {
      const value = { amount: 10_000, currency: "USD" };
      const original = attribute({ occurredAt: day(10), value }, [tp("a", 1)], {});
      expect(() =>
        inheritAttribution(original, { occurredAt: occurredAt as number, value }),
      ).toThrow(TypeError);
    },
  );
});

describe("commission ledger: referral checks", () => {
  const payment = (referral: unknown): CommissionPayment =>
    ({
      type: "payment",
      transactionId: "txn_1",
      amount: { amount: 1000, currency: "USD" },
      paidAt: day(1),
      subscriptionId: "sub_1",
      isFirstPayment: true,
      referral,
    }) as CommissionPayment;

  // README "Errors": a malformed commission event is a TypeError "named by field, before any store
  // call". checkCommissionEvent (commission-event-check.ts) never looks at `referral`, so the store's
  // own validation throws StorageError (storage_failed, HTTP 503: "retry later") for a bad event.
  for (const [name, referral] of [
    ["an empty partnerId", { partnerId: "" }],
    ["a numeric partnerId", { partnerId: 42 }],
    ["a referral given as a string", "alice"],
    ["a numeric programId", { partnerId: "alice", programId: 5 }],
    ["a partnerId holding U+0000", { partnerId: "a\u0000" }],
  ] as const) {
    it(`rejects ${name} with a TypeError, not a StorageError`, async () => {
      const ledger = createCommissionLedger({
        store: createMemoryStorage(),
        rules: [{ percent: 10 }],
      });
      const error = await ledger.record(payment(referral)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(StorageError.isInstance(error)).toBe(false);
      expect(error).toBeInstanceOf(TypeError);
    });
  }
});
