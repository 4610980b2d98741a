import type { Commission, Conversion, Credit, Money } from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type AttributionInput,
  type AttributionOptions,
  type AttributionResult,
  attribute,
  type CommissionBalance,
  type CommissionEvent,
  commissionEntries,
  createAttributionEngine,
  createCommissionPolicy,
  type Explanation,
  type ModelOptions,
} from "../src/index.js";

describe("public types of @revtrace/attribution", () => {
  it("accepts a core Conversion, or a hand-written object, as the conversion", () => {
    expectTypeOf<Conversion>().toExtend<AttributionInput>();
    expectTypeOf({ occurredAt: 0, value: null }).toExtend<AttributionInput>();
    expectTypeOf<{ occurredAt: number }>().not.toExtend<AttributionInput>();
  });

  it("returns core Credits that fit Conversion.credits, and typed explanations", () => {
    expectTypeOf<AttributionResult["credits"]>().toEqualTypeOf<Credit[]>();
    expectTypeOf<AttributionResult["credits"]>().toExtend<Conversion["credits"]>();
    expectTypeOf(attribute).returns.toEqualTypeOf<AttributionResult>();
    expectTypeOf<AttributionResult["models"][number]["explanation"]>().toEqualTypeOf<Explanation>();
    expectTypeOf<Explanation["rule"]>().not.toEqualTypeOf<string>();
  });

  it("takes models by name or with their own settings, `as const` included", () => {
    expectTypeOf<"linear">().toExtend<ModelOptions>();
    expectTypeOf<"nope">().not.toExtend<ModelOptions>();
    expectTypeOf<{ model: "time_decay"; halfLifeMs: number }>().toExtend<ModelOptions>();
    const options = { models: [{ model: "linear", channels: ["affiliate"] }] } as const;
    expectTypeOf(options).toExtend<AttributionOptions>();
    // @ts-expect-error halfLifeMs is a time_decay setting, not a linear one
    createAttributionEngine({ models: [{ model: "linear", halfLifeMs: 5 }] });
  });

  it("produces core Commission entries and Money balances", () => {
    expectTypeOf(commissionEntries).returns.toEqualTypeOf<Commission[]>();
    expectTypeOf<CommissionBalance["payable"]>().toEqualTypeOf<Money>();
    expectTypeOf<{
      type: "payout";
      payoutId: string;
      partnerId: string;
      paidAt: number;
    }>().toExtend<CommissionEvent>();
    expectTypeOf(createCommissionPolicy).parameter(0).toHaveProperty("rules");
    // @ts-expect-error a rule's duration is first_payment, lifetime, { months } or { payments }
    createCommissionPolicy({ rules: [{ percent: 30, duration: "forever" }] });
  });
});
