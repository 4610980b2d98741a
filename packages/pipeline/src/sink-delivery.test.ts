import { type Conversion, type ItemResult, type Sink, SinkError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "./metrics.js";
import { createQueueRunner } from "./queue-runner.js";
import { replayDeadLetters } from "./replay.js";
import { createSinkDelivery } from "./sink-delivery.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A sink answering with `respond` (or throwing what it returns when it is an Error). */
function fakeSink(respond: (items: readonly Conversion[]) => readonly ItemResult[] | Error) {
  const calls: string[][] = [];
  const sink: Sink = {
    specificationVersion: "v1",
    name: "fake",
    handles: new Set(["first_payment"]),
    async send(items) {
      calls.push(items.map((item) => item.id));
      const answer = respond(items);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { sink, calls };
}

async function setup(respond: Parameters<typeof fakeSink>[0], ids: string[], maxAttempts = 3) {
  const store = createMemoryStorage();
  let clock = 1_000_000;
  const now = () => clock;
  const metrics = new MetricsRegistry();
  const { sink, calls } = fakeSink(respond);
  const pauses: number[] = [];
  const runner = createQueueRunner({
    queue: "fake",
    store,
    batchSize: 10,
    leaseMs: 60_000,
    pollMs: 1000,
    lingerMs: 0,
    now,
    logger: silent,
    handle: createSinkDelivery({
      sink,
      store,
      metrics,
      backoff: { baseDelayMs: 1000, maxDelayMs: 60_000 },
      maxAttempts,
      now,
      random: () => 0,
      logger: silent,
      pause: (until) => pauses.push(until),
      sendTimeoutMs: 30_000,
    }),
  });
  await store.enqueue(
    ids.map((id) => ({ sink: "fake", idempotencyKey: id, payload: { id, name: "first_payment" } })),
    clock,
  );
  return {
    store,
    runner,
    metrics,
    calls,
    pauses,
    advance: (ms: number) => {
      clock += ms;
    },
    items: async () =>
      Promise.all(ids.map(async (_id, index) => store.getOutboxItem(String(index + 1)))),
  };
}

const error = (retryable: boolean, retryAfterMs?: number) =>
  new SinkError("vendor said no", {
    sink: "fake",
    reason: retryable ? "http_status" : "invalid_item",
    retryable,
    retryAfterMs,
  });

describe("sink delivery", () => {
  it("acks delivered and skipped items, dead-letters a refused one, retries a retryable refusal", async () => {
    const t = await setup(
      (items) =>
        items.map((item, i): ItemResult => {
          if (i === 0) return { id: item.id, status: "delivered" };
          if (i === 1) return { id: item.id, status: "skipped", reason: "not mapped" };
          if (i === 2) return { id: item.id, status: "rejected", error: error(false) };
          return { id: item.id, status: "rejected", error: error(true) };
        }),
      ["a", "b", "c", "d"],
    );
    expect(await t.runner.tick()).toBe(4);
    const [a, b, c, d] = await t.items();
    expect([a?.status, b?.status, c?.status, d?.status]).toEqual([
      "delivered",
      "delivered",
      "dead",
      "pending",
    ]);
    expect(c?.lastError).toContain("vendor said no");
    expect(d?.availableAt).toBe(1_000_000 + 500);
    expect(t.metrics.queue("fake")).toMatchObject({
      delivered: 1,
      skipped: 1,
      rejected: 1, // the refused one; the retryable refusal counts as a retry, not yet as rejected
      retries: 1,
      deadLetters: 1,
    });
  });

  it("pauses the sink until an item's Retry-After (a rate limit answered per item)", async () => {
    let limited = true;
    const t = await setup(
      (items) =>
        items.map(
          (item, i): ItemResult =>
            limited && i === 1
              ? { id: item.id, status: "rejected", error: error(true, 3000) }
              : { id: item.id, status: "delivered" },
        ),
      ["a", "b"],
    );
    expect(await t.runner.tick()).toBe(2);
    expect(t.pauses).toEqual([1_003_000]);
    const [, b] = await t.items();
    expect(b).toMatchObject({ status: "pending", availableAt: 1_003_000 });
    expect(await t.runner.tick()).toBe(0); // paused
    t.advance(3000);
    limited = false;
    expect(await t.runner.tick()).toBe(1);
    expect((await t.items()).map((item) => item?.status)).toEqual(["delivered", "delivered"]);
  });

  it("retries a whole batch after a transport failure, no sooner than Retry-After, and pauses the sink", async () => {
    let fail = true;
    const t = await setup(
      (items) =>
        fail
          ? error(true, 5000)
          : items.map((item) => ({ id: item.id, status: "delivered" as const })),
      ["a", "b"],
    );
    expect(await t.runner.tick()).toBe(2);
    const [a] = await t.items();
    expect(a).toMatchObject({ status: "pending", availableAt: 1_005_000 });
    expect(t.pauses).toEqual([1_005_000]);
    expect(await t.runner.tick()).toBe(0); // paused (and not due)
    t.advance(5000);
    fail = false;
    expect(await t.runner.tick()).toBe(2);
    expect((await t.items()).map((item) => item?.status)).toEqual(["delivered", "delivered"]);
    expect(t.calls).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
  });

  it("dead-letters at once on a non-retryable transport failure, and after maxAttempts otherwise", async () => {
    const permanent = await setup(() => error(false), ["a"]);
    await permanent.runner.tick();
    expect((await permanent.items())[0]?.status).toBe("dead");

    const flaky = await setup(() => new Error("socket hang up"), ["a"], 2);
    await flaky.runner.tick();
    expect((await flaky.items())[0]?.status).toBe("pending");
    flaky.advance(10_000);
    await flaky.runner.tick();
    expect((await flaky.items())[0]).toMatchObject({ status: "dead", attempts: 2 });
    expect(flaky.metrics.queue("fake")).toMatchObject({ retries: 1, deadLetters: 1 });
  });

  it("treats a sink returning the wrong number of results as a failure of the batch", async () => {
    const t = await setup(() => [], ["a"]);
    await t.runner.tick();
    expect((await t.items())[0]).toMatchObject({ status: "pending" });
    expect((await t.items())[0]?.lastError).toContain("0 results for 1 items");
  });

  it("replays dead letters once each, with the same payload", async () => {
    const t = await setup(() => error(false), ["a", "b"]);
    await t.runner.tick();
    expect(await replayDeadLetters(t.store, () => 2_000_000, { limit: 100 })).toBe(2);
    expect(await replayDeadLetters(t.store, () => 2_000_000, { limit: 100 })).toBe(0);
    const replayed = await t.store.getOutboxItem("3");
    expect(replayed).toMatchObject({
      status: "pending",
      payload: { id: "a", name: "first_payment" },
      idempotencyKey: "a#replay-1",
    });
  });

  it("gives each send a signal and stops waiting at sendTimeoutMs or on abort: the items are retried", async () => {
    const store = createMemoryStorage();
    const metrics = new MetricsRegistry();
    const signals: AbortSignal[] = [];
    const hung: Sink = {
      specificationVersion: "v1",
      name: "hung",
      handles: new Set(["first_payment"]),
      send: (_items, options) => {
        if (options?.signal) signals.push(options.signal);
        return new Promise(() => {}); // never settles, ignores the signal
      },
    };
    const abort = new AbortController();
    const runner = createQueueRunner({
      queue: "hung",
      store,
      batchSize: 10,
      leaseMs: 60_000,
      pollMs: 1000,
      lingerMs: 0,
      now: Date.now,
      logger: silent,
      handle: createSinkDelivery({
        sink: hung,
        store,
        metrics,
        backoff: { baseDelayMs: 0, maxDelayMs: 0 },
        maxAttempts: 5,
        now: Date.now,
        random: () => 0,
        logger: silent,
        pause: () => {},
        sendTimeoutMs: 50,
        abort: abort.signal,
      }),
    });
    await store.enqueue(
      [{ sink: "hung", idempotencyKey: "a", payload: { id: "a", name: "first_payment" } }],
      Date.now(),
    );
    expect(await runner.tick()).toBe(1); // resolves: the send timed out
    expect(signals[0]?.aborted).toBe(true);
    const afterTimeout = await store.getOutboxItem("1");
    expect(afterTimeout).toMatchObject({ status: "pending", attempts: 1 });
    expect(afterTimeout?.lastError).toContain("timeout");
    expect(metrics.queue("hung")).toMatchObject({ retries: 1, deadLetters: 0 });

    const second = runner.tick();
    await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    expect(await second).toBe(1);
    expect(signals[1]?.aborted).toBe(true);
    const afterAbort = await store.getOutboxItem("1");
    expect(afterAbort).toMatchObject({ status: "pending", attempts: 2 });
    expect(afterAbort?.lastError).toContain("aborted");
  });

  it("retries a timed-out send even when the sink rejects on the signal as not retryable", async () => {
    const t = await setup(() => [], ["a"]);
    const polite: Sink = {
      specificationVersion: "v1",
      name: "fake",
      handles: new Set(["first_payment"]),
      send: (_items, options) =>
        new Promise((_, reject) => {
          options?.signal?.addEventListener("abort", () =>
            reject(new SinkError("aborted", { sink: "fake", reason: "aborted", retryable: false })),
          );
        }),
    };
    const handle = createSinkDelivery({
      sink: polite,
      store: t.store,
      metrics: t.metrics,
      backoff: { baseDelayMs: 0, maxDelayMs: 0 },
      maxAttempts: 5,
      now: Date.now,
      random: () => 0,
      logger: silent,
      pause: () => {},
      sendTimeoutMs: 20,
    });
    const items = await t.store.claim({
      sink: "fake",
      limit: 10,
      leaseMs: 60_000,
      now: Date.now(),
    });
    await handle(items);
    expect((await t.items())[0]).toMatchObject({ status: "pending", attempts: 1 });
  });
});
