/**
 * Batch isolation for vendors that validate a request all-or-nothing (TikTok, Segment's batch
 * endpoint): one bad item makes the vendor refuse the whole request, so a refused batch is narrowed
 * down until every good item is delivered and every bad one is rejected on its own. Vendor-neutral:
 * the vendor is one `send(batch)` function answering "accepted" (possibly with items it failed) or
 * "refused" (possibly naming items), or throwing for a transport or request-level failure.
 *
 * Rules, each for a reason:
 * - An item is rejected only when the vendor refused it **alone**, or named it as failed in an answer
 *   that accepted the request (a partial success). A hint naming items in a refused batch is never
 *   trusted blindly: the named items are sent alone first, and once a named item is accepted alone
 *   the vendor's names are ignored for the rest of the delivery.
 * - Refusals that name items: the named items alone, then the rest together once; when the rest is
 *   refused naming items again (a vendor that names one bad item per answer), it is halved instead
 *   of resent whole, so the payload stays O(n log n), never quadratic.
 * - Refusals that name nothing: bisection. When the first half is accepted, the second half must hold
 *   the bad item and is split at once without being sent whole. k bad items among n cost at most
 *   about 2·k·log2(n) + 1 requests, and each item is sent at most about 2·log2(n) + 3 times (payload O(n log n)).
 * - Request-level refusals: a refusal caused by the request (a credential, the envelope) and not by
 *   an item looks, request after request, exactly like "every item is bad". The only evidence that
 *   tells them apart without a request per item is a request that carries no item at all: at the
 *   first refusal that names nothing while nothing has been accepted yet, `probeRequest` (when the
 *   vendor has one) sends such a request. Refused too: the request is at fault, and one
 *   non-retryable error is thrown for the batch (nothing was accepted, so no result is lost).
 *   Passed: the refusal is about items, and isolation goes on. Without a probe, every refusal that
 *   names nothing is treated as item-level: correct for any number of bad items, at the cost of
 *   bisecting down to single items when every item is refused.
 * - A request that fails as a whole (`send` throws) after other items were settled: those keep their
 *   results and the unsettled items are rejected with the error (retryable as it is), so what the
 *   vendor accepted is never reported as failed. With nothing settled yet the error is thrown.
 *
 * @module
 */
import { SinkError } from "../errors.js";
import { type Logger, toLogger } from "../logger.js";
import type { ItemResult } from "../sink.js";
import { type BatchLimits, jsonByteLength, splitBatches } from "./split-batches.js";

/** An item the vendor accepted the request for but reports as failed (0-based index in the batch). */
export interface FailedItem {
  readonly index: number;
  readonly error: SinkError;
}

/** The vendor's answer to one request of items. */
export type BatchAnswer =
  /** Accepted; `failed` lists the items the vendor reports it dropped (a partial success). */
  | { readonly outcome: "accepted"; readonly failed?: readonly FailedItem[] | undefined }
  /**
   * Refused as a whole because of items in it (bad data, all-or-nothing validation). `named` are the
   * 0-based indexes in the batch that the vendor's answer blames, when it names any (a hint).
   */
  | {
      readonly outcome: "refused";
      readonly error: SinkError;
      readonly named?: readonly number[] | undefined;
    };

/** Options of {@link deliverInBatches}. */
export interface DeliverInBatchesOptions<T> {
  /** The sink's name, for errors and logs. */
  name: string;
  /** The id reported in each item's result. */
  idOf(item: T): string;
  /**
   * Sends one request with `batch` (never empty, within the limits). Answers `accepted` or `refused`
   * (item-level); throws a `SinkError` for a transport failure or a refusal of the request itself
   * (bad credentials, rate limit after retries): that error ends the whole delivery.
   */
  send(batch: readonly T[]): Promise<BatchAnswer>;
  /** Request limits: items per request and, optionally, bytes per body. */
  limits: BatchLimits;
  /** Bytes an item adds to a request body (used only with `limits.maxBytes`). @default JSON bytes */
  sizeOf?: ((item: T) => number) | undefined;
  /**
   * Sends a request that carries no item, with the same envelope and credentials, and answers `true`
   * when it is refused like `refusal` (the request itself is at fault) and `false` when it passes the
   * checks that refused the batch. Called at most once per delivery. Optional: without it, no refusal
   * is ever judged request-level by this helper.
   */
  probeRequest?: ((refusal: SinkError) => Promise<boolean>) | undefined;
  /** The error of an item refused alone. @default a non-retryable `invalid_item` copy of the refusal */
  itemError?: ((refusal: SinkError) => SinkError) | undefined;
  /** The error thrown when the probe shows the request is at fault. @default non-retryable */
  requestError?: ((refusal: SinkError) => SinkError) | undefined;
  logger?: Partial<Logger> | undefined;
}

