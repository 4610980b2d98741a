import { ConfigError, type Conversion, type Credit, type Touchpoint } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { day, gaPath, T0, tp, usd } from "../test/fixtures.js";
import { attribute, createAttributionEngine } from "./attribution-engine.js";
import { MODEL_NAMES, type ModelOptions } from "./attribution-options.js";
import { days } from "./time.js";

const conversion = { occurredAt: day(10), value: usd(10_000), clickId: "gclid-A" };
const summary = (credits: readonly Credit[]) =>
  credits.map((credit) => [credit.touchpoint.id, credit.share, credit.amount?.amount]);

describe("the GA-style 4-touch path (A paid search d0 → B organic social d3 → C email d6 → D direct d9; USD 100.00 on d10)", () => {
  // Hand-computed expectations. Time decay (half-life 7 days, measured back from the conversion):
  // weights 2^(-10/7), 2^(-7/7), 2^(-4/7), 2^(-1/7) ∝ 2^(-9/7), 2^(-6/7), 2^(-3/7), 1
  // = 0.410168, 0.552045, 0.742997, 1 (sum 2.705210) → shares 0.151621, 0.204067, 0.274654, 0.369657
  // → 1516.21, 2040.67, 2746.54, 3696.57 cents; floors sum to 9998, the 2 cents left go to the largest
  // remainders (B .67, D .57): 1516, 2041, 2746, 3697.
  const table: Array<[string, Array<[string, number, number]>]> = [
    ["first_touch", [["A", 1, 10_000]]],
    ["last_touch", [["D", 1, 10_000]]],
    ["last_non_direct", [["C", 1, 10_000]]],
    [
      "linear",
      [
        ["A", 0.25, 2500],
        ["B", 0.25, 2500],
        ["C", 0.25, 2500],
        ["D", 0.25, 2500],
      ],
    ],
    [
      "time_decay",
      [
        ["A", 0.151621, 1516],
        ["B", 0.204067, 2041],
        ["C", 0.274654, 2746],
        ["D", 0.369657, 3697],
      ],
    ],
    [
      "position_based",
      [
        ["A", 0.4, 4000],
        ["B", 0.1, 1000],
        ["C", 0.1, 1000],
        ["D", 0.4, 4000],
      ],
    ],
    ["click_id_chain", [["A", 1, 10_000]]],
  ];

  it.each(table)("%s", (model, expected) => {
    const result = attribute(conversion, gaPath(), {
      models: [model as (typeof MODEL_NAMES)[number]],
    });
    const credits = result.models[0]?.credits ?? [];
    expect(credits.map((c) => c.touchpoint.id)).toEqual(expected.map(([id]) => id));
    expect(credits.map((c) => c.amount)).toEqual(expected.map(([, , cents]) => usd(cents)));
    credits.forEach((credit, i) => {
      expect(credit.share).toBeCloseTo((expected[i] as [string, number, number])[1], 6);
    });
    expect(credits.every((credit) => credit.model === model)).toBe(true);
  });

  it("runs all seven models side by side and flattens their credits in model order", () => {
    const result = attribute(conversion, gaPath(), { models: [...MODEL_NAMES] });
    expect(result.models.map((m) => m.name)).toEqual([...MODEL_NAMES]);
    expect(result.credits).toEqual(result.models.flatMap((m) => m.credits));
    expect(result.credits).toHaveLength(1 + 1 + 1 + 4 + 4 + 4 + 1);
    expect(result.value).toEqual(usd(10_000));
    expect(result.occurredAt).toBe(day(10));
  });

  it("position-based percentages are configurable (30/30 → middle 20% each)", () => {
    const result = attribute(conversion, gaPath(), {
      models: [{ model: "position_based", first: 30, last: 30 }],
    });
    expect(summary(result.credits)).toEqual([
      ["A", 0.3, 3000],
      ["B", 0.2, 2000],
      ["C", 0.2, 2000],
      ["D", 0.3, 3000],
    ]);
  });

  it("position-based with two touchpoints splits first : last, and gives one touchpoint everything", () => {
    const two = attribute(conversion, gaPath().slice(0, 2), {
      models: [{ model: "position_based", first: 60, last: 20 }],
    });
    expect(summary(two.credits)).toEqual([
      ["A", 0.75, 7500],
      ["B", 0.25, 2500],
    ]);
    const one = attribute(conversion, gaPath().slice(0, 1), { models: ["position_based"] });
    expect(summary(one.credits)).toEqual([["A", 1, 10_000]]);
  });

  it("time decay's half-life is configurable (1 day: each older day halves)", () => {
    const path = [tp("x", 7), tp("y", 8), tp("z", 9)];
    const result = attribute(conversion, path, {
      models: [{ model: "time_decay", halfLifeMs: days(1) }],
    });
    // Weights 1/4, 1/2, 1 → 1/7, 2/7, 4/7 of 10 000 = 1428.57, 2857.14, 5714.29 → 1429, 2857, 5714.
    expect(summary(result.credits)).toEqual([
      ["x", 1 / 7, 1429],
      ["y", 2 / 7, 2857],
      ["z", 4 / 7, 5714],
    ]);
  });
});

