import { describe, expect, it } from "vitest";
import {
  type Channel,
  createTouchpoint,
  deriveChannel,
  type TouchpointInput,
} from "./touchpoint.js";

describe("deriveChannel", () => {
  const cases: Array<[string, Partial<TouchpointInput>, Channel]> = [
    [
      "affiliate ref wins over everything",
      { clickIds: { affiliateRef: "p1", ttclid: "x" }, utm: { medium: "cpc" } },
      "affiliate",
    ],
    ["ttclid → paid social", { clickIds: { ttclid: "E.C.P.abc" } }, "paid_social"],
    ["fbclid → paid social", { clickIds: { fbclid: "IwAR" } }, "paid_social"],
    ["gclid → paid search", { clickIds: { gclid: "Cj0" } }, "paid_search"],
    ["msclkid → paid search", { clickIds: { msclkid: "abc" } }, "paid_search"],
    ["gbraid → paid search", { clickIds: { gbraid: "0AAAA" } }, "paid_search"],
    ["wbraid → paid search", { clickIds: { wbraid: "CjkK" } }, "paid_search"],
    ["li_fat_id → paid social", { clickIds: { li_fat_id: "a1b2" } }, "paid_social"],
    ["twclid → paid social", { clickIds: { twclid: "2bkw" } }, "paid_social"],
    ["irclid → affiliate", { clickIds: { irclid: "x1" } }, "affiliate"],
    ["_kx → email", { clickIds: { _kx: "k" } }, "email"],
    ["utm_medium=email", { utm: { medium: "Email", source: "newsletter" } }, "email"],
    [
      "utm cpc from tiktok → paid social",
      { utm: { medium: "cpc", source: "tiktok" } },
      "paid_social",
    ],
    [
      "utm cpc from google → paid search",
      { utm: { medium: "cpc", source: "google" } },
      "paid_search",
    ],
    [
      "utm_medium=social → organic social",
      { utm: { medium: "social", source: "linkedin" } },
      "organic_social",
    ],
    ["utm_medium=affiliate", { utm: { medium: "affiliate" } }, "affiliate"],
    [
      "search referrer",
      { referrer: "https://www.google.com/", landingPage: "https://app.test/" },
      "organic_search",
    ],
    [
      "social referrer",
      { referrer: "https://www.tiktok.com/@x", landingPage: "https://app.test/" },
      "organic_social",
    ],
    [
      "other site",
      { referrer: "https://blog.example.org/post", landingPage: "https://app.test/" },
      "referral",
    ],
    [
      "own site is not a referral",
      { referrer: "https://app.test/pricing", landingPage: "https://app.test/signup" },
      "direct",
    ],
    ["utm_source alone", { utm: { source: "partner-site" } }, "referral"],
    ["nothing", {}, "direct"],
    ["unparseable referrer", { referrer: "not a url" }, "direct"],
  ];
  it.each(cases)("%s", (_name, input, channel) => {
    expect(deriveChannel(input)).toBe(channel);
  });
});

describe("createTouchpoint", () => {
  it("fills channel and defaults, and validates", () => {
    const tp = createTouchpoint({
      id: "tp1",
      anonymousId: "a1",
      occurredAt: 1,
      clickIds: { ttclid: "X" },
    });
    expect(tp).toEqual({
      id: "tp1",
      anonymousId: "a1",
      occurredAt: 1,
      clickIds: { ttclid: "X" },
      utm: {},
      channel: "paid_social",
    });
    expect(
      createTouchpoint({ id: "tp2", anonymousId: "a1", occurredAt: 1, channel: "email" }).channel,
    ).toBe("email");
    expect(() => createTouchpoint({ id: "", anonymousId: "a1", occurredAt: 1 })).toThrow();
  });
});
