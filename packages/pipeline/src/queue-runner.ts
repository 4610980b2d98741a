/**
 * One outbox queue's loop: claim a batch, hand it to the handler, repeat; sleep when idle (woken early
 * when this process enqueues work) or while the queue is paused after a transport failure. The
 * worker's queue and every sink use it.
 *
 * @module
 */
import type { Clock, Logger, OutboxItem, OutboxStore } from "@revtrace/core";

/** A queue's handler: settles every claimed item (ack, retry or dead letter). */
export type BatchHandler = (items: OutboxItem[]) => Promise<void>;

/** See {@link createQueueRunner}. */
export interface QueueRunner {
  readonly queue: string;
  /** Claims and handles one batch; resolves with how many items it claimed (0 while paused). */
  tick(): Promise<number>;
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Stops claiming; resolves once the batch in flight is settled. */
  stop(): Promise<void>;
  /** Ends an idle sleep now (work was enqueued). */
  wake(): void;
  /** Holds claims until `until` (epoch ms), e.g. after a vendor asked to wait. */
  pause(until: number): void;
}

export interface QueueRunnerOptions {
  queue: string;
  store: OutboxStore;
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  /**
   * How long the loop lets work accumulate before claiming less than a full batch (after it was
   * woken, or after a claim that took less than `batchSize`), so that a steady trickle is sent in few
   * large batches instead of many small ones. `0`: claim at once. `tick()` (and so `drain()`) never
   * waits.
   */
  lingerMs: number;
  now: Clock;
  logger: Logger;
  handle: BatchHandler;
  /** Called after each claim: when it started, how many items it returned, and its limit. */
  onClaim?: ((startedAt: number, count: number, limit: number) => void) | undefined;
}

/** Creates the loop of one queue (not started). */
export function createQueueRunner(options: QueueRunnerOptions): QueueRunner {
  const { queue, store, now, logger } = options;
  let running = false;
  let loop: Promise<void> | null = null;
  let pausedUntil = 0;
  let inFlight: Promise<number> | null = null;
  /** The idle sleep (a wake ends it) and the linger (only `stop()` ends it: work is to gather). */
  const sleeper = cutShortDelay();
  const lingering = cutShortDelay();

  const claimAndHandle = async (): Promise<number> => {
    if (now() < pausedUntil) return 0;
    const startedAt = now();
    const items = await store.claim({
      sink: queue,
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      now: startedAt,
    });
    options.onClaim?.(startedAt, items.length, options.batchSize);
    if (items.length > 0) await options.handle(items);
    return items.length;
  };

  // One batch at a time per queue and process: a tick during a tick waits for it.
  const tick = async (): Promise<number> => {
    while (inFlight) await inFlight.catch(() => 0);
    const current = claimAndHandle();
    inFlight = current;
    try {
      return await current;
    } finally {
      inFlight = null;
    }
  };

  const run = async () => {
    while (running) {
      let claimed = 0;
      try {
        claimed = await tick();
      } catch (error) {
        logger.error(
          { queue, error: error instanceof Error ? error.message : String(error) },
          "queue loop failed; retrying",
        );
      }
      if (!running) break;
      if (claimed === 0) {
        const wait = pausedUntil > now() ? pausedUntil - now() : options.pollMs;
        await sleeper.wait(Math.max(1, Math.min(wait, options.pollMs)));
      }
      // Less than a full batch was there (or nothing, and now something may be): let more come.
      if (running && claimed < options.batchSize && options.lingerMs > 0) {
        await lingering.wait(options.lingerMs);
      }
    }
  };

  return {
    queue,
    tick,
    wake: sleeper.end,
    pause(until) {
      pausedUntil = Math.max(pausedUntil, until);
    },
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      sleeper.end();
      lingering.end();
      await loop;
      loop = null;
      while (inFlight) await inFlight.catch(() => 0);
    },
  };
}

/** One pending delay at a time that can be ended early: `wait(ms)`, and `end()` resolves it now. */
function cutShortDelay() {
  let pending: { timer: NodeJS.Timeout; resolve: () => void } | null = null;
  return {
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending = null;
          resolve();
        }, ms);
        pending = { timer, resolve };
      }),
    end: () => {
      if (!pending) return;
      clearTimeout(pending.timer);
      const { resolve } = pending;
      pending = null;
      resolve();
    },
  };
}