/** The per-item error of an item the vendor refused alone: not retryable, reason `invalid_item`. */
export function itemRefusalError(refusal: SinkError): SinkError {
  return new SinkError(refusal.message, {
    sink: refusal.sink,
    reason: "invalid_item",
    retryable: false,
    status: refusal.status,
    vendorCode: refusal.vendorCode,
    responseBody: refusal.responseBody,
    cause: refusal,
  });
}

/** The error thrown for a refusal that a request without items gets too: the request is at fault. */
export function requestRefusalError(refusal: SinkError): SinkError {
  return new SinkError(
    `${refusal.message}; a request without any item is refused the same way, so the request itself is at fault`,
    {
      sink: refusal.sink,
      reason: refusal.reason,
      retryable: false,
      status: refusal.status,
      vendorCode: refusal.vendorCode,
      responseBody: refusal.responseBody,
      cause: refusal,
    },
  );
}

interface Entry<T> {
  readonly item: T;
  /** Position in the caller's input. */
  readonly index: number;
}

interface Refusal {
  readonly error: SinkError;
  /** Valid, distinct, sorted positions in the refused group. */
  readonly named: readonly number[];
}

/** Halves, the first one the larger. */
function halves<T>(group: readonly T[]): [T[], T[]] {
  const half = Math.ceil(group.length / 2);
  return [group.slice(0, half), group.slice(half)];
}

/** Distinct integer positions inside `size`, sorted. */
function validPositions(named: readonly number[] | undefined, size: number): number[] {
  if (!named) return [];
  const valid = new Set<number>();
  for (const position of named) {
    if (Number.isInteger(position) && position >= 0 && position < size) valid.add(position);
  }
  return [...valid].sort((a, b) => a - b);
}

/**
 * Delivers `items` in as few requests as the limits allow, isolating the bad ones (see the module
 * notes), and answers one result per item, in input order: `delivered`, or `rejected` with the
 * vendor's refusal of that item. Batches are sent one after the other. A `SinkError` thrown by `send`
 * or `probeRequest` ends the delivery and is rethrown.
 *
 * @example
 * const results = await deliverInBatches(events, {
 *   name: "tiktok",
 *   idOf: (event) => event.id,
 *   limits: { maxItems: 1000, maxBytes: 1_000_000 },
 *   send: async (batch) => {
 *     const answer = await post(batch);
 *     return answer.code === 0
 *       ? { outcome: "accepted" }
 *       : { outcome: "refused", error: toSinkError(answer), named: indexesIn(answer.message) };
 *   },
 * });
 */
