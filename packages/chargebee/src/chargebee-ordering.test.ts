import type { BillingEvent } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { eventResourceVersions, isStaleEvent, isStaleVersion } from "./chargebee-ordering.js";
import { parseChargebeeEvent } from "./chargebee-parse.js";

const event = (subscriptionVersion: number | null, customerVersion: number | null): BillingEvent =>
  parseChargebeeEvent({
    id: "ev_1",
    event_type: "subscription_changed",
    occurred_at: 1700000000,
    api_version: "v2",
    content: {
      subscription: { id: "sub_1", resource_version: subscriptionVersion },
      customer: { id: "cus_1", resource_version: customerVersion },
    },
  });

describe("isStaleVersion", () => {
  it("is stale when the incoming version is the same or older", () => {
    expect(isStaleVersion(1000, 999)).toBe(true);
    expect(isStaleVersion(1000, 1000)).toBe(true);
    expect(isStaleVersion(1000, 1001)).toBe(false);
  });
  it("is never stale when a version is unknown", () => {
    expect(isStaleVersion(null, 5)).toBe(false);
    expect(isStaleVersion(undefined, 5)).toBe(false);
    expect(isStaleVersion(5, null)).toBe(false);
  });
});

describe("isStaleEvent", () => {
  it("compares the chosen resource only", () => {
    const e = event(1700000000500, 1700000000100);
    expect(isStaleEvent(e, "subscription", 1700000000600)).toBe(true);
    expect(isStaleEvent(e, "subscription", 1700000000400)).toBe(false);
    expect(isStaleEvent(e, "customer", 1700000000100)).toBe(true);
    expect(isStaleEvent(e, "customer", null)).toBe(false);
  });
  it("is not stale for a resource the event does not carry or without a version", () => {
    const e = parseChargebeeEvent({
      id: "ev_2",
      event_type: "customer_changed",
      occurred_at: 1,
      content: { customer: { id: "c" } },
    });
    expect(isStaleEvent(e, "subscription", 10)).toBe(false);
    expect(isStaleEvent(e, "customer", 10)).toBe(false);
  });
});

describe("eventResourceVersions", () => {
  it("lists the versioned resources", () => {
    expect(eventResourceVersions(event(20, 10))).toEqual([
      { resourceType: "subscription", id: "sub_1", version: 20 },
      { resourceType: "customer", id: "cus_1", version: 10 },
    ]);
    expect(eventResourceVersions(event(null, 10))).toEqual([
      { resourceType: "customer", id: "cus_1", version: 10 },
    ]);
  });
});
