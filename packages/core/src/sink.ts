/**
 * The Sink contract every destination package implements.
 *
 * @module
 */
import type { SinkError } from "./errors.js";

/** Per-call options of {@link Sink.send}. */
export interface SendOptions {
  /** Aborts the send; pending retries stop and the call throws a `SinkError` with reason `aborted`. */
  signal?: AbortSignal | undefined;
}

/** The outcome of one item of a batch. `id` is the item's own id (e.g. the conversion id). */
export type ItemResult =
  | { readonly id: string; readonly status: "delivered" }
  | { readonly id: string; readonly status: "skipped"; readonly reason: string }
  | { readonly id: string; readonly status: "rejected"; readonly error: SinkError };

/**
 * A destination. `send` delivers a batch and returns one result per item, in input order: one bad item
 * never fails the batch. Transport failures (network, 429, 5xx, a vendor outage) throw one
 * {@link SinkError} with `retryable` and `retryAfterMs` after the sink's own retries are exhausted.
 * Every item carries a stable dedupe id, so sending the same item again is safe.
 */
export interface Sink<Item> {
  readonly specificationVersion: "v1";
  /** Stable name: `tiktok`, `activecampaign`, `kiflo`, `segment`. */
  readonly name: string;
  send(items: readonly Item[], options?: SendOptions): Promise<readonly ItemResult[]>;
  /** Checks credentials and account settings at setup; throws `SinkError` or `ConfigError`. */
  verifyCredentials?(options?: SendOptions): Promise<void>;
}
