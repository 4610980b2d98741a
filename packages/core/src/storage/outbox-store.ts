/** Something to deliver to one sink. */
export interface OutboxItemInput {
  /** The sink's name (`tiktok`, …). */
  sink: string;
  /** Unique per sink: enqueueing the same key twice keeps one item. */
  idempotencyKey: string;
  /** JSON-serializable payload (usually a Conversion). */
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
  /** Epoch ms from which the item may be claimed. */
  availableAt: number;
  /** While leased: the lease's expiry (epoch ms). */
  leaseExpiresAt: number | null;
  /** Token proving the lease; `ack`/`retry`/`deadLetter` must present it. */
  leaseToken: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A durable delivery queue with leases (at-least-once delivery). */
export interface OutboxStore {
  /** Adds items; idempotent on `(sink, idempotencyKey)`. Returns how many were new. */
  enqueue(items: readonly OutboxItemInput[], now: number): Promise<number>;
  /**
   * Leases up to `limit` items of `sink` that are pending with `availableAt <= now`, or leased with an
   * expired lease, oldest first. Each claim increments `attempts`. Concurrent claimers never get the same
   * item while its lease holds.
   */
  claim(query: {
    sink: string;
    limit: number;
    leaseMs: number;
    now: number;
  }): Promise<OutboxItem[]>;
  /** Marks a leased item delivered. Returns false when the lease was lost (expired and reclaimed). */
  ack(id: string, leaseToken: string, now: number): Promise<boolean>;
  /** Returns a leased item to pending, to be tried again at `availableAt`. */
  retry(
    id: string,
    leaseToken: string,
    failure: { error: string; availableAt: number; now: number },
  ): Promise<boolean>;
  /** Gives up on a leased item (status `dead`), keeping the error. */
  deadLetter(
    id: string,
    leaseToken: string,
    failure: { error: string; now: number },
  ): Promise<boolean>;
  /** Items that failed at least once (pending with an error, or dead), newest first. */
  listFailures(query: { sink?: string; limit: number }): Promise<OutboxItem[]>;
  /** One item by id, or `null`. */
  getOutboxItem(id: string): Promise<OutboxItem | null>;
}