describe("explanations", () => {
  it("lists the considered touchpoints with weights and shares, and the deciding rule", () => {
    const [linear] = attribute(conversion, gaPath(), { models: ["linear"] }).models;
    expect(linear?.explanation).toEqual({
      model: "linear",
      name: "linear",
      rule: "linear",
      anchorAt: day(10),
      windowStart: null,
      considered: [
        { touchpointId: "A", occurredAt: day(0), channel: "paid_search", weight: 1, share: 0.25 },
        {
          touchpointId: "B",
          occurredAt: day(3),
          channel: "organic_social",
          weight: 1,
          share: 0.25,
        },
        { touchpointId: "C", occurredAt: day(6), channel: "email", weight: 1, share: 0.25 },
        { touchpointId: "D", occurredAt: day(9), channel: "direct", weight: 1, share: 0.25 },
      ],
      excluded: [],
      summary:
        "linear: Every eligible touchpoint gets an equal share. 4 considered, 0 excluded (no lookback window).",
    });
  });

  it("gives the non-credited touchpoints weight 0 under single-touch models", () => {
    const [first] = attribute(conversion, gaPath()).models;
    expect(first?.explanation.considered.map((c) => [c.touchpointId, c.weight, c.share])).toEqual([
      ["A", 1, 1],
      ["B", 0, 0],
      ["C", 0, 0],
      ["D", 0, 0],
    ]);
    expect(first?.explanation.rule).toBe("first_touch");
  });

  it("explains exclusions: after the conversion, outside the window, junk, duplicate, direct", () => {
    const path = [
      tp("old", -30, { clickIds: { ttclid: "tt-old" } }),
      ...gaPath(),
      gaPath()[1] as Touchpoint,
      tp("bot", 5, { userAgent: "Googlebot/2.1" }),
      tp("late", 11),
    ];
    const result = attribute(conversion, path, {
      models: [{ model: "last_non_direct", lookbackMs: days(20) }],
      isJunk: (touchpoint) => touchpoint.userAgent?.includes("bot") === true,
    });
    const explanation = result.models[0]?.explanation;
    expect(explanation?.rule).toBe("last_non_direct");
    expect(explanation?.windowStart).toBe(day(-10));
    expect(explanation?.considered.map((c) => c.touchpointId)).toEqual(["A", "B", "C"]);
    expect(explanation?.excluded).toEqual([
      { touchpointId: "old", occurredAt: day(-30), reason: "outside_window" },
      { touchpointId: "B", occurredAt: day(3), reason: "duplicate" },
      { touchpointId: "bot", occurredAt: day(5), reason: "junk" },
      { touchpointId: "D", occurredAt: day(9), reason: "direct" },
      { touchpointId: "late", occurredAt: day(11), reason: "after_conversion" },
    ]);
    expect(summary(result.credits)).toEqual([["C", 1, 10_000]]);
  });

  it("treats touchpoints with an empty id or a bad timestamp as junk", () => {
    const bad = [
      { ...tp("x", 1), id: "" },
      { ...tp("y", 2), occurredAt: Number.NaN },
      { ...tp("z", 3), occurredAt: 1.5 },
    ];
    const result = attribute(conversion, [...bad, tp("ok", 4)]);
    expect(result.models[0]?.explanation.excluded.map((e) => e.reason)).toEqual([
      "junk",
      "junk",
      "junk",
    ]);
    expect(summary(result.credits)).toEqual([["ok", 1, 10_000]]);
  });

  it("falls back to the last direct touchpoint when last_non_direct finds only direct ones", () => {
    const result = attribute(conversion, [tp("d1", 1), tp("d2", 2)], {
      models: ["last_non_direct"],
    });
    expect(result.models[0]?.explanation.rule).toBe("direct_fallback");
    expect(result.models[0]?.explanation.excluded).toEqual([]);
    expect(summary(result.credits)).toEqual([["d2", 1, 10_000]]);
  });

  it("says when nothing is eligible, and credits nothing", () => {
    const result = attribute(conversion, [tp("late", 12)], { models: ["linear"] });
    expect(result.credits).toEqual([]);
    expect(result.models[0]?.explanation.rule).toBe("no_eligible_touchpoints");
    expect(result.models[0]?.explanation.summary).toBe(
      "linear: No eligible touchpoint: nothing is credited. 0 considered, 1 excluded (no lookback window).",
    );
  });

  it("is plain data: structuredClone and object spread keep it", () => {
    const result = attribute(conversion, gaPath(), { models: ["first_touch", "linear"] });
    const expected = JSON.parse(JSON.stringify(result.models[1]?.explanation));
    expect(structuredClone(result).models[1]?.explanation).toEqual(expected);
    expect({ ...result.models[1] }.explanation).toEqual(expected);
    expect(Object.keys(result.models[1] ?? {})).toEqual([
      "name",
      "model",
      "credits",
      "explanation",
    ]);
  });

  it("is part of the JSON form of a result", () => {
    const result = attribute(conversion, gaPath(), { models: ["first_touch", "linear"] });
    const json = JSON.parse(JSON.stringify(result));
    expect(json.models[1].explanation).toEqual(
      JSON.parse(JSON.stringify(result.models[1]?.explanation)),
    );
    expect(json.models[0].credits).toEqual(JSON.parse(JSON.stringify(result.models[0]?.credits)));
  });
});

