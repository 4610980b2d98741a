/**
 * Ordering: Chargebee does not deliver events in order (spec §1, checklist 2). Each resource carries a
 * `resource_version` (epoch milliseconds, increasing on every change); an event whose version is not
 * newer than the last one applied for that resource is stale and must not overwrite newer state
 * (spec §7 step 5). Versions are only comparable within one resource type and id.
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
 * True when `incoming` is not newer than `lastSeen` (same or older: already applied or superseded).
 * Unknown versions on either side (`null`/`undefined`, e.g. v1 payloads, spec §8) are never stale.
 *
 * @example isStaleVersion(1700000000500, 1700000000400) // true: older than what was applied
 */
export function isStaleVersion(
  lastSeen: number | null | undefined,
  incoming: number | null | undefined,
): boolean {
  return lastSeen != null && incoming != null && incoming <= lastSeen;
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
 * True when `event` is stale for `resourceType`: the event carries that resource and its
 * `resource_version` is not newer than `lastSeenVersion` (the last version you applied for that
 * resource id). Events that do not carry the resource, or carry no version, are not stale.
 *
 * @example
 * const last = await store.getResourceVersion("subscription", event.subscription.id);
 * if (isStaleEvent(event, "subscription", last)) return; // an older update arrived late
 */
export function isStaleEvent(
  event: BillingEvent,
  resourceType: ResourceVersion["resourceType"],
  lastSeenVersion: number | null | undefined,
): boolean {
  const resource = resourceType === "subscription" ? event.subscription : event.customer;
  return resource !== null && isStaleVersion(lastSeenVersion, resource.resourceVersion);
}
