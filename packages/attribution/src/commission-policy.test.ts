import { ConfigError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { usd } from "../test/fixtures.js";
import { createCommissionPolicy } from "./commission-policy.js";
import { days } from "./time.js";

describe("createCommissionPolicy", () => {
  it("fills defaults and converts percent to parts per million", () => {
    const policy = createCommissionPolicy({ rules: [{ percent: 12.5 }] });
    expect(policy.rules).toEqual([
      {
        id: "any-partner/any-program",
        partnerId: null,
        programId: null,
        ppm: 125_000,
        flat: null,
        duration: "lifetime",
        trialPayments: "skip",
        minimumPayment: null,
        holdMs: days(30),
        rounding: "half-up",
      },
    ]);
    expect(policy.minimumPayouts).toBeNull();
  });

  it("picks the most specific rule: partner+program > partner > program > default", () => {
    const policy = createCommissionPolicy({
      rules: [
        { id: "default", percent: 10 },
        { id: "program", programId: "saas", percent: 20 },
        { id: "partner", partnerId: "alice", percent: 30 },
        { id: "both", partnerId: "alice", programId: "saas", percent: 40 },
      ],
    });
    expect(policy.ruleFor("alice", "saas")?.id).toBe("both");
    expect(policy.ruleFor("alice", "other")?.id).toBe("partner");
    expect(policy.ruleFor("alice", null)?.id).toBe("partner");
    expect(policy.ruleFor("bob", "saas")?.id).toBe("program");
    expect(policy.ruleFor("bob", null)?.id).toBe("default");
    expect(
      createCommissionPolicy({ rules: [{ partnerId: "alice", percent: 1 }] }).ruleFor("bob", null),
    ).toBeNull();
  });

  it("rejects bad rules, naming the field", () => {
    const cases: Array<[unknown, string]> = [
      [{ rules: [{}] }, "rules.0.percent"],
      [{ rules: [{ percent: 10, flat: [usd(500)] }] }, "rules.0.percent"],
      [{ rules: [{ percent: 101 }] }, "rules.0.percent"],
      [{ rules: [{ percent: 1.23456 }] }, "rules.0.percent"],
      [{ rules: [{ flat: [usd(500), usd(600)] }] }, "rules.0.flat"],
      [{ rules: [{ percent: 5, duration: { months: 0 } }] }, "rules.0.duration.months"],
      [{ rules: [{ percent: 5, holdMs: -1 }] }, "rules.0.holdMs"],
      [
        { rules: [{ percent: 5, minimumPayment: [{ amount: 1, currency: "XYZ" }] }] },
        "rules.0.minimumPayment.0.currency",
      ],
      [{ rules: [{ percent: 5 }, { percent: 6 }] }, "rules.1"],
      [{ rules: [], minimumPayouts: [] }, "minimumPayouts"],
    ];
    for (const [options, field] of cases) {
      let error: unknown;
      try {
        createCommissionPolicy(options as never);
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as ConfigError).fields, JSON.stringify(options)).toContain(field);
    }
  });
});
