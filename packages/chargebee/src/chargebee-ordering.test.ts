import type { BillingEvent, BillingSubscription } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { eventResourceVersions, isStaleResource, isStaleVersion } from "./chargebee-ordering.js";
import { parseChargebeeEvent } from "./chargebee-parse.js";

const event = (
  subscriptionVersion: number | null,
  customerVersion: number | null,
  type = "subscription_changed",
  id = "ev_1",
): BillingEvent =>
  parseChargebeeEvent({
    id,
    event_type: type,
    occurred_at: 1700000000,
    api_version: "v2",
    content: {
      subscription: { id: "sub_1", resource_version: subscriptionVersion },
      customer: { id: "cus_1", resource_version: customerVersion },
      ...(type === "payment_succeeded"
        ? { transaction: { id: `txn_${id}`, amount: 5000, currency_code: "USD" } }
        : {}),
    },
  });

describe("isStaleVersion", () => {
  it("is stale only when the incoming version is older (spec §7 step 5)", () => {
    expect(isStaleVersion(1000, 999)).toBe(true);
    expect(isStaleVersion(1000, 1000)).toBe(false);
    expect(isStaleVersion(1000, 1001)).toBe(false);
  });
  it("is never stale when a version is unknown", () => {
    expect(isStaleVersion(null, 5)).toBe(false);
    expect(isStaleVersion(undefined, 5)).toBe(false);
    expect(isStaleVersion(5, null)).toBe(false);
  });
});

describe("isStaleResource", () => {
  it("compares the chosen resource only", () => {
    const e = event(1700000000500, 1700000000100);
    expect(isStaleResource(e, "subscription", 1700000000600)).toBe(true);
    expect(isStaleResource(e, "subscription", 1700000000400)).toBe(false);
    expect(isStaleResource(e, "customer", 1700000000200)).toBe(true);
    expect(isStaleResource(e, "customer", null)).toBe(false);
  });

  it("the same version from another event is not stale (same state; re-applying is a no-op)", () => {
    const created = event(1700000000500, 1700000000100, "subscription_created", "ev_created");
    const paid = event(1700000000500, 1700000000100, "payment_succeeded", "ev_paid");
    const last = created.subscription?.resourceVersion;
    expect(isStaleResource(paid, "subscription", last)).toBe(false);
    expect(isStaleResource(paid, "customer", created.customer?.resourceVersion)).toBe(false);
  });

  it("is not stale for a resource the event does not carry or without a version", () => {
    const e = parseChargebeeEvent({
      id: "ev_2",
      event_type: "customer_changed",
      occurred_at: 1,
      content: { customer: { id: "c" } },
    });
    expect(isStaleResource(e, "subscription", 10)).toBe(false);
    expect(isStaleResource(e, "customer", 10)).toBe(false);
  });

  it("gates resource state only: money in a late event is still counted (the documented recipe)", () => {
    // The README recipe: apply the subscription state unless stale; handle money regardless.
    const applied = new Map<string, BillingSubscription>();
    const payments: string[] = [];
    const handle = (e: BillingEvent) => {
      const subscription = e.subscription;
      if (
        subscription !== null &&
        !isStaleResource(e, "subscription", applied.get(subscription.id)?.resourceVersion)
      ) {
        applied.set(subscription.id, subscription);
      }
      if (e.type === "payment_succeeded" && e.payment !== null) {
        payments.push(e.payment.transactionId);
      }
    };
    // subscription_created, then a payment carrying the same version, then a change, then a
    // payment delivered late with the older version.
    handle(event(100, 10, "subscription_created", "ev_a"));
    handle(event(100, 10, "payment_succeeded", "ev_b"));
    handle(event(300, 10, "subscription_changed", "ev_c"));
    handle(event(200, 10, "payment_succeeded", "ev_d"));
    expect(payments).toEqual(["txn_ev_b", "txn_ev_d"]);
    expect(applied.get("sub_1")?.resourceVersion).toBe(300);
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
