import { describe, expect, it } from "vitest";
import * as chargebee from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(chargebee).sort()).toEqual([
      "BACKDATING_EVENT_TYPES",
      "CUSTOMER_EVENT_TYPES",
      "RETENTION_EVENT_TYPES",
      "SUBSCRIPTION_EVENT_TYPES",
      "SUPPORTED_EVENT_TYPES",
      "baseEventType",
      "chargebeeExponent",
      "chargebeeMoney",
      "conversionNamesOf",
      "createChargebeeApi",
      "createChargebeeParser",
      "createChargebeeRouter",
      "createChargebeeWebhookVerifier",
      "eventResourceVersions",
      "isEventType",
      "isStaleResource",
      "isStaleVersion",
      "isSupportedEventType",
      "parseChargebeeEvent",
      "parseChargebeeEventList",
      "parseRetentionEvent",
      "verifyAndParseRetentionEvent",
      "verifyChargebeeAuth",
      "verifyRetentionSignature",
    ]);
  });
});
