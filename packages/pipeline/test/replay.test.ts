/**
 * Replays through the webhook's own path: recorded files and directories (webhook bodies and List
 * Events pages), Chargebee's List Events API (msw, unhandled requests fail), and dead letters.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sink } from "@revtrace/core";
import { SinkError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { fixtureJson, fixtureText } from "./fixtures.ts";

const server = useMockServer();
let pipeline: Pipeline | undefined;
let dir: string | undefined;
afterEach(async () => {
  await pipeline?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function make(sinks: Sink[] = []) {
  pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks,
    chargebee: {
      credentials: [{ username: "chargebee", password: "x" }],
      api: { site: "acme-test", apiKey: "test_key_abc123" },
    },
    delivery: { maxAttempts: 1 },
  });
  return pipeline;
}

describe("replays", () => {
  it("ingests recorded files and directories, List Events pages included, once each", async () => {
    const p = make();
    dir = mkdtempSync(join(tmpdir(), "revtrace-replay-"));
    mkdirSync(join(dir, "nested"));
    writeFileSync(join(dir, "a.json"), fixtureText("payment_succeeded.bonusly.1.json"));
    writeFileSync(
      join(dir, "nested", "b.json"),
      fixtureText("subscription_created.airbyte.1.json"),
    );
    writeFileSync(join(dir, "broken.json"), '{"id":"ev_x"}');
    writeFileSync(join(dir, "notes.txt"), "not a body");
    const first = await p.replayFiles([dir]);
    expect(first).toEqual({ stored: 2, duplicates: 0, invalid: 1 });
    expect(await p.replayFiles([dir, join(dir, "a.json")])).toEqual({
      stored: 0,
      duplicates: 3,
      invalid: 1,
    });
    const stored = await p.storage.getInboxEvent("chargebee:ev_AzqYRySIstMN16O");
    expect(stored?.rawBody).toBe(fixtureText("payment_succeeded.bonusly.1.json"));
    expect(await p.storage.listQuarantine({ limit: 10 })).toHaveLength(1); // the same broken body twice: kept once;
  });

  it("ingests the List Events API with each event's raw JSON", async () => {
    const p = make();
    const paid = fixtureJson("payment_succeeded.bonusly.1.json");
    const refunded = fixtureJson("payment_refunded.bonusly.1.json");
    server.use(
      http.get("https://acme-test.chargebee.com/api/v2/events", () =>
        HttpResponse.json({ list: [{ event: paid }, { event: refunded }] }),
      ),
    );
    expect(await p.replayChargebeeEvents({ occurredAfter: 1_600_000_000_000 })).toEqual({
      stored: 2,
      duplicates: 0,
      invalid: 0,
    });
    const stored = await p.storage.getInboxEvent(`chargebee:${String(paid.id)}`);
    expect(JSON.parse(stored?.rawBody ?? "")).toEqual(paid);
    expect(server.calls).toHaveLength(1);
    expect(new URL(server.calls[0]?.url ?? "").searchParams.get("occurred_at[after]")).toBe(
      "1600000000",
    );
  });

  it("ingests the List Events API through a client of the caller's own, with each event's JSON", async () => {
    const paid = fixtureJson("payment_succeeded.bonusly.1.json");
    const calls: unknown[] = [];
    const client = {
      event: {
        async list(params: unknown) {
          calls.push(params);
          return { list: [{ event: paid }], next_offset: undefined };
        },
      },
    };
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: "x" }], api: { client } },
    } as never);
    expect(await pipeline.replayChargebeeEvents()).toEqual({
      stored: 1,
      duplicates: 0,
      invalid: 0,
    });
    expect(calls).toHaveLength(1);
    const stored = await pipeline.storage.getInboxEvent(`chargebee:${String(paid.id)}`);
    expect(stored?.rawBody).toBe(JSON.stringify(paid));
    expect(await pipeline.replayChargebeeEvents()).toMatchObject({ stored: 0, duplicates: 1 });
  });

  it("replays at most `limit` quarantined bodies in all, oldest first, across pages", async () => {
    const p = make();
    const bodies = [
      "payment_succeeded.bonusly.1.json",
      "payment_refunded.bonusly.1.json",
      "customer_created.bonusly.1.json",
    ].map((name) => fixtureText(name));
    for (const rawBody of bodies) {
      await p.storage.quarantine({
        source: "chargebee",
        receivedAt: 1,
        rawBody,
        contentType: "application/json",
        error: { code: "webhook_payload_invalid", message: "refused by an older version" },
      });
    }
    expect(await p.replayQuarantine({ limit: 2 })).toEqual({
      stored: 2,
      duplicates: 0,
      invalid: 0,
      stillInvalid: 0,
    });
    expect(await p.storage.listQuarantine({ limit: 10 })).toHaveLength(1);
    expect(await p.replayQuarantine({ limit: 2 })).toMatchObject({ stored: 1, stillInvalid: 0 });
  });

  it("puts dead letters back and delivers them once the sink recovers", async () => {
    let down = true;
    const delivered: string[] = [];
    const sink: Sink = {
      specificationVersion: "v1",
      name: "ads",
      handles: new Set(["first_payment"]),
      async send(items) {
        if (down) {
          throw new SinkError("bad token", {
            sink: "ads",
            reason: "http_status",
            retryable: false,
          });
        }
        delivered.push(...items.map((item) => item.id));
        return items.map((item) => ({ id: item.id, status: "delivered" as const }));
      },
    };
    const p = make([sink]);
    const body = fixtureText("payment_succeeded.bonusly.1.json");
    const answer = await p.handleWebhook(
      new Request("http://localhost/webhooks/chargebee", {
        method: "POST",
        body,
        headers: {
          authorization: `Basic ${Buffer.from("chargebee:x").toString("base64")}`,
          "content-type": "application/json",
        },
      }),
    );
    expect(answer.status).toBe(200);
    await p.drain();
    expect(p.metrics().sinks.ads).toMatchObject({ deadLetters: 1, delivered: 0 });
    down = false;
    expect(await p.replayDeadLetters({ sink: "ads" })).toBe(1);
    await p.drain();
    expect(delivered).toEqual(["chargebee:ev_AzqYRySIstMN16O:first_payment"]);
    expect(await p.replayDeadLetters({ sink: "ads" })).toBe(0);
  });

  it("refuses an API replay without chargebee.api", async () => {
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
    });
    await expect(pipeline.replayChargebeeEvents()).rejects.toMatchObject({
      code: "config_invalid",
      fields: ["chargebee.api"],
    });
  });
});
