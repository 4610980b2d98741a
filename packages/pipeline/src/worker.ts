/**
 * The worker's batch handler: for each claimed work item, load the inbound event from the inbox,
 * process it (identity, attribution, commissions, conversions), enqueue its deliveries in the sinks'
 * outboxes, then ack. A failure retries the item with backoff; after `maxAttempts` it is
 * dead-lettered (and `replayDeadLetters({ sink: WORK_QUEUE })` brings it back).
 *
 * @module
 */
import type { Clock, InboxEvent, Logger, OutboxItem } from "@revtrace/core";
import { type BackoffPolicy, retryDelay } from "./backoff.js";
import type { ProcessedEvent } from "./event-processor.js";
import type { MetricsRegistry } from "./metrics.js";
import type { PipelineStorage } from "./pipeline-options.js";
import { describeFailure } from "./sink-delivery.js";
import { isWorkPayload, WORK_QUEUE } from "./work-item.js";
import { runPartitioned, workPartition } from "./work-partition.js";

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

  /** A claimed item with its inbox event, or why it has none. */
  type Loaded = { item: OutboxItem; inbox: InboxEvent | null; error: unknown };
  const load = async (item: OutboxItem): Promise<Loaded> => {
    metrics.track(WORK_QUEUE, item.idempotencyKey, item.createdAt);
    try {
      if (!isWorkPayload(item.payload)) throw new TypeError("not a pipeline work item");
      const inbox = await storage.getInboxEvent(item.payload.key);
      if (!inbox) throw new TypeError("the inbox has no event under this key");
      return { item, inbox, error: null };
    } catch (error) {
      return { item, inbox: null, error };
    }
  };

  /** Processes one item; resolves with it when it is to be acknowledged, `null` when settled. */
  const handleOne = async ({
    item,
    inbox,
    error: loadError,
  }: Loaded): Promise<OutboxItem | null> => {
    const token = item.leaseToken as string;
    try {
      if (!inbox) throw loadError;
      const { items } = await process(inbox);
      if (items.length > 0) {
        const at = now();
        await storage.enqueue(items, at);
        for (const enqueued of items) metrics.enqueued(enqueued.sink, enqueued.idempotencyKey, at);
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

  // A batch in two phases: first what collect requests brought (touchpoints and links a later
  // webhook of the batch may need), then everything else. Within a phase, the events of one
  // customer (or visitor) run in claim order and different customers side by side (see
  // `work-partition.ts`), so their writes share group commits. The acknowledgements are written
  // together at the end: a crash before them re-processes the batch, which is safe because every
  // step is idempotent (dedupe keys, identity observations, ledger keys).
  return async (items: OutboxItem[]): Promise<void> => {
    const loaded = await Promise.all(items.map(load));
    const done: OutboxItem[] = [];
    const run = async (entry: Loaded) => {
      const processed = await handleOne(entry);
      if (processed) done.push(processed);
    };
    const partition = (entry: Loaded) => (entry.inbox ? workPartition(entry.inbox) : "~unloaded");
    const tracker = loaded.filter((entry) => entry.inbox?.source === "tracker");
    const rest = loaded.filter((entry) => entry.inbox?.source !== "tracker");
    await runPartitioned(tracker, partition, run);
    await runPartitioned(rest, partition, run);
    await Promise.all(done.map(ack));
  };
}
