import type { Conversion } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { campaignOf, mapConversion, retentionTraits, segmentMessageId } from "./segment-mapper.js";
import { parseSegmentSinkOptions, segmentHandles } from "./segment-settings.js";

const settings = parseSegmentSinkOptions({ writeKey: "wk" });
const AT = Date.UTC(2026, 0, 15, 10, 30);

function conversion(overrides: Partial<Conversion> = {}): Conversion {
  return {
    id: "chargebee:ev_1:first_payment",
    name: "first_payment",
    source: "chargebee",
    sourceEventId: "ev_1",
    occurredAt: AT,
    value: { amount: 4900, currency: "EUR" },
    billingEvent: null,
    retentionEvent: null,
    contact: {
      email: "ada@example.org",
      phone: "+33612345678",
      externalId: "user_42",
      firstName: "Ada",
      lastName: "Lovelace",
      company: "Analytical Engines",
      country: "FR",
    },
    personId: "p1",
    anonymousId: "anon_1",
    identityKeys: [{ kind: "chargebee_customer_id", value: "cus_1" }],
    credits: [
      {
        model: "first_touch",
        touchpoint: {
          id: "tp1",
          anonymousId: "anon_1",
          occurredAt: AT - 3_600_000,
          clickIds: { gclid: "Cj0KCQ" },
          utm: { source: "google", medium: "cpc", campaign: "brand", term: "revtrace" },
          channel: "paid_search",
          landingPage: "https://example.org/?gclid=Cj0KCQ",
        },
        share: 1,
        amount: { amount: 4900, currency: "EUR" },
      },
    ],
    ...overrides,
  };
}

describe("segmentMessageId", () => {
  it("is the conversion id and the call, stable, and distinct per call", () => {
    expect(segmentMessageId("chargebee:ev_1:first_payment", "track")).toBe(
      "chargebee:ev_1:first_payment:track",
    );
    expect(segmentMessageId("x", "identify")).not.toBe(segmentMessageId("x", "track"));
  });

  it("hashes ids over Segment's 100 characters (spec §3.1), deterministically", () => {
    const long = `chargebee:${"e".repeat(120)}:first_payment`;
    const id = segmentMessageId(long, "track");
    expect(id).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(segmentMessageId(long, "track")).toBe(id);
    expect(segmentMessageId(long, "identify")).not.toBe(id);
  });
});

describe("mapConversion", () => {
  it("sends an identify then an Order Completed track, with exact ids, time and campaign", () => {
    const mapped = mapConversion(conversion(), settings);
    expect(mapped).toEqual({
      kind: "messages",
      messages: [
        {
          type: "identify",
          messageId: "chargebee:ev_1:first_payment:identify",
          timestamp: "2026-01-15T10:30:00.000Z",
          userId: "cus_1",
          anonymousId: "anon_1",
          context: { library: { name: "@revtrace/sink-segment", version: "0.0.0-dev" } },
          traits: {
            email: "ada@example.org",
            phone: "+33612345678",
            firstName: "Ada",
            lastName: "Lovelace",
            company: { name: "Analytical Engines" },
            first_touch_source: "google",
            first_touch_medium: "cpc",
            first_touch_campaign: "brand",
            first_touch_channel: "paid_search",
            first_touch_click_id: "Cj0KCQ",
            first_touch_landing_page: "https://example.org/?gclid=Cj0KCQ",
          },
        },
        {
          type: "track",
          messageId: "chargebee:ev_1:first_payment:track",
          timestamp: "2026-01-15T10:30:00.000Z",
          userId: "cus_1",
          anonymousId: "anon_1",
          context: {
            library: { name: "@revtrace/sink-segment", version: "0.0.0-dev" },
            campaign: {
              name: "brand",
              source: "google",
              medium: "cpc",
              term: "revtrace",
              gclid: "Cj0KCQ",
            },
            traits: { email: "ada@example.org", phone: "+33612345678" },
          },
          event: "Order Completed",
          properties: { total: 49, revenue: 49, currency: "EUR", first_payment: true },
        },
      ],
    });
  });

  it("uses the external id as userId when configured", () => {
    const external = parseSegmentSinkOptions({ writeKey: "wk", userId: "external_id" });
    const mapped = mapConversion(conversion(), external);
    expect(mapped.kind === "messages" && mapped.messages.map((m) => m.userId)).toEqual([
      "user_42",
      "user_42",
    ]);
  });

  it("skips a conversion with neither userId nor anonymousId, with a reason", () => {
    const mapped = mapConversion(
      conversion({ identityKeys: [], anonymousId: null, credits: [] }),
      settings,
    );
    expect(mapped).toEqual({
      kind: "skip",
      reason: "no userId or anonymousId (Segment drops such messages)",
    });
  });

  it("sends only an identify for customer changes and leads, and no identify for a deletion", () => {
    for (const name of ["customer_created", "customer_updated", "lead"] as const) {
      const mapped = mapConversion(conversion({ name, value: null }), settings);
      expect(mapped.kind === "messages" && mapped.messages.map((m) => m.type)).toEqual([
        "identify",
      ]);
    }
    const deleted = mapConversion(conversion({ name: "customer_deleted", value: null }), settings);
    expect(deleted.kind === "messages" && deleted.messages.map((m) => m.type)).toEqual(["track"]);
  });

  it("honours the event table: a renamed event, and an event turned off", () => {
    const custom = parseSegmentSinkOptions({
      writeKey: "wk",
      events: { first_payment: "Subscription Paid", trial_started: false },
      identifyWithEvents: false,
    });
    const paid = mapConversion(conversion(), custom);
    expect(
      paid.kind === "messages" && paid.messages.map((m) => m.type === "track" && m.event),
    ).toEqual(["Subscription Paid"]);
    expect(mapConversion(conversion({ name: "trial_started", value: null }), custom)).toEqual({
      kind: "skip",
      reason: "no Segment call is mapped to trial_started",
    });
    expect(segmentHandles(custom).has("trial_started")).toBe(false);
    expect(segmentHandles(custom).has("customer_updated")).toBe(true);
  });
});

describe("campaignOf", () => {
  it("puts UTM parameters under Segment's names and click ids under their own", () => {
    expect(
      campaignOf({
        id: "t",
        anonymousId: "a",
        occurredAt: 0,
        clickIds: { ttclid: "tt", fbclid: "fb" },
        utm: { campaign: "c", content: "v2" },
        channel: "paid_social",
      }),
    ).toEqual({ name: "c", content: "v2", ttclid: "tt", fbclid: "fb" });
    expect(campaignOf(undefined)).toBeUndefined();
  });
});

describe("retentionTraits", () => {
  it("derives the identify traits of page_loaded from its field.cancel.* properties (seed 003)", () => {
    const traits = retentionTraits({
      call: "track",
      type: "page_loaded",
      properties: {
        "field.cancel.email": "jane@example.com",
        "field.cancel.account.plan": "Premium",
        "field.cookie": "c",
        "survey.sentiment": 0,
        user_cookie: "c",
        user_id: "KD21akKyAZ",
      },
      traits: {},
    } as never);
    expect(traits).toEqual({
      "cancel.email": "jane@example.com",
      "cancel.account.plan": "Premium",
      user_cookie: "c",
      user_id: "KD21akKyAZ",
    });
  });
});
