/**
 * Delivery of one claimed batch to one sink: `send`, then one settlement per item — delivered and
 * skipped items are acked, rejected ones retried when the error is retryable and dead-lettered
 * otherwise; a thrown transport failure retries the whole batch with backoff (at least the vendor's
 * `retryAfterMs`) and pauses the sink meanwhile. An item that used up its attempts is dead-lettered.
 * Every `send` gets an `AbortSignal` that fires after `sendTimeoutMs` or when the pipeline aborts its
 * deliveries (`close()` after its grace period); the batch then stops waiting for the sink (even one
 * that ignores the signal) and its items are retried like after any retryable transport failure.
 *
 * @module
 */
import {
  type Clock,
  type Conversion,
  type ItemResult,
  type Logger,
  type OutboxItem,
  type OutboxStore,
  type Sink,
  SinkError,
} from "@revtrace/core";
import { type BackoffPolicy, retryDelay } from "./backoff.js";
import type { MetricsRegistry } from "./metrics.js";

export interface SinkDeliveryOptions {
  sink: Sink;
  store: OutboxStore;
  metrics: MetricsRegistry;
  backoff: BackoffPolicy;
  maxAttempts: number;
  now: Clock;
  random: () => number;
  logger: Logger;
  /** Called with the time until which the sink should not be called again. */
  pause: (until: number) => void;
  /** How long one `send` may take before it is aborted and its items retried. */
  sendTimeoutMs: number;
  /** Aborts every `send` in flight (the pipeline is closing); their items are retried. */
  abort?: AbortSignal | undefined;
}

/**
 * Runs `send` with a signal that fires after `timeoutMs` or with `abort`, and stops waiting when it
 * fires: rejects with a retryable `SinkError` (`timeout` or `aborted`) even when the sink ignores it.
 */
export async function sendBounded<T>(
  sinkName: string,
  timeoutMs: number,
  abort: AbortSignal | undefined,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let fail: (error: SinkError) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    fail = reject;
  });
  stopped.catch(() => {});
  const stop = (reason: "timeout" | "aborted") => {
    const error = new SinkError(
      reason === "timeout"
        ? `the ${sinkName} sink did not answer within ${timeoutMs} ms`
        : `the ${sinkName} sink's send was aborted (the pipeline is closing)`,
      { sink: sinkName, reason, retryable: true },
    );
    // Settles first: a sink that rejects on the signal (maybe as not retryable) cannot win the race.
    fail(error);
    controller.abort(error);
  };
  const timer = setTimeout(() => stop("timeout"), timeoutMs);
  const onAbort = () => stop("aborted");
  abort?.addEventListener("abort", onAbort, { once: true });
  try {
    if (abort?.aborted) stop("aborted");
    const sent = Promise.resolve().then(() => send(controller.signal));
    // A send that settles after it was given up on must not become an unhandled rejection.
    sent.catch(() => {});
    return await Promise.race([sent, stopped]);
  } finally {
    clearTimeout(timer);
    abort?.removeEventListener("abort", onAbort);
  }
}

/** A short description of a failure for `lastError`: code and message, which never hold PII. */
export function describeFailure(error: unknown): string {
  if (SinkError.isInstance(error)) {
    const status = error.status !== undefined ? ` (HTTP ${error.status})` : "";
    return `${error.code}/${error.reason}${status}: ${error.message}`.slice(0, 1000);
  }
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 1000);
  return String(error).slice(0, 1000);
}

/** Creates the batch handler of one sink's queue. */
export function createSinkDelivery(options: SinkDeliveryOptions) {
  const { sink, store, metrics, now, logger } = options;
  const counters = metrics.queue(sink.name);

  const settleFailure = async (
    item: OutboxItem,
    error: unknown,
    retryable: boolean,
    retryAfterMs?: number,
    onDeadLetter?: () => void,
  ): Promise<number | null> => {
    const text = describeFailure(error);
    const token = item.leaseToken as string;
    if (!retryable || item.attempts >= options.maxAttempts) {
      metrics.settle(sink.name, item.idempotencyKey);
      if (await store.deadLetter(item.id, token, { error: text, now: now() })) {
        counters.deadLetters++;
        onDeadLetter?.();
        logger.warn(
          { sink: sink.name, item: item.id, key: item.idempotencyKey, attempts: item.attempts },
          "delivery dead-lettered",
        );
      }
      return null;
    }
    const availableAt =
      now() + retryDelay(options.backoff, item.attempts, options.random, retryAfterMs);
    if (await store.retry(item.id, token, { error: text, availableAt, now: now() })) {
      counters.retries++;
      return availableAt;
    }
    metrics.settle(sink.name, item.idempotencyKey); // the lease was lost: someone else has it
    return null;
  };

  return async (items: OutboxItem[]): Promise<void> => {
    for (const item of items) metrics.track(sink.name, item.idempotencyKey, item.createdAt);
    let results: readonly ItemResult[];
    try {
      results = await sendBounded(sink.name, options.sendTimeoutMs, options.abort, (signal) =>
        sink.send(
          items.map((item) => item.payload as Conversion),
          { signal },
        ),
      );
      if (results.length !== items.length) {
        throw new TypeError(
          `the ${sink.name} sink returned ${results.length} results for ${items.length} items`,
        );
      }
    } catch (error) {
      const sinkError = SinkError.isInstance(error) ? error : null;
      const retryable = sinkError ? sinkError.retryable : true;
      logger.warn(
        {
          sink: sink.name,
          items: items.length,
          retryable,
          reason: sinkError?.reason ?? "error",
          status: sinkError?.status,
          retryAfterMs: sinkError?.retryAfterMs,
        },
        "sink send failed",
      );
      // Every item's settlement at once: one group commit on SQLite, parallel statements on Postgres.
      const resumes = await Promise.all(
        items.map((item) => settleFailure(item, error, retryable, sinkError?.retryAfterMs)),
      );
      const resumeAt = Math.min(...resumes.filter((at): at is number => at !== null));
      if (Number.isFinite(resumeAt)) options.pause(resumeAt);
      return;
    }
    // A vendor's Retry-After on one item (a rate limit answered per request) holds the whole
    // sink: the next batch would meet the same limit.
    let holdUntil = Number.POSITIVE_INFINITY;
    const settle = async (item: OutboxItem, result: ItemResult): Promise<void> => {
      const token = item.leaseToken as string;
      if (result.status === "delivered" || result.status === "skipped") {
        if (await store.ack(item.id, token, now())) {
          if (result.status === "delivered") counters.delivered++;
          else counters.skipped++;
        }
        metrics.settle(sink.name, item.idempotencyKey);
        if (result.status === "skipped") {
          logger.debug({ sink: sink.name, item: item.id, reason: result.reason }, "skipped");
        }
        return;
      }
      // Rejected for good only once it ends here: a rejection retried later counts as a retry.
      const { retryable, retryAfterMs } = result.error;
      const at = await settleFailure(item, result.error, retryable, retryAfterMs, () => {
        counters.rejected++;
      });
      if (at !== null && retryAfterMs !== undefined) holdUntil = Math.min(holdUntil, at);
    };
    await Promise.all(items.map((item, index) => settle(item, results[index] as ItemResult)));
    if (Number.isFinite(holdUntil)) options.pause(holdUntil);
  };
}
