import { describe, expect, it } from "vitest";
import { day, gaPath, usd } from "../test/fixtures.js";
import { attribute } from "./attribution-engine.js";
import type { AttributionResult } from "./attribution-result.js";
import { inheritAttribution } from "./inherit-attribution.js";

describe("inheritAttribution", () => {
  const original = attribute({ occurredAt: day(10), value: usd(10_000) }, gaPath(), {
    models: [
      "first_touch",
      "linear",
      "time_decay",
      { model: "last_touch", name: "tiktok", lookbackMs: 1 },
    ],
  });

  it("re-allocates a renewal over the original touchpoints and weights, exactly", () => {
    const renewal = inheritAttribution(original, { occurredAt: day(40), value: usd(2_999) });
    expect(renewal.occurredAt).toBe(day(40));
    expect(
      renewal.models.map((m) => [
        m.name,
        m.credits.map((c) => [c.touchpoint.id, c.amount?.amount]),
      ]),
    ).toEqual([
      ["first_touch", [["A", 2999]]],
      [
        "linear",
        [
          ["A", 750],
          ["B", 750],
          ["C", 750],
          ["D", 749],
        ],
      ],
      // 2999 × shares 0.151621, 0.204067, 0.274654, 0.369657 = 454.71, 611.99, 823.69, 1108.60
      // → floors 454 + 611 + 823 + 1108 = 2996; the 3 cents left go to B (.99), A (.71), C (.69).
      [
        "time_decay",
        [
          ["A", 455],
          ["B", 612],
          ["C", 824],
          ["D", 1108],
        ],
      ],
      ["tiktok", []],
    ]);
    expect(renewal.credits).toEqual(renewal.models.flatMap((m) => m.credits));
    expect(renewal.models[1]?.explanation.rule).toBe("inherited");
    expect(renewal.models[3]?.explanation.rule).toBe("no_eligible_touchpoints");
    expect(renewal.models[0]?.explanation.summary).toBe(
      "first_touch: Subsequent revenue at 2025-02-10T00:00:00.000Z re-uses the credits of the original conversion (first_touch).",
    );
  });

  it("works on a structured clone, an object spread, and a result stored without explanations", () => {
    const conversion = { occurredAt: day(40), value: usd(2_999) };
    const expected = JSON.parse(JSON.stringify(inheritAttribution(original, conversion)));
    const cloned = inheritAttribution(structuredClone(original), conversion);
    expect(JSON.parse(JSON.stringify(cloned))).toEqual(expected);
    const spread = { ...original, models: original.models.map((m) => ({ ...m })) };
    expect(JSON.parse(JSON.stringify(inheritAttribution(spread, conversion)))).toEqual(expected);
    // Without explanations, the credits' shares weigh the touchpoints.
    const bare = {
      ...original,
      models: original.models.map(({ name, model, credits }) => ({ name, model, credits })),
    } as unknown as AttributionResult;
    const inherited = inheritAttribution(bare, conversion);
    expect(inherited.credits.map((c) => [c.model, c.touchpoint.id, c.amount?.amount])).toEqual(
      expected.credits.map(
        (c: { model: string; touchpoint: { id: string }; amount: { amount: number } }) => [
          c.model,
          c.touchpoint.id,
          c.amount.amount,
        ],
      ),
    );
    expect(inherited.models[1]?.explanation).toMatchObject({
      rule: "inherited",
      excluded: [],
      considered: [
        { touchpointId: "A", share: 0.25, weight: 0.25 },
        { touchpointId: "B", share: 0.25, weight: 0.25 },
        { touchpointId: "C", share: 0.25, weight: 0.25 },
        { touchpointId: "D", share: 0.25, weight: 0.25 },
      ],
    });
  });

  it("works on a result stored as JSON and read back", () => {
    const stored = JSON.parse(JSON.stringify(original)) as AttributionResult;
    const fromJson = inheritAttribution(stored, { occurredAt: day(40), value: usd(2_999) });
    const fromMemory = inheritAttribution(original, { occurredAt: day(40), value: usd(2_999) });
    expect(JSON.parse(JSON.stringify(fromJson))).toEqual(JSON.parse(JSON.stringify(fromMemory)));
  });
});