describe("lookback windows per model and per destination", () => {
  // Research §2.2: TikTok judges a 7-day click window on its own clicks; affiliates use 30–90 days.
  const path = [
    tp("aff", 0, { clickIds: { affiliateRef: "partner_1" } }),
    tp("tiktok-old", 1, { clickIds: { ttclid: "tt-1" } }),
    tp("tiktok-new", 5, { clickIds: { ttclid: "tt-2" } }),
    tp("google", 8, { clickIds: { gclid: "g-1" } }),
  ];
  const options = {
    models: [
      { name: "tiktok", model: "last_touch", lookbackMs: days(7), clickIds: ["ttclid"] },
      {
        name: "affiliate_30d",
        model: "first_touch",
        lookbackMs: days(30),
        channels: ["affiliate"],
      },
      { name: "affiliate_7d", model: "first_touch", lookbackMs: days(7), channels: ["affiliate"] },
      { name: "ga4", model: "last_non_direct", lookbackMs: days(90) },
    ],
  } as const;

  it("credits each destination by its own window and eligibility", () => {
    const result = attribute(conversion, path, options);
    expect(result.models.map((m) => [m.name, m.credits.map((c) => c.touchpoint.id)])).toEqual([
      ["tiktok", ["tiktok-new"]],
      ["affiliate_30d", ["aff"]],
      ["affiliate_7d", []],
      ["ga4", ["google"]],
    ]);
    expect(
      result.credits.every((credit) => ["tiktok", "affiliate_30d", "ga4"].includes(credit.model)),
    ).toBe(true);
    const tiktok = result.models[0]?.explanation;
    expect(tiktok?.excluded).toEqual([
      { touchpointId: "aff", occurredAt: day(0), reason: "outside_window" },
      { touchpointId: "tiktok-old", occurredAt: day(1), reason: "outside_window" },
      { touchpointId: "google", occurredAt: day(8), reason: "not_eligible" },
    ]);
    expect(tiktok?.windowStart).toBe(day(3));
  });

  it("includes a touchpoint exactly at the window start and one at the conversion time", () => {
    const edge = [tp("start", 3), tp("now", 10)];
    const result = attribute(conversion, edge, {
      models: [{ model: "linear", lookbackMs: days(7) }],
    });
    expect(result.credits.map((c) => c.touchpoint.id)).toEqual(["start", "now"]);
  });
});

