/**
 * Readiness over HTTP: a process that works the queues counts what it enqueued, not only what it
 * claimed; a process that only ingests is ready whatever the workers' backlog.
 */
import type { Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { basic, fixtureJson } from "./fixtures.ts";
import { node, type Transport } from "./transports.ts";

const AUTH = basic("chargebee", "x");

describe("readiness and the backlog", () => {
  let pipeline: Pipeline;
  let transport: Transport;
  afterEach(async () => {
    await transport?.close();
    await pipeline?.close();
  });

  const post5 = async () => {
    for (let i = 0; i < 5; i++) {
      const body = fixtureJson("payment_succeeded.bonusly.1.json");
      body.id = `ev_backlog_${i}`;
      const answer = await transport.send("/webhooks/chargebee", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { authorization: AUTH, "content-type": "application/json" },
      });
      expect(answer.status).toBe(200);
    }
  };

  it("a working process counts what it enqueued and has not delivered, claimed or not", async () => {
    let now = 1_000_000;
    const delivered: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sink: Sink = {
      specificationVersion: "v1",
      name: "ads",
      handles: new Set(["first_payment"]),
      async send(items) {
        await gate; // the vendor is stuck: one batch in flight, the rest waits
        delivered.push(...items.map((item) => item.id));
        return items.map((item) => ({ id: item.id, status: "delivered" as const }));
      },
    };
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      sinks: [sink],
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
      health: { maxBacklog: 2, maxOldestAgeMs: 60_000 },
      pollMs: 10,
      now: () => now,
    });
    transport = await node.start(pipeline);
    await pipeline.start();
    await post5();
    while (pipeline.metrics().processed < 5) await new Promise((r) => setTimeout(r, 10));
    now += 90_000;
    const ready = await transport.send("/health/ready", { method: "GET" });
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({
      checks: { backlog: "too_large", oldestAge: "too_old" },
      backlog: 5,
      oldestAgeMs: 90_000,
    });
    const text = (await transport.send("/metrics", { method: "GET" })).text;
    expect(text).toContain('revtrace_outbox_backlog{queue="ads"} 5\n');

    release();
    await pipeline.drain({ timeoutMs: 5000 });
    expect(delivered).toHaveLength(5);
    const after = await transport.send("/health/ready", { method: "GET" });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toMatchObject({ backlog: 0, oldestAgeMs: 0 });
  });

  it("a process that only ingests stays ready whatever the backlog (the workers are elsewhere)", async () => {
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
      health: { maxBacklog: 2, maxOldestAgeMs: 60_000 },
    });
    transport = await node.start(pipeline);
    await post5();
    const ready = await transport.send("/health/ready", { method: "GET" });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({ checks: { backlog: "ok" }, backlog: 0 });
  });
});
