/**
 * The Sink contract every destination package implements.
 *
 * @module
 */
import type { SinkError } from "./errors.js";
import type { Conversion, ConversionName } from "./model/conversion.js";

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
export interface Sink<Item extends { readonly id: string } = Conversion> {
  readonly specificationVersion: "v1";
  /** Stable name: `tiktok`, `activecampaign`, `kiflo`, `segment`. */
  readonly name: string;
  /**
   * The conversion names this sink delivers (from its settings: an event mapping, enabled actions).
   * `send` answers `skipped` with a reason for an item of any other name, never an error; the
   * pipeline enqueues only the names a sink handles. See {@link sendHandled}.
   */
  readonly handles: ReadonlySet<ConversionName>;
  /**
   * The most items one `send` should get, when the sink knows better than the pipeline's
   * `delivery.batchSize` (which applies otherwise): a sink bound by a vendor's request rate must be
   * able to finish a whole send within the pipeline's `delivery.sendTimeoutMs`.
   */
  readonly batchSize?: number;
  send(items: readonly Item[], options?: SendOptions): Promise<readonly ItemResult[]>;
  /** Checks credentials and account settings at setup; throws `SinkError` or `ConfigError`. */
  verifyCredentials?(options?: SendOptions): Promise<void>;
}

/**
 * Runs `send` on the items whose `name` the sink handles and answers `skipped` for the rest, with
 * `reason(name)` (default: a sentence naming the sink and the conversion name), keeping one result per
 * item in input order. `send` must return one result per item it is given, in order. Every sink's
 * `send` goes through it.
 */
export async function sendHandled<
  Item extends { readonly id: string; readonly name: ConversionName },
>(
  sinkName: string,
  handles: ReadonlySet<ConversionName>,
  items: readonly Item[],
  send: (handled: readonly Item[]) => Promise<readonly ItemResult[]>,
  reason: (name: ConversionName) => string = (name) =>
    `the ${sinkName} sink does not handle "${name}" conversions`,
): Promise<ItemResult[]> {
  const handled: Item[] = [];
  const results: (ItemResult | undefined)[] = items.map((item) => {
    if (handles.has(item.name)) {
      handled.push(item);
      return undefined;
    }
    return { id: item.id, status: "skipped", reason: reason(item.name) };
  });
  if (handled.length === 0) return results as ItemResult[];
  const sent = await send(handled);
  if (sent.length !== handled.length) {
    throw new TypeError(
      `sendHandled: the ${sinkName} sink returned ${sent.length} results for ${handled.length} items`,
    );
  }
  let next = 0;
  return results.map((result) => result ?? (sent[next++] as ItemResult));
}
