/**
 * The sink against `@revtrace/sandbox`'s TikTok emulator (msw handlers): the emulator checks every
 * request against the documented contract independently of this package's own schemas.
 */
import { SinkError } from "@revtrace/core";
import { createTikTokSandbox } from "@revtrace/sandbox";
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createTikTokSink, type TikTokSinkOptions } from "../src/index.js";
import {
  conversionOf,
  leadConversion,
  syntheticPurchases,
  tiktokTouchpoint,
} from "./fixtures/conversions.js";

const TOKEN = "tt-sandbox-token";
const PIXEL = "C4SANDBOXPIXEL000001";
const LEAD_PIXEL = "C4SANDBOXLEADS000002";
const NOW = Date.UTC(2026, 2, 1, 12);
const HOUR = 3_600_000;

const tiktok = createTikTokSandbox({
  credentials: [{ accessToken: TOKEN, pixelCodes: [PIXEL, LEAD_PIXEL] }],
  now: () => NOW,
});
useMockServer(...tiktok.handlers());
beforeEach(() => tiktok.reset());

function sink(options: Partial<TikTokSinkOptions> = {}) {
  return createTikTokSink({
    accessToken: TOKEN,
    pixelCode: PIXEL,
    now: () => NOW,
    timeoutMs: 200,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    ...options,
  });
}

/** Every handled fixture conversion, moved to one hour before "now" (the sandbox enforces the window). */
function fixtureConversions() {
  const recent = { occurredAt: NOW - HOUR };
  return [
    conversionOf("payment_succeeded.bonusly.1", "first_payment", recent),
    conversionOf("payment_succeeded.cbgo.1", "first_payment", recent),
    conversionOf("subscription_started.bonusly.1", "trial_started", recent),
    conversionOf("subscription_renewed.bonusly.1", "recurring_payment", {
      ...recent,
      value: { amount: 2500, currency: "USD" },
    }),
    conversionOf("subscription_created.airbyte.1", "subscription_created", {
      ...recent,
      value: { amount: 11667, currency: "INR" },
      identityKeys: [{ kind: "external_id", value: "user_123" }],
    }),
    leadConversion(NOW - HOUR),
  ];
}

