/**
 * The worker's queue. The webhook handler enqueues one work item per new inbound event, in the same
 * transaction that stores the event, into the outbox under a reserved internal sink name; the worker
 * claims from it like a sink runner does, so leases, retries and dead letters work the same way.
 *
 * @module
 */

/** The reserved outbox "sink" holding the worker's items (no real sink may use it). */
export const WORK_QUEUE = "~revtrace-worker";

/** The payload of a work item: which inbox event to process. */
export interface WorkPayload {
  /** Inbox key of the event (`chargebee:ev_…`, `retention:…`). */
  key: string;
  source: "chargebee" | "retention" | "tracker";
}

/** True when `value` is a {@link WorkPayload}. */
export function isWorkPayload(value: unknown): value is WorkPayload {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.key === "string" &&
    (v.source === "chargebee" || v.source === "retention" || v.source === "tracker")
  );
}
