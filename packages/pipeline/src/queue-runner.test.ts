import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQueueRunner } from "./queue-runner.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

afterEach(() => {
  vi.useRealTimers();
});

/** A runner over a memory outbox whose handler acks everything and records the batch sizes. */
function setup(lingerMs: number) {
  vi.useFakeTimers();
  const store = createMemoryStorage();
  const now = () => Date.now();
  const batches: number[] = [];
  let n = 0;
  const enqueue = (count: number) =>
    store.enqueue(
      Array.from({ length: count }, () => ({
        sink: "q",
        idempotencyKey: `k${n++}`,
        payload: {},
      })),
      now(),
    );
  const runner = createQueueRunner({
    queue: "q",
    store,
    batchSize: 10,
    leaseMs: 60_000,
    pollMs: 60_000,
    lingerMs,
    now,
    logger: silent,
    handle: async (items) => {
      batches.push(items.length);
      for (const item of items) await store.ack(item.id, item.leaseToken as string, now());
    },
  });
  return { runner, batches, enqueue };
}

describe("the queue loop's linger", () => {
  it("lets a trickle gather into one batch after a wake", async () => {
    const { runner, batches, enqueue } = setup(1_000);
    runner.start();
    await vi.advanceTimersByTimeAsync(0); // the first claim finds nothing and sleeps pollMs
    await enqueue(1);
    runner.wake();
    await vi.advanceTimersByTimeAsync(10);
    await enqueue(4);
    runner.wake(); // a wake while lingering does not cut it short
    await vi.advanceTimersByTimeAsync(980);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(batches).toEqual([5]);
    const stopped = runner.stop(); // ends the linger that follows a short batch at once
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it("claims full batches back to back, and lingers only before a short one", async () => {
    const { runner, batches, enqueue } = setup(1_000);
    await enqueue(25);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([10, 10, 5]);
    await enqueue(3);
    runner.wake(); // ignored: it is lingering after the short batch
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toEqual([10, 10, 5]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([10, 10, 5, 3]);
    const stopped = runner.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it("claims at once with lingerMs 0, and tick() never lingers", async () => {
    const { runner, batches, enqueue } = setup(0);
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    await enqueue(2);
    runner.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([2]);
    await runner.stop();
    const lingering = setup(60_000);
    await lingering.enqueue(3);
    expect(await lingering.runner.tick()).toBe(3);
    expect(lingering.batches).toEqual([3]);
  });
});
