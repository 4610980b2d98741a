/** Readiness over HTTP: the backlog counts what this process enqueued, not only what it claimed. */
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

  it("counts stored webhooks the worker has not claimed yet, and sink items not yet sent", async () => {
    let now = 1_000_000;
    const delivered: string[] = [];
    const sink: Sink = {
      specificationVersion: "v1",
      name: "ads",
      handles: new Set(["first_payment"]),
      async send(items) {
        delivered.push(...items.map((item) => item.id));
        return items.map((item) => ({ id: item.id, status: "delivered" as const }));
      },
    };
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      sinks: [sink],
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
      health: { maxBacklog: 2, maxOldestAgeMs: 60_000 },
      now: () => now,
    });
    transport = await node.start(pipeline);
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
    now += 90_000;
    const ready = await transport.send("/health/ready", { method: "GET" });
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({
      checks: { backlog: "too_large", oldestAge: "too_old" },
      backlog: 5,
      oldestAgeMs: 90_000,
    });
    const text = (await transport.send("/metrics", { method: "GET" })).text;
    expect(text).toContain('revtrace_outbox_backlog{queue="worker"} 5\n');

    await pipeline.drain({ timeoutMs: 5000 });
    expect(delivered.length).toBeGreaterThan(0);
    const after = await transport.send("/health/ready", { method: "GET" });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toMatchObject({ backlog: 0, oldestAgeMs: 0 });
  });
});
