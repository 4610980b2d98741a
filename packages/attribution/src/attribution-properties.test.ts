import type { Channel, Touchpoint } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { day } from "../test/fixtures.js";
import { attribute } from "./attribution-engine.js";
import { type AttributionOptions, MODEL_NAMES, type ModelOptions } from "./attribution-options.js";
import { days } from "./time.js";

const CHANNELS: Channel[] = [
  "affiliate",
  "paid_social",
  "paid_search",
  "email",
  "organic_social",
  "organic_search",
  "referral",
  "direct",
];
// Zero-, two-, three- and four-decimal currencies.
const currency = fc.constantFrom("USD", "EUR", "JPY", "KRW", "KWD", "BHD", "CLF");

const touchpoint: fc.Arbitrary<Touchpoint> = fc
  .record({
    id: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"),
    // Often the same few instants, so equal times (and repeated touchpoints) are common.
    offsetMinutes: fc.oneof(
      fc.integer({ min: -90 * 1440, max: 5 * 1440 }),
      fc.constantFrom(-2880, -1440, 0),
    ),
    channel: fc.constantFrom(...CHANNELS),
    clickId: fc.option(fc.constantFrom("clk_1", "clk_2", "tt_1"), { nil: undefined }),
    ref: fc.option(fc.constantFrom("alice", "bob"), { nil: undefined }),
  })
  .map(({ id, offsetMinutes, channel, clickId, ref }) => ({
    id,
    anonymousId: "anon",
    occurredAt: day(60) + offsetMinutes * 60_000,
    clickIds: {
      ...(clickId === undefined
        ? {}
        : clickId.startsWith("tt")
          ? { ttclid: clickId }
          : { affiliateClickId: clickId }),
      ...(ref === undefined ? {} : { affiliateRef: ref }),
    },
    utm: {},
    channel,
  }));

const model: fc.Arbitrary<ModelOptions> = fc
  .record({
    model: fc.constantFrom(...MODEL_NAMES),
    lookbackDays: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
    halfLifeDays: fc.double({ min: 0.01, max: 30, noNaN: true }),
    first: fc.integer({ min: 0, max: 100 }),
    last: fc.integer({ min: 0, max: 100 }),
    renewals: fc.constantFrom("original" as const, "own" as const),
  })
  .map(({ model, lookbackDays, halfLifeDays, first, last, renewals }) => {
    const common = {
      model,
      lookbackMs: lookbackDays === null ? null : days(lookbackDays),
      renewals,
    };
    if (model === "time_decay") return { ...common, model, halfLifeMs: days(halfLifeDays) };
    if (model === "position_based")
      return { ...common, model, first: Math.min(first, 100 - last), last };
    return common as ModelOptions;
  });

const scenarioWith = (minTouchpoints: number, maxTouchpoints: number) =>
  fc.record({
    amount: fc.option(fc.integer({ min: -1e12, max: 1e12 }), { nil: null }),
    currency,
    touchpoints: fc.array(touchpoint, { minLength: minTouchpoints, maxLength: maxTouchpoints }),
    models: fc.uniqueArray(model, {
      minLength: 1,
      maxLength: 7,
      selector: (m) => (typeof m === "string" ? m : m.model),
    }),
    clickId: fc.option(fc.constantFrom("clk_1", "clk_2", "tt_1", "clk_none"), { nil: null }),
    affiliateRef: fc.option(fc.constantFrom("alice", "bob", "zoe"), { nil: null }),
    renewal: fc.boolean(),
  });
// Paths past 24 touchpoints take the Array#sort branch instead of the insertion sort.
const scenario = scenarioWith(0, 14);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run(s: Scenario, touchpoints: readonly Touchpoint[] = s.touchpoints) {
  const options: AttributionOptions = { models: s.models };
  return attribute(
    {
      occurredAt: day(60),
      value: s.amount === null ? null : { amount: s.amount, currency: s.currency },
      clickId: s.clickId,
      affiliateRef: s.affiliateRef,
      originalOccurredAt: s.renewal ? day(55) : null,
    },
    touchpoints,
    options,
  );
}

