/** Something to deliver to one sink. */
export interface OutboxItemInput {
  /** The sink's name (`tiktok`, …). */
  sink: string;
  /** Unique per sink: enqueueing the same key twice keeps one item. */
  idempotencyKey: string;
  /**
   * A JSON value (usually a Conversion). Every engine stores it as JSON and returns what
   * `JSON.parse(JSON.stringify(payload))` gives: `Date`s come back as strings, `undefined` fields vanish.
   */
  payload: unknown;
  /** Earliest delivery time, epoch milliseconds (default: now). */
  availableAt?: number;
}

/** The state of an outbox item. */
export type OutboxStatus = "pending" | "leased" | "delivered" | "dead";

/** A stored outbox item. */
export interface OutboxItem {
  id: string;
  sink: string;
  idempotencyKey: string;
  payload: unknown;
  status: OutboxStatus;
  /** Delivery attempts started so far. */
  attempts: number;
  /** Epoch ms from which the item may be claimed (`enqueue`'s `now` unless given). */
  availableAt: number;
  /** While leased: the lease's expiry (epoch ms). */
  leaseExpiresAt: number | null;
  /** Token proving the lease; `ack`/`retry`/`deadLetter` must present it. */
  leaseToken: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A durable delivery queue with leases (at-least-once delivery).
 *
 * Life of an item: `pending` → `claim` → `leased` → `ack` (`delivered`), `retry` (`pending` again, due
 * at a later time) or `deadLetter` (`dead`). A lease that expires makes the item claimable again; the
 * next claim issues a new `leaseToken`, and from then on the old token is refused everywhere.
 * Ids are canonical decimal strings (`"7"`, never `"07"`) assigned in enqueue order; any other string
 * names no item (see `parseOutboxId`).
 */
export interface OutboxStore {
  /**
   * Adds items; idempotent on `(sink, idempotencyKey)`: an item whose pair is already stored (or appears
   * earlier in the same call) is skipped, whatever its state. Returns how many were new.
   */
  enqueue(items: readonly OutboxItemInput[], now: number): Promise<number>;
  /**
   * Leases up to `limit` items of `sink` that are pending with `availableAt <= now`, or leased with
   * `leaseExpiresAt <= now`, ordered by `availableAt` then enqueue order (the result is in that order).
   * Each claimed item gets `status: "leased"`, `attempts + 1`, a fresh `leaseToken`,
   * `leaseExpiresAt = now + leaseMs` and `updatedAt = now`. Concurrent claimers, in this process or any
   * other, never get the same item while its lease holds.
   */
  claim(query: {
    sink: string;
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<OutboxItem[]>;
  /**
   * Marks a leased item `delivered` when `leaseToken` is its current token (an expired lease that was
   * not reclaimed yet still counts). Returns `false`, changing nothing, when the lease was lost
   * (reclaimed by another claim), the token is wrong, or the item is unknown or no longer leased.
   */
  ack(id: string, leaseToken: string, now: number): Promise<boolean>;
  /**
   * Returns a leased item to `pending`, due at `availableAt`, recording `error` as `lastError`.
   * Same lease rule and result as {@link OutboxStore.ack}.
   */
  retry(
    id: string,
    leaseToken: string,
    failure: { error: string; availableAt: number; now: number },
  ): Promise<boolean>;
  /**
   * Gives up on a leased item (status `dead`, never claimed again), recording `error` as `lastError`.
   * Same lease rule and result as {@link OutboxStore.ack}.
   */
  deadLetter(
    id: string,
    leaseToken: string,
    failure: { error: string; now: number },
  ): Promise<boolean>;
  /**
   * Undelivered items that failed at least once (`lastError` set: pending for a retry, leased again, or
   * dead), optionally of one sink, most recently updated first (then the newest id first).
   */
  listFailures(query: { sink?: string; limit: number }): Promise<OutboxItem[]>;
  /** One item by id, or `null`. */
  getOutboxItem(id: string): Promise<OutboxItem | null>;
}
