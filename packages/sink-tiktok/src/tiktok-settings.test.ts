import { CONVERSION_NAMES, ConfigError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  parseTikTokSinkOptions,
  TIKTOK_DEFAULT_BASE_URL,
  TIKTOK_DEFAULT_EVENTS,
  TIKTOK_MAPPABLE_CONVERSIONS,
} from "./tiktok-settings.js";

function configError(options: unknown): ConfigError {
  try {
    parseTikTokSinkOptions(options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseTikTokSinkOptions", () => {
  it("applies the defaults: Purchase for payments, StartTrial, Lead, 1,000 per batch and 1 MB, 7 days", () => {
    const settings = parseTikTokSinkOptions({ accessToken: "tok", pixelCode: "PIX" });
    const target = { pixelCode: "PIX", accessToken: "tok" };
    const off = Object.fromEntries(TIKTOK_MAPPABLE_CONVERSIONS.map((name) => [name, null]));
    expect(settings.events).toEqual({
      ...off,
      lead: { event: "Lead", ...target },
      trial_started: { event: "StartTrial", ...target },
      first_payment: { event: "Purchase", ...target },
      recurring_payment: { event: "Purchase", ...target },
    });
    expect(settings.batchSize).toBe(1_000);
    expect(settings.maxBatchBytes).toBe(1_000_000);
    expect(settings.maxEventAgeDays).toBe(7);
    expect(settings.baseUrl).toBe(TIKTOK_DEFAULT_BASE_URL);
  });

  it("maps legacy names to the current ones, turns events off, and takes a pixel and token per event", () => {
    const settings = parseTikTokSinkOptions({
      accessToken: "tok",
      pixelCode: "PIX",
      events: {
        first_payment: "CompletePayment",
        lead: { event: "SubmitForm", pixelCode: "LEADPIX", accessToken: "lead-tok" },
        recurring_payment: false,
        trial_converted: "Subscribe",
        subscription_cancelled: "SubscriptionCancelled",
      },
    });
    expect(settings.events.first_payment).toEqual({
      event: "Purchase",
      pixelCode: "PIX",
      accessToken: "tok",
    });
    expect(settings.events.lead).toEqual({
      event: "Lead",
      pixelCode: "LEADPIX",
      accessToken: "lead-tok",
    });
    expect(settings.events.recurring_payment).toBeNull();
    expect(settings.events.trial_converted?.event).toBe("Subscribe");
    expect(settings.events.subscription_cancelled?.event).toBe("SubscriptionCancelled");
  });

  it("takes its conversion names from core's enum: every name but refund (no TikTok refund event)", () => {
    expect(TIKTOK_MAPPABLE_CONVERSIONS).toEqual(CONVERSION_NAMES.filter((n) => n !== "refund"));
    expect(Object.keys(TIKTOK_DEFAULT_EVENTS)).toEqual(TIKTOK_MAPPABLE_CONVERSIONS);
    // A name core has and the old hand-written list did not: mappable now.
    const settings = parseTikTokSinkOptions({
      accessToken: "tok",
      pixelCode: "PIX",
      events: { subscription_reactivated: "Subscribe" },
    });
    expect(settings.events.subscription_reactivated?.event).toBe("Subscribe");
    expect(
      configError({ accessToken: "t", pixelCode: "p", events: { refund: "Purchase" } }).message,
    ).toMatch(/events/);
  });

  it("names every bad field, never its value", () => {
    const error = configError({
      accessToken: "Bearer s3cr3t",
      pixelCode: "",
      batchSize: 1001,
      maxEventAgeDays: 30,
      events: { first_payment: "Checkout", refund: "Purchase" },
      defaultCountry: "USA",
    });
    expect([...error.fields].sort()).toEqual(
      [
        "accessToken",
        "batchSize",
        "defaultCountry",
        "events.first_payment",
        "events.refund",
        "maxEventAgeDays",
        "pixelCode",
      ].sort(),
    );
    expect(error.message).not.toContain("s3cr3t");
    expect(error.message).toContain("without a `Bearer ` prefix");
  });

  it("names a misspelt key, says why an event name is refused, and takes only an http(s) baseUrl", () => {
    const base = { accessToken: "s3cr3t", pixelCode: "p" };
    const misspelt = configError({ pixelCode: "p", accessToken: "s3cr3t", acessToken: "s3cr3t" });
    expect(misspelt.fields).toEqual(["acessToken"]);
    expect(misspelt.message).toBe("Invalid TikTok sink options: acessToken: unknown option");
    const reserved = configError({ ...base, events: { lead: "Checkout" } });
    expect(reserved.fields).toEqual(["events.lead"]);
    expect(reserved.message).toBe(
      "Invalid TikTok sink options: events.lead: is a reserved TikTok event name; use the standard event it maps to",
    );
    const inObject = configError({ ...base, events: { lead: { event: "Checkout" } } });
    expect(inObject.message).toContain("is a reserved TikTok event name");
    const wrongType = configError({ ...base, events: { lead: 3 } });
    expect(wrongType.message).toBe(
      "Invalid TikTok sink options: events.lead: must be false, a TikTok event name, or { event, pixelCode?, accessToken? }",
    );
    const ftp = configError({ ...base, baseUrl: "ftp://example.com/" });
    expect(ftp.fields).toEqual(["baseUrl"]);
    expect(ftp.message).toBe("Invalid TikTok sink options: baseUrl: must be an http(s) URL");
    expect(parseTikTokSinkOptions({ ...base, baseUrl: "http://localhost:4010/" }).baseUrl).toBe(
      "http://localhost:4010/",
    );
  });

  it("refuses non-function injection points and unknown options", () => {
    expect(configError({ accessToken: "t", pixelCode: "p", fetch: "nope" }).fields).toEqual([
      "fetch",
    ]);
    expect(configError({ accessToken: "t", pixelCode: "p", pixel: "typo" }).fields).toEqual([
      "pixel",
    ]);
    expect(configError(undefined).fields).toEqual(["(root)"]);
  });
});