describe("attribution properties", () => {
  it("credits sum exactly to the value for every model and currency; shares sum to 1", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const result of run(s).models) {
          if (result.credits.length === 0) continue;
          let shares = 0;
          let cents = 0;
          for (const credit of result.credits) {
            expect(credit.share).toBeGreaterThan(0);
            expect(credit.share).toBeLessThanOrEqual(1);
            shares += credit.share;
            if (s.amount === null) expect(credit.amount).toBeNull();
            else {
              expect(credit.amount?.currency).toBe(s.currency);
              const part = credit.amount?.amount as number;
              expect(Number.isSafeInteger(part)).toBe(true);
              // Every part has the sign of the value.
              expect(part * Math.sign(s.amount)).toBeGreaterThanOrEqual(0);
              cents += part;
            }
          }
          expect(Math.abs(shares - 1)).toBeLessThan(1e-9);
          if (s.amount !== null) expect(cents).toBe(s.amount);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("gives the same result (explanations included) whatever the order of the touchpoints", () => {
    const shuffled = fc.oneof(scenario, scenarioWith(20, 40)).chain((s) =>
      fc
        .shuffledSubarray(s.touchpoints, {
          minLength: s.touchpoints.length,
          maxLength: s.touchpoints.length,
        })
        .map((order) => [s, order] as const),
    );
    fc.assert(
      fc.property(shuffled, ([s, order]) => {
        expect(JSON.stringify(run(s, order))).toBe(JSON.stringify(run(s)));
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same result whatever the order when junk touchpoints are mixed in", () => {
    // Junk times (not a safe integer >= 0) and repeated ids among valid touchpoints.
    const junkTime = fc.constantFrom<unknown>(undefined, Number.NaN, "2024", -1, 1.5);
    const junk: fc.Arbitrary<Touchpoint> = fc
      .tuple(touchpoint, junkTime)
      .map(([t, occurredAt]) => ({ ...t, occurredAt: occurredAt as number }));
    const mixed = fc
      .record({
        // Past 24 valid touchpoints, the sort takes the Array#sort branch.
        s: fc.oneof(scenarioWith(0, 12), scenarioWith(20, 30)),
        junk: fc.array(junk, { minLength: 1, maxLength: 8 }),
      })
      .chain(({ s, junk }) => {
        // The same junk object twice, too.
        const all = [...s.touchpoints, ...junk, ...junk.slice(0, 1)];
        return fc
          .shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
          .map((order) => {
            const every: Scenario = { ...s, models: [...MODEL_NAMES] };
            return [every, all, order] as const;
          });
      });
    fc.assert(
      fc.property(mixed, ([s, all, order]) => {
        // JSON.stringify reads every model's explanation.
        expect(JSON.stringify(run(s, order))).toBe(JSON.stringify(run(s, all)));
      }),
      { numRuns: 400 },
    );
  });

  it("never credits a touchpoint after the conversion, or outside the window or before its anchor", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const result of run(s).models) {
          const { anchorAt, windowStart } = result.explanation;
          for (const credit of result.credits) {
            expect(credit.touchpoint.occurredAt).toBeLessThanOrEqual(Math.min(anchorAt, day(60)));
            if (windowStart !== null && !credit.touchpoint.id.startsWith("affiliate-ref:")) {
              expect(credit.touchpoint.occurredAt).toBeGreaterThanOrEqual(windowStart);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("accounts for every touchpoint exactly once in each explanation", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        for (const result of run(s).models) {
          const { considered, excluded } = result.explanation;
          const synthetic = considered.filter((c) =>
            c.touchpointId.startsWith("affiliate-ref:"),
          ).length;
          expect(considered.length - synthetic + excluded.length).toBe(s.touchpoints.length);
          const credited = result.credits.map((c) => c.touchpoint.id);
          expect(considered.filter((c) => c.weight > 0).map((c) => c.touchpointId)).toEqual(
            credited,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
