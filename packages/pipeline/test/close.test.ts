/** Graceful shutdown: stop accepting, answer what is in flight, finish the batch in flight, close storage. */
import type { Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import { createPipeline, type PipelineStorage } from "../src/index.ts";
import { fixtureText } from "./fixtures.ts";

const AUTH = `Basic ${Buffer.from("chargebee:x").toString("base64")}`;
const BODY = fixtureText("payment_succeeded.bonusly.1.json");

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

function request(body: BodyInit) {
  return new Request("http://localhost/webhooks/chargebee", {
    method: "POST",
    body,
    headers: { authorization: AUTH, "content-type": "application/json" },
    duplex: "half",
  } as RequestInit);
}

describe("close()", () => {
  it("answers the request in flight, refuses new ones, finishes the send in flight, then closes storage", async () => {
    const sending = gate();
    const release = gate();
    const sink: Sink = {
      specificationVersion: "v1",
      name: "ads",
      handles: new Set(["first_payment"]),
      async send(items) {
        sending.open();
        await release.opened;
        return items.map((item) => ({ id: item.id, status: "delivered" as const }));
      },
    };
    const storage = createMemoryStorage() as PipelineStorage;
    const pipeline = createPipeline({
      storage,
      sinks: [sink],
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
      pollMs: 10,
    });
    await pipeline.start();
    expect((await pipeline.handleWebhook(request(BODY))).status).toBe(200);
    await sending.opened; // the sink runner is inside send()

    // A second webhook whose body is still arriving when close() is called.
    let push: (text: string | null) => void = () => {};
    const slowBody = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => {
          if (text === null) controller.close();
          else controller.enqueue(new TextEncoder().encode(text));
        };
      },
    });
    const inFlight = pipeline.handleWebhook(request(slowBody));
    const closing = pipeline.close();
    const refused = await pipeline.handleWebhook(request(BODY));
    expect(refused.status).toBe(503);
    expect((await pipeline.handleLive(new Request("http://localhost/"))).status).toBe(503);

    push(fixtureText("payment_refunded.bonusly.1.json"));
    push(null);
    expect((await inFlight).status).toBe(200);
    release.open();
    await closing;
    expect(pipeline.metrics()).toMatchObject({ received: 2, sinks: { ads: { delivered: 1 } } });
    await expect(storage.getInboxEvent("chargebee:x")).rejects.toMatchObject({
      code: "storage_failed",
    });
    await pipeline.close(); // idempotent
  });

  it("is bounded with a sink whose send never settles: drain's deadline holds, close aborts the send and the item is retried", async () => {
    const signals: AbortSignal[] = [];
    const hung: Sink = {
      specificationVersion: "v1",
      name: "hung",
      handles: new Set(["first_payment"]),
      send: (_items, options) => {
        if (options?.signal) signals.push(options.signal);
        return new Promise(() => {}); // ignores its signal too
      },
    };
    const memory = createMemoryStorage() as PipelineStorage;
    let storageClosed = false;
    const storage: PipelineStorage = {
      ...memory,
      close: async () => {
        storageClosed = true;
      },
    };
    const pipeline = createPipeline({
      storage,
      sinks: [hung],
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
      pollMs: 10,
    });
    expect((await pipeline.handleWebhook(request(BODY))).status).toBe(200);

    // A drain or close that waited on the hung send would never settle: the test's own timeout
    // catches that, with no wall-clock assertion here.
    await expect(pipeline.drain({ timeoutMs: 200 })).rejects.toThrow(
      /drain timed out after 200 ms/,
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false); // the send is still in flight (sendTimeoutMs: 30 s)

    await pipeline.close({ graceMs: 100 });
    expect(signals[0]?.aborted).toBe(true);
    expect(storageClosed).toBe(true);
    // Released for a retry (by this process after a restart, or another one), not lost.
    const [item] = await memory.listFailures({ sink: "hung", limit: 10 });
    expect(item).toMatchObject({ status: "pending", attempts: 1 });
    expect(item?.lastError).toContain("aborted");
    expect(pipeline.metrics().sinks.hung).toMatchObject({ retries: 1, deadLetters: 0 });
  });
});
