/**
 * Ordering of resource STATE: Chargebee does not deliver events in order (spec §1, checklist 2). Each
 * resource carries a `resource_version` (epoch milliseconds, increasing on every change); a version
 * older than the last one applied for that resource must not overwrite the newer state (spec §7
 * step 5). Versions are only comparable within one resource type and id.
 *
 * These helpers decide whether to APPLY a resource's state (upsert the subscription or customer),
 * never whether to process an event: a `payment_succeeded` or `payment_refunded` that arrives late,
 * or that carries the same subscription version as an earlier event, is still money and must still
 * be counted. Duplicate deliveries of one event are handled by deduplicating on the event id (spec
 * §7 step 3), not here.
 *
 * @module
 */
import type { BillingEvent } from "@revtrace/core";

/** A resource named by an event, with its version. */
export interface ResourceVersion {
  /** `customer` or `subscription` (the resources whose versions the normalized event carries). */
  resourceType: "customer" | "subscription";
  id: string;
  /** `resource_version`, epoch milliseconds. */
  version: number;
}

/**
 * True when `incoming` is older than `lastApplied`: that state is superseded, do not apply it.
 *
 * An equal version is not stale. It is the same state (Chargebee bumps the version on every change),
 * typically carried by two events of one change, such as `subscription_created` and the
 * `payment_succeeded` that follows; applying it again is a no-op. Spec §7 step 5 skips older
 * versions only. Unknown versions on either side (`null`/`undefined`, e.g. v1 payloads, spec §8) are
 * never stale.
 *
 * @example isStaleVersion(1700000000500, 1700000000400) // true: older than what was applied
 */
export function isStaleVersion(
  lastApplied: number | null | undefined,
  incoming: number | null | undefined,
): boolean {
  return lastApplied != null && incoming != null && incoming < lastApplied;
}

/** The versioned resources an event carries (subscription first, then customer). */
export function eventResourceVersions(event: BillingEvent): ResourceVersion[] {
  const versions: ResourceVersion[] = [];
  const push = (
    resourceType: ResourceVersion["resourceType"],
    id: string,
    version: number | null,
  ) => {
    if (version !== null) versions.push({ resourceType, id, version });
  };
  if (event.subscription) {
    push("subscription", event.subscription.id, event.subscription.resourceVersion);
  }
  for (const subscription of event.subscriptions ?? []) {
    push("subscription", subscription.id, subscription.resourceVersion);
  }
  if (event.customer) push("customer", event.customer.id, event.customer.resourceVersion);
  return versions;
}

/**
 * True when the `resourceType` object carried by `event` is older than `lastAppliedVersion` (the
 * last version you applied for that resource id): skip applying THAT STATE, and nothing else.
 * Events that do not carry the resource, or carry no version, are not stale; neither is an equal
 * version (see {@link isStaleVersion}).
 *
 * Never use it to drop an event: payments and refunds in a late event still count.
 *
 * @example
 * const sub = event.subscription;
 * if (sub && !isStaleResource(event, "subscription", await store.subscriptionVersion(sub.id))) {
 *   await store.saveSubscription(sub); // state only
 * }
 * if (event.payment) await recordPayment(event.payment); // money: regardless of the version
 */
export function isStaleResource(
  event: BillingEvent,
  resourceType: ResourceVersion["resourceType"],
  lastAppliedVersion: number | null | undefined,
): boolean {
  const resource = resourceType === "subscription" ? event.subscription : event.customer;
  return resource !== null && isStaleVersion(lastAppliedVersion, resource.resourceVersion);
}
