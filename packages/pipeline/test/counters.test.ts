/** The counters over HTTP: webhook counters count webhooks only; queue series never collide. */
import { ConfigError, type Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { basic, fixtureText } from "./fixtures.ts";
import { node, type Transport } from "./transports.ts";

const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";

function make(sinks: Sink[] = []) {
  return createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks,
    chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
  });
}

describe("counters", () => {
  let pipeline: Pipeline;
  let transport: Transport;
  afterEach(async () => {
    await transport?.close();
    await pipeline?.close();
  });

  it("counts collect requests under collect only, never as received or duplicate webhooks", async () => {
    pipeline = make();
    transport = await node.start(pipeline);
    const beacon = JSON.stringify({
      v: 1,
      events: [{ type: "touch", at: Date.now(), url: "https://shop.example.org/?ttclid=abc" }],
    });
    for (let i = 0; i < 2; i++) {
      const answer = await transport.send("/rt/collect", {
        method: "POST",
        body: beacon,
        headers: { "content-type": "text/plain", "user-agent": UA },
      });
      expect(answer.status).toBeLessThan(300);
    }
    const webhook = await transport.send("/webhooks/chargebee", {
      method: "POST",
      body: fixtureText("payment_succeeded.bonusly.1.json"),
      headers: { authorization: basic("chargebee", "x"), "content-type": "application/json" },
    });
    expect(webhook.status).toBe(200);
    expect(pipeline.metrics()).toMatchObject({ received: 1, duplicates: 0 });
    expect(pipeline.metrics().collect.requests).toBe(2);
    const text = (await transport.send("/metrics", { method: "GET" })).text;
    expect(text).toContain("revtrace_webhooks_received_total 1\n");
    expect(text).toContain("revtrace_webhooks_duplicate_total 0\n");
  });

  it("refuses a sink named like the worker's queue label, so no two Prometheus series collide", () => {
    const sink = (name: string): Sink => ({
      specificationVersion: "v1",
      name,
      handles: new Set(["first_payment"]),
      send: async () => [],
    });
    expect(() => make([sink("ads"), sink("worker")])).toThrow(ConfigError);
    expect(() => make([sink("ads"), sink("worker")])).toThrow(/sinks\.1\.name: is reserved/);
    pipeline = make([sink("ads"), sink("Worker")]);
    const series = pipeline
      .prometheus()
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .map((line) => line.slice(0, line.lastIndexOf(" ")));
    expect(new Set(series).size).toBe(series.length);
  });
});
