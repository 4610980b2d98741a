/**
 * The worker's batch handler: for each claimed work item, load the inbound event from the inbox,
 * process it (identity, attribution, commissions, conversions), enqueue its deliveries in the sinks'
 * outboxes, then ack. A failure retries the item with backoff; after `maxAttempts` it is
 * dead-lettered (and `replayDeadLetters({ sink: WORK_QUEUE })` brings it back).
 *
 * @module
 */
import type { Clock, Logger, OutboxItem } from "@revtrace/core";
import { type BackoffPolicy, retryDelay } from "./backoff.js";
import type { ProcessedEvent } from "./event-processor.js";
import type { MetricsRegistry } from "./metrics.js";
import type { PipelineStorage } from "./pipeline-options.js";
import { describeFailure } from "./sink-delivery.js";
import { isWorkPayload, WORK_QUEUE } from "./work-item.js";

export interface WorkerOptions {
  storage: PipelineStorage;
  process: (
    inbox: NonNullable<Awaited<ReturnType<PipelineStorage["getInboxEvent"]>>>,
  ) => Promise<ProcessedEvent>;
  metrics: MetricsRegistry;
  backoff: BackoffPolicy;
  maxAttempts: number;
  now: Clock;
  random: () => number;
  logger: Logger;
  /** Called after deliveries were enqueued for these sinks. */
  onEnqueued: (sinks: ReadonlySet<string>) => void;
}

/** Creates the worker's batch handler. */
export function createWorker(options: WorkerOptions) {
  const { storage, metrics, now, logger } = options;
  const counters = metrics.queue(WORK_QUEUE);

  /** Settles a processed item (its deliveries are enqueued already). */
  const ack = async (item: OutboxItem): Promise<void> => {
    if (await storage.ack(item.id, item.leaseToken as string, now())) {
      counters.delivered++;
      metrics.processed++;
    }
    // Settled here, or (lease lost) by whoever holds it now.
    metrics.settle(WORK_QUEUE, item.idempotencyKey);
  };

  /** Processes one item; resolves with it when it is to be acknowledged, `null` when settled. */
  const handleOne = async (item: OutboxItem): Promise<OutboxItem | null> => {
    const token = item.leaseToken as string;
    metrics.track(WORK_QUEUE, item.idempotencyKey, item.createdAt);
    try {
      if (!isWorkPayload(item.payload)) throw new TypeError("not a pipeline work item");
      const inbox = await storage.getInboxEvent(item.payload.key);
      if (!inbox) throw new TypeError("the inbox has no event under this key");
      const { items } = await process(inbox);
      if (items.length > 0) {
        await storage.enqueue(items, now());
        options.onEnqueued(new Set(items.map((enqueued) => enqueued.sink)));
      }
      return item;
    } catch (error) {
      const text = describeFailure(error);
      if (item.attempts >= options.maxAttempts || !isWorkPayload(item.payload)) {
        if (await storage.deadLetter(item.id, token, { error: text, now: now() })) {
          counters.deadLetters++;
        }
        metrics.settle(WORK_QUEUE, item.idempotencyKey);
        logger.error(
          { item: item.id, key: item.idempotencyKey, error: text },
          "event dead-lettered",
        );
        return null;
      }
      const availableAt = now() + retryDelay(options.backoff, item.attempts, options.random);
      if (await storage.retry(item.id, token, { error: text, availableAt, now: now() })) {
        counters.retries++;
      } else {
        metrics.settle(WORK_QUEUE, item.idempotencyKey);
      }
      logger.warn({ item: item.id, key: item.idempotencyKey, error: text }, "event retried");
      return null;
    }
  };
  const process = options.process;

  // Events are processed one after another, in claim order (a customer's events depend on each
  // other). The acknowledgements of a batch are written together at its end, one group commit
  // instead of one transaction per event: a crash before them re-processes the batch, which is
  // safe because every step is idempotent (dedupe keys, identity observations, ledger keys).
  return async (items: OutboxItem[]): Promise<void> => {
    const done: OutboxItem[] = [];
    for (const item of items) {
      const processed = await handleOne(item);
      if (processed) done.push(processed);
    }
    await Promise.all(done.map(ack));
  };
}