describe("the TikTok sink against the sandbox", () => {
  it("delivers every handled fixture event, and the sandbox accepts each one as valid", async () => {
    const conversions = fixtureConversions();
    const results = await sink({
      events: { subscription_created: "Subscribe", lead: { event: "Lead", pixelCode: LEAD_PIXEL } },
    }).send(conversions);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill("delivered"));
    expect(tiktok.requests.map((r) => [r.code, r.events])).toEqual([
      [0, 5],
      [0, 1],
    ]);
    expect(
      tiktok.recorded.map((r) => [r.pixelCode, r.event.event, r.event.event_id, r.duplicate]),
    ).toEqual([
      [PIXEL, "Purchase", "22", false],
      [PIXEL, "Purchase", "3", false],
      [PIXEL, "StartTrial", "chargebee:ev_3Nl7oGgQqGFr8LT:trial_started", false],
      [PIXEL, "Purchase", "draft_inv_16BgPKSClXofl2Eic", false],
      [PIXEL, "Subscribe", "203", false],
      [LEAD_PIXEL, "Lead", "tracker:lead_synthetic_1:lead", false],
    ]);
  });

  it("drops a relative landing page instead of losing the purchase to TikTok's full-URL rule", async () => {
    const relative = tiktokTouchpoint(NOW - 2 * HOUR, { landingPage: "/pricing?plan=pro" });
    const purchase = conversionOf("payment_succeeded.bonusly.1", "first_payment", {
      occurredAt: NOW - HOUR,
      touchpoints: [relative],
    });
    const results = await sink().send([purchase]);
    expect(results.map((r) => r.status)).toEqual(["delivered"]);
    expect(tiktok.requests.map((r) => r.code)).toEqual([0]);
    expect(tiktok.recorded[0]?.event.page).toBeUndefined();
  });

  it("verifies credentials with a test event the sandbox records as test traffic", async () => {
    await sink().verifyCredentials({ testEventCode: "TEST42" });
    expect(tiktok.requests.map((r) => [r.code, r.events])).toEqual([[0, 1]]);
    expect(tiktok.recorded.map((r) => [r.pixelCode, r.testEventCode, r.event.event])).toEqual([
      [PIXEL, "TEST42", "Lead"],
    ]);
  });

  it("sends the same event_id again on a resend, so TikTok deduplicates it", async () => {
    const conversions = fixtureConversions().slice(0, 2);
    await sink().send(conversions);
    await sink().send(conversions);
    expect(tiktok.recorded.map((r) => r.duplicate)).toEqual([false, false, true, true]);
  });

  it("rides out an injected rate limit (40100), a 503 and a timeout", async () => {
    tiktok.failNext({ type: "code", code: 40100 });
    tiktok.failNext({ type: "http", status: 503 });
    tiktok.failNext({ type: "timeout", delayMs: 5_000 });
    const results = await sink().send(syntheticPurchases(3, NOW - HOUR));
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered", "delivered"]);
    expect(tiktok.requests.map((r) => [r.status, r.code])).toEqual([
      [200, 40100],
      [503, undefined],
      [504, undefined],
      [200, 0],
    ]);
    expect(tiktok.recorded).toHaveLength(3);
  });

  it("isolates the one event the sandbox refuses and delivers the rest", async () => {
    const items = syntheticPurchases(8, NOW - HOUR);
    const bad = items[5]?.id;
    tiktok.rejectEvents((event) => (event.event_id === bad ? "refused for the test" : undefined));
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      ...Array(5).fill("delivered"),
      "rejected",
      "delivered",
      "delivered",
    ]);
    expect(tiktok.recorded.map((r) => r.event.event_id).sort()).toEqual(
      items
        .filter((c) => c.id !== bad)
        .map((c) => c.id)
        .sort(),
    );
  });

  it("rejects exactly the events the sandbox's partial success (20001) reports failed", async () => {
    tiktok.failNext({ type: "partial", failedIndexes: [0, 2] });
    const items = syntheticPurchases(4, NOW - HOUR);
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "rejected",
      "delivered",
      "rejected",
      "delivered",
    ]);
    expect(tiktok.requests.map((r) => [r.code, r.events])).toEqual([[20001, 4]]);
    expect(tiktok.recorded.map((r) => r.event.event_id)).toEqual([items[1]?.id, items[3]?.id]);
  });

  it.each([
    ["naming the bad events (Batch.N)", true],
    ["naming no event", false],
  ])(
    "delivers every good event when the sandbox refuses two of 1,000 %s",
    async (_label, nameIndex) => {
      const items = syntheticPurchases(1_000, NOW - HOUR);
      const bad = new Set([items[100]?.id, items[700]?.id]);
      tiktok.rejectEvents(
        (event) => (bad.has(event.event_id as string) ? "bad event" : undefined),
        {
          nameIndex,
        },
      );
      const results = await sink().send(items);
      const rejected = results.flatMap((r, index) => (r.status === "rejected" ? [index] : []));
      expect(rejected).toEqual([100, 700]);
      expect(results.filter((r) => r.status === "delivered")).toHaveLength(998);
      expect(new Set(tiktok.recorded.map((r) => r.event.event_id)).size).toBe(998);
      // k = 2 bad among n = 1,000: at most 2·k·log2(n) + 2 requests (the probe included).
      expect(tiktok.requests.length).toBeLessThanOrEqual(2 * 2 * Math.ceil(Math.log2(1_000)) + 2);
    },
  );

  it("verifies credentials: accepted pair, unknown pixel (40001), wrong token (40105)", async () => {
    await expect(sink().verifyCredentials()).resolves.toBeUndefined();
    expect(tiktok.requests.map((r) => r.code)).toEqual([40061]);
    expect(tiktok.recorded).toHaveLength(0);
    const wrongPixel = await sink({ pixelCode: "C4NOTMINE" })
      .verifyCredentials()
      .catch((e: unknown) => e);
    expect(SinkError.isInstance(wrongPixel) && wrongPixel.vendorCode).toBe(40001);
    const wrongToken = await sink({ accessToken: "not-the-token" })
      .verifyCredentials()
      .catch((e: unknown) => e);
    expect(SinkError.isInstance(wrongToken) && wrongToken.vendorCode).toBe(40105);
  });
});
