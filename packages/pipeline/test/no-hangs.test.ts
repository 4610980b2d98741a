/**
 * Nothing hangs: `drain()` rejects at its timeout with a sink that never answers or is paused by a
 * long Retry-After, and `close({ graceMs })` returns with a batch or a request stuck in flight.
 */
import type { Conversion, ItemResult, Sink } from "@revtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import { account, type RStack, rstack } from "./sandbox-stack.ts";

let s: RStack | undefined;
afterEach(async () => {
  await s?.close().catch(() => {});
  s = undefined;
});

const within = <T>(p: Promise<T>, ms: number, label: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`HANG: ${label} after ${ms} ms`)), ms),
    ),
  ]);

function stalledSink(name = "stalled"): Sink & { calls: number } {
  const sink = {
    specificationVersion: "v1" as const,
    name,
    handles: new Set(["first_payment", "subscription_created"] as const) as Sink["handles"],
    calls: 0,
    send(_items: readonly Conversion[]): Promise<readonly ItemResult[]> {
      sink.calls++;
      return new Promise(() => {}); // never answers, ignores the signal
    },
  };
  return sink;
}

describe("nothing hangs", () => {
  it("drain rejects at its timeout with a sink that never answers", async () => {
    const sink = stalledSink();
    s = await rstack(
      { delivery: { sendTimeoutMs: 60_000 } },
      { include: ["tiktok"], extraSinks: [sink] },
    );
    const a = account(1);
    await s.post(a.created());
    await s.post(a.paid());
    await expect(within(s.pipeline.drain({ timeoutMs: 500 }), 5000, "drain")).rejects.toThrow(
      /drain timed out/,
    );
    await within(s.pipeline.close({ graceMs: 200 }), 5000, "close after drain timeout");
    s = undefined;
  });

  it("close() while a started pipeline's batch is in flight with a stalled sink", async () => {
    const sink = stalledSink();
    s = await rstack(
      { delivery: { sendTimeoutMs: 60_000 } },
      { include: ["tiktok"], extraSinks: [sink] },
    );
    await s.pipeline.start();
    const a = account(1);
    await s.post(a.created());
    await s.post(a.paid());
    for (let i = 0; i < 100 && sink.calls === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sink.calls).toBeGreaterThan(0);
    await within(s.pipeline.close({ graceMs: 200 }), 5000, "close with batch in flight");
    s = undefined;
  });

  it("close() called while drain() is running (stalled sink) settles both", async () => {
    const sink = stalledSink();
    s = await rstack(
      { delivery: { sendTimeoutMs: 60_000 } },
      { include: ["tiktok"], extraSinks: [sink] },
    );
    const a = account(1);
    await s.post(a.created());
    await s.post(a.paid());
    const draining = s.pipeline.drain({ timeoutMs: 3000 });
    draining.catch(() => {});
    for (let i = 0; i < 100 && sink.calls === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await within(s.pipeline.close({ graceMs: 200 }), 5000, "close during drain");
    const outcome = await within(
      draining.then(
        () => "resolved",
        (e) => `rejected: ${e}`,
      ),
      6000,
      "drain during close",
    );
    // ended by the close, in its own words (not the storage's "closed" error)
    expect(outcome).toBe("rejected: ConfigError: The pipeline was closed while draining");
    await expect(s.pipeline.drain()).rejects.toThrow("The pipeline is closed");
    s = undefined;
  });

  it("tiktok never answers (sandbox timeout 60s), transport timeout 60s: close aborts, items survive a restart", async () => {
    s = await rstack(
      { delivery: { sendTimeoutMs: 60_000 } },
      { include: ["tiktok"], transport: () => ({ timeoutMs: 60_000 }) },
    );
    s.sandbox.tiktok.failNext({ type: "timeout", delayMs: 60_000 });
    await s.pipeline.start();
    const a = account(1);
    await s.post(a.created());
    await s.post(a.paid());
    for (let i = 0; i < 100 && s.sandbox.tiktok.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    await within(s.pipeline.close({ graceMs: 200 }), 5000, "close with tiktok request in flight");
  });

  it("drain with a sink paused by a long Retry-After rejects at the timeout (no hang)", async () => {
    s = await rstack({}, { include: ["tiktok"] });
    s.sandbox.tiktok.failNext({ type: "http", status: 429, retryAfter: "3600" });
    const a = account(1);
    await s.post(a.paid());
    await expect(
      within(s.pipeline.drain({ timeoutMs: 500 }), 5000, "drain paused"),
    ).rejects.toThrow(/timed out/);
  });
});