export async function deliverInBatches<T>(
  items: readonly T[],
  options: DeliverInBatchesOptions<T>,
): Promise<ItemResult[]> {
  const { name, send, idOf, probeRequest } = options;
  const logger = toLogger(options.logger);
  const itemError = options.itemError ?? itemRefusalError;
  const requestError = options.requestError ?? requestRefusalError;
  const results: (ItemResult | undefined)[] = new Array(items.length);
  const entries: Entry<T>[] = items.map((item, index) => ({ item, index }));
  const sizeOf = options.sizeOf ?? jsonByteLength;
  let accepted = false;
  let probed = false;
  // Once a named item is accepted alone, the vendor's names are wrong: bisect from then on.
  let trustNames = true;

  function reject(entry: Entry<T>, error: SinkError): void {
    logger.warn(
      { sink: name, item: idOf(entry.item), code: error.vendorCode },
      `${name}: item rejected`,
    );
    results[entry.index] = { id: idOf(entry.item), status: "rejected", error };
  }

  /** One request; records what it settled and answers the refusal, if any. */
  async function attempt(group: readonly Entry<T>[]): Promise<Refusal | undefined> {
    const answer = await send(group.map((entry) => entry.item));
    if (answer.outcome === "refused") {
      const named = trustNames ? validPositions(answer.named, group.length) : [];
      return { error: answer.error, named };
    }
    accepted = true;
    const failed = new Map<number, SinkError>();
    for (const { index, error } of answer.failed ?? []) {
      if (Number.isInteger(index) && index >= 0 && index < group.length && !failed.has(index)) {
        failed.set(index, error);
      }
    }
    group.forEach((entry, position) => {
      const error = failed.get(position);
      if (error) reject(entry, error);
      else results[entry.index] = { id: idOf(entry.item), status: "delivered" };
    });
    return undefined;
  }

  /** Sends `entry` alone; rejects it when refused. */
  async function alone(entry: Entry<T>): Promise<void> {
    const refusal = await attempt([entry]);
    if (refusal) reject(entry, itemError(refusal.error));
  }

  /**
   * At the first refusal naming nothing, while nothing has been accepted: a request without items
   * tells a refusal of the request from a refusal of items (see the module notes).
   */
  async function checkRequest(refusal: Refusal): Promise<void> {
    if (probed || accepted || !probeRequest || refusal.named.length > 0) return;
    probed = true;
    if (await probeRequest(refusal.error)) {
      logger.warn(
        { sink: name, code: refusal.error.vendorCode },
        `${name}: a request without items is refused too; the request itself is at fault`,
      );
      throw requestError(refusal.error);
    }
  }

  /** `group` was refused with `refusal`: settle each of its items. */
  async function isolate(
    group: readonly Entry<T>[],
    refusal: Refusal,
    afterNamed = false,
  ): Promise<void> {
    await checkRequest(refusal);
    if (group.length === 1) {
      reject(group[0] as Entry<T>, itemError(refusal.error));
      return;
    }
    if (refusal.named.length === 0) {
      logger.info(
        { sink: name, code: refusal.error.vendorCode, items: group.length },
        `${name}: batch refused without naming an item; bisecting`,
      );
      await bisect(group, true);
      return;
    }
    logger.info(
      { sink: name, code: refusal.error.vendorCode, items: group.length, named: refusal.named },
      `${name}: batch refused naming items; sending them alone`,
    );
    const named = new Set(refusal.named);
    for (const position of refusal.named) {
      const entry = group[position] as Entry<T>;
      await alone(entry);
      if (results[entry.index]?.status === "delivered") trustNames = false;
    }
    const rest = group.filter((_, position) => !named.has(position));
    if (rest.length === 0) return;
    if (afterNamed) {
      // The vendor names a few bad items per answer: halve the rest rather than resend it whole.
      await bisect(rest, false);
      return;
    }
    const again = await attempt(rest);
    if (again) await isolate(rest, again, true);
  }

  /**
   * Splits `group` in halves and settles each. `refused`: the whole group is known to hold a bad item
   * (so when the first half is accepted, the second is split without being sent whole).
   */
  async function bisect(group: readonly Entry<T>[], refused: boolean): Promise<void> {
    if (group.length === 1) {
      await alone(group[0] as Entry<T>);
      return;
    }
    const [first, second] = halves(group);
    const firstRefusal = await attempt(first);
    if (!firstRefusal && refused) {
      await bisect(second, true);
      return;
    }
    const secondRefusal = await attempt(second);
    if (firstRefusal) await isolate(first, firstRefusal);
    if (secondRefusal) await isolate(second, secondRefusal);
  }

  try {
    for (const batch of splitBatches(entries, options.limits, (entry) => sizeOf(entry.item))) {
      const refusal = await attempt(batch);
      if (refusal) await isolate(batch, refusal);
    }
  } catch (error) {
    // A failure of a request as a whole ends the delivery. Nothing settled yet: thrown as it is
    // (the caller retries the whole send, nothing is lost). Items already settled keep their
    // results (those the vendor accepted stay delivered; thrown away, they would be retried or
    // dead-lettered as failures), and the rest are rejected with the error, retryable as it is.
    // An abort always throws: the caller gave up on the whole send.
    const settled = results.some((result) => result !== undefined);
    if (!settled || !SinkError.isInstance(error) || error.reason === "aborted") throw error;
    let unsettled = 0;
    for (const { item, index } of entries) {
      if (results[index] !== undefined) continue;
      results[index] = { id: idOf(item), status: "rejected", error };
      unsettled++;
    }
    logger.warn(
      { sink: name, code: error.vendorCode, retryable: error.retryable, items: unsettled },
      `${name}: a request failed after others were settled; the unsettled items are rejected with its error`,
    );
  }

  for (let index = 0; index < results.length; index++) {
    if (results[index] === undefined) {
      // Unreachable by construction; a bug here must not pass for a delivery.
      throw new Error(`deliverInBatches: item ${index} was not settled`);
    }
  }
  return results as ItemResult[];
}