describe("subsequent revenue (renewals)", () => {
  const path = [
    tp("tiktok", 1, { clickIds: { ttclid: "tt-1" } }),
    tp("google", 20, { clickIds: { gclid: "g-1" } }),
  ];
  const renewal = { occurredAt: day(40), value: usd(2_900), originalOccurredAt: day(10) };

  it("credits the original touchpoints under first-touch, weeks later (Able)", () => {
    const result = attribute(renewal, path, { models: ["first_touch", "last_touch"] });
    expect(summary(result.credits)).toEqual([
      ["tiktok", 1, 2900],
      ["tiktok", 1, 2900],
    ]);
    const explanation = result.models[1]?.explanation;
    expect(explanation?.anchorAt).toBe(day(10));
    expect(explanation?.excluded).toEqual([
      { touchpointId: "google", occurredAt: day(20), reason: "after_original_conversion" },
    ]);
  });

  it("measures the window from the original conversion", () => {
    const result = attribute(renewal, path, {
      models: [{ model: "first_touch", lookbackMs: days(7) }],
    });
    expect(summary(result.credits)).toEqual([]);
    expect(result.models[0]?.explanation.windowStart).toBe(day(3));
  });

  it("re-attributes each payment on its own with renewals: own", () => {
    const result = attribute(renewal, path, { models: [{ model: "last_touch", renewals: "own" }] });
    expect(summary(result.credits)).toEqual([["google", 1, 2900]]);
    expect(result.models[0]?.explanation.anchorAt).toBe(day(40));
  });
});

describe("inputs", () => {
  it("accepts a core Conversion as is, reading the click id from its billing event", () => {
    const core: Conversion = {
      id: "chargebee:ev_1:first_payment",
      name: "first_payment",
      source: "chargebee",
      sourceEventId: "ev_1",
      occurredAt: day(10),
      value: usd(500),
      billingEvent: null,
      retentionEvent: null,
      contact: {
        email: null,
        phone: null,
        externalId: null,
        firstName: null,
        lastName: null,
        company: null,
        country: null,
      },
      personId: null,
      anonymousId: null,
      identityKeys: [],
      credits: [],
    };
    expect(summary(attribute(core, gaPath()).credits)).toEqual([["A", 1, 500]]);
  });

  it("gives shares without amounts when the value is null, and negative amounts for a refund", () => {
    const none = attribute({ occurredAt: day(10), value: null }, gaPath(), { models: ["linear"] });
    expect(summary(none.credits)).toEqual([
      ["A", 0.25, undefined],
      ["B", 0.25, undefined],
      ["C", 0.25, undefined],
      ["D", 0.25, undefined],
    ]);
    expect(none.credits[0]?.amount).toBeNull();
    const refund = attribute({ occurredAt: day(10), value: usd(-1001) }, gaPath(), {
      models: ["linear"],
    });
    expect(refund.credits.map((c) => c.amount?.amount)).toEqual([-251, -250, -250, -250]);
  });

  it("allocates zero-decimal currencies in whole units", () => {
    const result = attribute(
      { occurredAt: day(10), value: { amount: 1000, currency: "JPY" } },
      gaPath().slice(0, 3),
      {
        models: ["linear"],
      },
    );
    expect(result.credits.map((c) => c.amount)).toEqual([
      { amount: 334, currency: "JPY" },
      { amount: 333, currency: "JPY" },
      { amount: 333, currency: "JPY" },
    ]);
  });

  it("does not modify the touchpoints array", () => {
    const path = gaPath().reverse();
    const before = path.map((t) => t.id);
    attribute(conversion, path, { models: ["linear"] });
    expect(path.map((t) => t.id)).toEqual(before);
  });

  it("orders equal times by id, so the input order never matters", () => {
    const same = [tp("b", 5), tp("a", 5), tp("c", 5)];
    const forward = attribute(conversion, same, { models: ["first_touch", "linear"] });
    const backward = attribute(conversion, same.slice().reverse(), {
      models: ["first_touch", "linear"],
    });
    expect(summary(forward.credits)).toEqual(summary(backward.credits));
    expect(forward.models[0]?.credits[0]?.touchpoint.id).toBe("a");
    // Largest remainder gives the extra cent to the earliest: a.
    expect(forward.models[1]?.credits.map((c) => [c.touchpoint.id, c.amount?.amount])).toEqual([
      ["a", 3334],
      ["b", 3333],
      ["c", 3333],
    ]);
  });

  it("rejects a conversion time that is not a finite number", () => {
    expect(() => attribute({ occurredAt: Number.NaN, value: null }, [])).toThrow(TypeError);
  });
});

