/**
 * The Segment sink against the sandbox's Segment emulator (written from the spec independently of the
 * sink): everything it sends is accepted, duplicates and retries are absorbed by `messageId`, and the
 * EU region goes to the EU host.
 */
import { createSegmentSandbox } from "@revtrace/sandbox";
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createSegmentSink } from "../src/index.js";
import { billingConversion, syntheticPurchases } from "./fixtures/conversions.js";

const KEY = "sandbox-write-key";
const NOW = Date.UTC(2026, 2, 1, 12);
const us = createSegmentSandbox({ now: () => NOW, writeKeys: { [KEY]: "us", "eu-key": "eu" } });
const eu = createSegmentSandbox({ now: () => NOW, region: "eu", writeKeys: { "eu-key": "eu" } });
useMockServer(...us.handlers(), ...eu.handlers());

beforeEach(() => {
  us.reset();
  eu.reset();
});

const retry = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 };

describe("the Segment sink against the sandbox", () => {
  it("delivers every message, none dropped; a duplicate send is absorbed by messageId", async () => {
    const sink = createSegmentSink({ writeKey: KEY, now: () => NOW, retry });
    const items = [
      ...syntheticPurchases(50, NOW - 60_000),
      billingConversion("payment_succeeded.bonusly.1", "first_payment"),
      billingConversion("subscription_created.bonusly.1", "subscription_created"),
      billingConversion("payment_refunded.bonusly.1", "refund"),
    ];
    const first = await sink.send(items);
    expect(first.every((r) => r.status === "delivered")).toBe(true);
    expect(us.dropped).toEqual([]);
    expect(us.recorded).toHaveLength(items.length * 2);
    const second = await sink.send(items);
    expect(second.every((r) => r.status === "delivered")).toBe(true);
    // Segment keeps one copy per messageId (spec §6): the second send is all duplicates.
    expect(us.recorded).toHaveLength(items.length * 2);
    expect(us.dropped.every((d) => d.reason === "duplicate_message_id")).toBe(true);
    expect(us.dropped).toHaveLength(items.length * 2);
  });

  it("recovers from a 503 and a 429 with Retry-After, each message recorded once", async () => {
    us.failNext({ type: "http", status: 503 });
    us.failNext({ type: "http", status: 429, retryAfter: "0" });
    const sink = createSegmentSink({ writeKey: KEY, now: () => NOW, retry });
    const results = await sink.send(syntheticPurchases(5, NOW - 60_000));
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    expect(us.requests.map((r) => r.status)).toEqual([503, 429, 200]);
    expect(us.recorded).toHaveLength(10);
  });

  it("sends an EU workspace's data to the EU host", async () => {
    const sink = createSegmentSink({ writeKey: "eu-key", region: "eu", now: () => NOW, retry });
    await sink.send(syntheticPurchases(2, NOW - 60_000));
    expect(eu.recorded).toHaveLength(4);
    expect(us.requests).toHaveLength(0);
  });
});
