/**
 * Which events the worker must process one after another: those of one Chargebee customer (their
 * resource versions, state meanings and commission counts depend on order) or of one visitor. Events
 * of different partitions run side by side, so their writes share group commits; identity links
 * stay one at a time in the process (see `serialLinks`), because two links can meet in one person
 * through edges neither event shows.
 *
 * @module
 */
import type { BillingEvent, InboxEvent, RetentionEvent } from "@revtrace/core";
import { billingCustomerId } from "./billing-customer.js";
import type { CollectBatch } from "./collect/collect-batch.js";

/** The partition of an inbox event; events without a customer share one partition. */
export function workPartition(inbox: InboxEvent): string {
  if (inbox.source === "tracker") {
    const visitor = (inbox.event as Partial<CollectBatch> | null)?.visitorId;
    return typeof visitor === "string" ? `visitor:${visitor}` : "tracker";
  }
  if (inbox.source === "retention") {
    const billingId = (inbox.event as RetentionEvent | null)?.account?.billingId;
    return billingId ? `customer:${billingId}` : "retention";
  }
  const customer = billingCustomerId(inbox.event as BillingEvent | null);
  return customer ? `customer:${customer}` : "chargebee";
}

/**
 * Runs `run` over `items`: the items of one partition in their order, partitions concurrently.
 * Resolves when all ran.
 */
export async function runPartitioned<T>(
  items: readonly T[],
  partitionOf: (item: T) => string,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = partitionOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (const item of group) await run(item);
    }),
  );
}