describe("options", () => {
  it("validates at construction and names the bad field", () => {
    const cases: Array<[unknown, string]> = [
      [{ models: ["nope"] }, "models.0.model"],
      [{ models: [] }, "models"],
      [{ models: [{ model: "time_decay", halfLifeMs: 0 }] }, "models.0.halfLifeMs"],
      [{ models: [{ model: "position_based", first: 70, last: 40 }] }, "models.0.last"],
      [{ models: [{ model: "linear", lookbackMs: -1 }] }, "models.0.lookbackMs"],
      [{ models: [{ model: "linear", channels: ["tv"] }] }, "models.0.channels.0"],
      [{ models: ["linear", { model: "linear" }] }, "models.1.name"],
      [{ isJunk: "yes" }, "isJunk"],
    ];
    for (const [options, field] of cases) {
      let error: unknown;
      try {
        createAttributionEngine(options as never);
      } catch (caught) {
        error = caught;
      }
      expect(ConfigError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as ConfigError).fields, JSON.stringify(options)).toContain(field);
    }
  });

  it("fills defaults: first-touch, 7-day half-life, 40/20/40, first match, affiliate fallback", () => {
    expect(createAttributionEngine().models.map((m) => m.model)).toEqual(["first_touch"]);
    const [decay, position, chain] = createAttributionEngine({
      models: ["time_decay", "position_based", "click_id_chain"],
    }).models;
    expect(decay?.halfLifeMs).toBe(days(7));
    expect([position?.first, position?.last]).toEqual([40, 40]);
    expect([
      chain?.pick,
      chain?.fallbackChannels,
      chain?.unrecordedRef,
      chain?.lookbackMs,
      chain?.renewals,
    ]).toEqual(["first", ["affiliate"], "credit", null, "original"]);
  });

  it("validates an options object once and re-uses it", () => {
    let reads = 0;
    const options = {
      get models() {
        reads++;
        return ["linear" as const];
      },
    };
    attribute(conversion, gaPath(), options);
    attribute(conversion, gaPath(), options);
    expect(reads).toBe(1);
  });

  it("freezes an options object on first use, so a later change cannot be silently ignored", () => {
    const options: { models: ModelOptions[]; isJunk?: (touchpoint: Touchpoint) => boolean } = {
      models: ["first_touch", { model: "linear", channels: ["email"] }],
    };
    const before = attribute(conversion, gaPath(), options);
    expect(() => {
      options.models[0] = "last_touch";
    }).toThrow(TypeError);
    expect(() => {
      options.isJunk = () => true;
    }).toThrow(TypeError);
    expect(() => {
      (options.models[1] as unknown as { channels: string[] }).channels.push("direct");
    }).toThrow(TypeError);
    expect(attribute(conversion, gaPath(), options)).toEqual(before);
    // A copy is a new options object, validated on its own.
    const copy = { ...options, models: ["last_touch" as const] };
    expect(attribute(conversion, gaPath(), copy).credits.map((c) => c.touchpoint.id)).toEqual([
      "D",
    ]);
  });

  it("uses T0-relative fixtures (sanity)", () => {
    expect(day(0)).toBe(T0);
  });
});
