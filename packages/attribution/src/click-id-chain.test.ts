import { describe, expect, it } from "vitest";
import { day, paymentEvent, tp, usd } from "../test/fixtures.js";
import { attribute } from "./attribution-engine.js";
import type { AttributionInput } from "./attribution-input.js";
import type { AttributionOptions } from "./attribution-options.js";
import { days } from "./time.js";

// Seed 004 (AFFY): click id (cf_click_id) → affiliate ref (meta_data) → customer email, in that order.
const chain: AttributionOptions = { models: ["click_id_chain"] };
const path = [
  tp("aff-email", 1, { clickIds: { affiliateRef: "carol" } }),
  tp("aff-click", 2, { clickIds: { affiliateClickId: "clk_123", affiliateRef: "alice" } }),
  tp("aff-ref", 3, { clickIds: { affiliateRef: "bob" } }),
  tp("aff-email-2", 4, { clickIds: { affiliateRef: "dave" } }),
  tp("ads", 5, { clickIds: { ttclid: "tt_9" } }),
];
const at = (fields: Partial<AttributionInput>): AttributionInput => ({
  occurredAt: day(10),
  value: usd(4900),
  ...fields,
});
const run = (input: AttributionInput, options = chain, touchpoints = path) => {
  const model = attribute(input, touchpoints, options).models[0];
  return { ids: model?.credits.map((c) => c.touchpoint.id), rule: model?.explanation.rule, model };
};

describe("click-id chain", () => {
  it("step 1: the subscription's cf_click_id wins, even over an affiliate ref", () => {
    expect(run(at({ clickId: "clk_123", affiliateRef: "bob" }))).toMatchObject({
      ids: ["aff-click"],
      rule: "click_id",
    });
  });

  it("matches cf_click_id against ad click ids too (a ttclid stored on the subscription)", () => {
    expect(run(at({ clickId: "tt_9" }))).toMatchObject({ ids: ["ads"], rule: "click_id" });
  });

  it("step 2: an unmatched click id falls through to the affiliate ref", () => {
    expect(run(at({ clickId: "clk_unknown", affiliateRef: "bob" }))).toMatchObject({
      ids: ["aff-ref"],
      rule: "affiliate_ref",
    });
  });

  it("step 2: an affiliate ref no touchpoint carries is credited through a synthetic touchpoint", () => {
    const { ids, rule, model } = run(at({ affiliateRef: "erin" }));
    expect(ids).toEqual(["affiliate-ref:erin"]);
    expect(rule).toBe("affiliate_ref_unrecorded");
    expect(model?.credits[0]?.touchpoint).toEqual({
      id: "affiliate-ref:erin",
      anonymousId: "affiliate-ref:erin",
      occurredAt: day(10),
      clickIds: { affiliateRef: "erin" },
      utm: {},
      channel: "affiliate",
    });
    expect(model?.explanation.considered.at(-1)).toEqual({
      touchpointId: "affiliate-ref:erin",
      occurredAt: day(10),
      channel: "affiliate",
      weight: 1,
      share: 1,
    });
  });

  it("step 2 can ignore unrecorded refs and go on to the identity match", () => {
    const options: AttributionOptions = {
      models: [{ model: "click_id_chain", unrecordedRef: "ignore" }],
    };
    expect(run(at({ affiliateRef: "erin" }), options)).toMatchObject({
      ids: ["aff-email"],
      rule: "identity_match",
    });
  });

  it("step 3: without click id or ref, the identity-matched person's first affiliate touchpoint", () => {
    expect(run(at({}))).toMatchObject({ ids: ["aff-email"], rule: "identity_match" });
  });

  it("picks the last match instead with pick: last", () => {
    const options: AttributionOptions = { models: [{ model: "click_id_chain", pick: "last" }] };
    expect(run(at({}), options)).toMatchObject({ ids: ["aff-email-2"], rule: "identity_match" });
  });

  it("step 3 channels are configurable (null: any non-direct channel)", () => {
    const options: AttributionOptions = {
      models: [{ model: "click_id_chain", fallbackChannels: null, pick: "last" }],
    };
    expect(run(at({}), options, [...path, tp("direct", 6)])).toMatchObject({
      ids: ["ads"],
      rule: "identity_match",
    });
  });

  it("credits nothing when no step matches", () => {
    expect(run(at({}), chain, [tp("ads", 5, { clickIds: { ttclid: "tt_9" } })])).toMatchObject({
      ids: [],
      rule: "no_eligible_touchpoints",
    });
  });

  it("applies its lookback window to every step (an affiliate cookie of 7 days)", () => {
    const options: AttributionOptions = {
      models: [{ model: "click_id_chain", lookbackMs: days(7) }],
    };
    // aff-click (day 2) is outside [day 3, day 10]: the click id falls through, the ref matches.
    expect(run(at({ clickId: "clk_123", affiliateRef: "bob" }), options)).toMatchObject({
      ids: ["aff-ref"],
      rule: "affiliate_ref",
    });
  });

  it("reads cf_click_id and the meta_data ref from the billing event when not given", () => {
    const billingEvent = paymentEvent({
      transactionId: "txn_1",
      amount: usd(4900),
      paidAt: day(10),
      isFirstPayment: true,
      subscription: { clickId: "clk_123", affiliateRef: "bob" },
    });
    expect(run({ occurredAt: day(10), value: usd(4900), billingEvent })).toMatchObject({
      ids: ["aff-click"],
      rule: "click_id",
    });
    // An explicit null overrides the event.
    expect(
      run({ occurredAt: day(10), value: usd(4900), billingEvent, clickId: null }),
    ).toMatchObject({
      ids: ["aff-ref"],
      rule: "affiliate_ref",
    });
  });
});
