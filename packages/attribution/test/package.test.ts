import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(api).sort()).toEqual([
      "CLICK_ID_FIELDS",
      "DAY_MS",
      "JOURNAL_PARTNER_ID",
      "LOOKBACK_PRESETS",
      "MODEL_NAMES",
      "attribute",
      "commissionBalances",
      "commissionEntries",
      "commissionEventFromBillingEvent",
      "conversionFromBillingEvent",
      "createAttributionEngine",
      "createCommissionLedger",
      "createCommissionPolicy",
      "days",
      "inheritAttribution",
      "isSkippedRefund",
      "originalConversionTime",
    ]);
  });

  it("presets the destinations' lookback windows (research §2.2)", () => {
    expect(api.LOOKBACK_PRESETS).toEqual({
      tiktok: api.days(7),
      meta: api.days(7),
      ga4: api.days(90),
      affiliate30: api.days(30),
      affiliate60: api.days(60),
      affiliate90: api.days(90),
    });
  });
});
