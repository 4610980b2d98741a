import { describe, expect, it } from "vitest";
import * as chargebee from "../src/index.js";

describe("public API", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(chargebee).sort()).toEqual([
      "CHARGEBEE_API",
      "CUSTOMER_EVENT_TYPES",
      "RETENTION_EVENT_TYPES",
      "SUBSCRIPTION_EVENT_TYPES",
      "SUPPORTED_EVENT_TYPES",
      "chargebeeExponent",
      "chargebeeMoney",
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
      "verifyChargebeeAuth",
      "verifyRetentionSignature",
    ]);
  });
});
