import { randomUUID } from "node:crypto";
import {
  type OutboxItem,
  type OutboxItemInput,
  type OutboxStore,
  outboxPayloadJson,
  parseOutboxId,
} from "@revtrace/core";

/** Items ready to store: their payloads converted already. */
export interface PreparedItems {
  inputs: readonly OutboxItemInput[];
  payloads: unknown[];
}

/** The memory outbox: the store, and the two halves of its enqueue for the inbox's atomic ingest. */
export interface MemoryOutbox {
  store: OutboxStore;
  /**
   * Converts every payload (throws `StorageInputError` naming `<path>.<i>.payload` for one JSON
   * cannot hold); changes nothing.
   */
  prepare(inputs: readonly OutboxItemInput[], path: string): PreparedItems;
  /** Stores the prepared items that are new (cannot fail); returns how many. */
  commit(prepared: PreparedItems, now: number): number;
}

/**
 * The outbox as a map in insertion order, plus the live (pending or leased) items of each sink, so a
 * claim scans only those.
 */
export function createMemoryOutbox(): MemoryOutbox {
  const items = new Map<string, OutboxItem>();
  const byKey = new Map<string, string>();
  const live = new Map<string, Set<OutboxItem>>();
  let nextId = 1;

  /** Ids are looked up by their canonical form only, as in every engine. */
  const find = (id: string) => {
    const n = parseOutboxId(id);
    return n === null ? undefined : items.get(String(n));
  };
  const leased = (id: string, token: string): OutboxItem | undefined => {
    const item = find(id);
    return item && item.status === "leased" && item.leaseToken === token ? item : undefined;
  };

  // Every payload is converted before the first item is stored: one that is not JSON fails the batch.
  const prepare = (inputs: readonly OutboxItemInput[], path: string): PreparedItems => ({
    inputs,
    payloads: inputs.map(
      (input, i) => JSON.parse(outboxPayloadJson(input.payload, `${path}.${i}.payload`)) as unknown,
    ),
  });
  const commit = ({ inputs, payloads }: PreparedItems, now: number) => {
    let added = 0;
    for (const [i, input] of inputs.entries()) {
      const key = `${input.sink}\u0000${input.idempotencyKey}`;
      if (byKey.has(key)) continue;
      const id = String(nextId++);
      const item: OutboxItem = {
        id,
        sink: input.sink,
        idempotencyKey: input.idempotencyKey,
        payload: payloads[i],
        status: "pending",
        attempts: 0,
        availableAt: input.availableAt ?? now,
        leaseExpiresAt: null,
        leaseToken: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      };
      items.set(id, item);
      const sinkItems = live.get(item.sink) ?? new Set<OutboxItem>();
      live.set(item.sink, sinkItems.add(item));
      byKey.set(key, id);
      added++;
    }
    return added;
  };

  const store: OutboxStore = {
    async enqueue(inputs, now) {
      return commit(prepare(inputs, "items"), now);
    },
    async claim({ sink, limit, leaseMs, now }) {
      const due = [...(live.get(sink) ?? [])]
        .filter(
          (item) =>
            (item.status === "pending" && item.availableAt <= now) ||
            (item.status === "leased" && (item.leaseExpiresAt as number) <= now),
        )
        .sort((a, b) => a.availableAt - b.availableAt || Number(a.id) - Number(b.id))
        .slice(0, limit);
      for (const item of due) {
        item.status = "leased";
        item.attempts++;
        item.leaseToken = randomUUID();
        item.leaseExpiresAt = now + leaseMs;
        item.updatedAt = now;
      }
      return due.map((item) => structuredClone(item));
    },
    async ack(id, token, now) {
      const item = leased(id, token);
      if (!item) return false;
      Object.assign(item, {
        status: "delivered",
        leaseToken: null,
        leaseExpiresAt: null,
        updatedAt: now,
      });
      live.get(item.sink)?.delete(item);
      return true;
    },
    async retry(id, token, { error, availableAt, now }) {
      const item = leased(id, token);
      if (!item) return false;
      Object.assign(item, {
        status: "pending",
        leaseToken: null,
        leaseExpiresAt: null,
        lastError: error,
        availableAt,
        updatedAt: now,
      });
      return true;
    },
    async deadLetter(id, token, { error, now }) {
      const item = leased(id, token);
      if (!item) return false;
      Object.assign(item, {
        status: "dead",
        leaseToken: null,
        leaseExpiresAt: null,
        lastError: error,
        updatedAt: now,
      });
      live.get(item.sink)?.delete(item);
      return true;
    },
    async listFailures({ sink, limit }) {
      return [...items.values()]
        .filter(
          (item) =>
            item.lastError !== null &&
            item.status !== "delivered" &&
            (sink === undefined || item.sink === sink),
        )
        .sort((a, b) => b.updatedAt - a.updatedAt || Number(b.id) - Number(a.id))
        .slice(0, limit)
        .map((item) => structuredClone(item));
    },
    async getOutboxItem(id) {
      const item = find(id);
      return item ? structuredClone(item) : null;
    },
  };
  return { store, prepare, commit };
}
