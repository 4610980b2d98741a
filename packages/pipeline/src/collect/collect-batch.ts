/**
 * What one accepted collect request becomes: a {@link CollectBatch} (the touchpoints, already built
 * and validated by the endpoint, and the lead forms), stored durably as one inbox event before the 204,
 * then applied by the worker: the touchpoints are stored, the visitor's anonymous id is linked to the
 * ad click ids it arrived with, and each lead form becomes a `lead` conversion. Applying is idempotent
 * (touchpoint ids and link observations are deterministic), so a retried work item changes nothing.
 *
 * @module
 */
import type { IdentityKey, Touchpoint, TouchpointStore } from "@revtrace/core";
import type { IdentityResolver } from "@revtrace/identity";

/** A lead the collect endpoint accepted (an identify with an email or a phone). */
export interface CollectedLead {
  /** Deterministic per (visitor, contact): the same form sent twice is one lead. */
  id: string;
  visitorId: string;
  email: string | undefined;
  phone: string | undefined;
  /** Epoch milliseconds (server clock). */
  at: number;
}

/** One accepted collect request, as stored in the inbox (`tracker:<id>`, type `collect`). */
export interface CollectBatch {
  /** Deterministic per (visitor, body): the same beacon sent twice is one batch. */
  id: string;
  visitorId: string;
  /** Epoch milliseconds (server clock) when it was received. */
  at: number;
  touchpoints: Touchpoint[];
  leads: CollectedLead[];
}

/** The ad click ids a touchpoint carries, as identity keys (an affiliate ref never merges people). */
export function clickIdKeysOf(touchpoint: Touchpoint): IdentityKey[] {
  return Object.entries(touchpoint.clickIds)
    .filter(([name, value]) => name !== "affiliateRef" && typeof value === "string")
    .map(([, value]) => ({ kind: "click_id", value: value as string }));
}

/**
 * Stores a batch's touchpoints and links each one's click ids to the visitor, so a checkout carrying
 * one (`cf_click_id`) finds this visitor even before any email is known. Returns the batch's leads
 * (the caller turns each into a conversion, which links its email and phone).
 */
export async function applyCollectBatch(
  batch: CollectBatch,
  parts: { touchpoints: TouchpointStore; identity: IdentityResolver },
): Promise<CollectedLead[]> {
  if (batch.touchpoints.length > 0) await parts.touchpoints.addTouchpoints(batch.touchpoints);
  for (const touchpoint of batch.touchpoints) {
    const keys = clickIdKeysOf(touchpoint);
    if (keys.length === 0) continue;
    await parts.identity.link([{ kind: "anonymous_id", value: batch.visitorId }, ...keys], {
      source: "tracker",
      observationId: `tracker:${touchpoint.id}`,
      at: batch.at,
    });
  }
  return batch.leads;
}
