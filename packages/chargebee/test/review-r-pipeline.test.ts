/**
 * Review R: the fixtures/review-r payloads through createPipeline → handleWebhook: nothing is lost
 * (every body is stored or quarantined) and each gets the right status.
 */
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createCaptureSink } from "@revtrace/testing/sink";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../../pipeline/src/index.ts";

const DIR = new URL("./fixtures/review-r/", import.meta.url);
const NAMES = readdirSync(DIR).filter(
  (name) => name.endsWith(".synthetic.json") && !name.startsWith("retention_"),
);
const RETENTION = readdirSync(DIR).filter((name) => name.startsWith("retention_"));
const SECRET = "review-r-retention-secret";
const fixture = (name: string) => readFileSync(new URL(name, DIR), "utf8");
const AUTH = `Basic ${Buffer.from("chargebee:review-r-pw").toString("base64")}`;
/**
 * Refused bodies: KWD 2^53 − 1 cents is beyond 2^53 − 1 fils (Money cannot hold it), and a
 * payment_refunded whose refund failed moved no money (spec §4.4, §6).
 */
const REFUSED = new Set([
  "payment_succeeded.large-kwd.synthetic.json",
  "payment_refunded.failure-status.synthetic.json",
]);

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

function start() {
  const sink = createCaptureSink();
  const { delivered } = sink;
  const p = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks: [sink],
    chargebee: { credentials: [{ username: "chargebee", password: "review-r-pw" }] },
    retention: { secret: SECRET },
    pollMs: 10,
  });
  pipeline = p;
  const post = (body: string) =>
    p.handleWebhook(
      new Request("http://localhost/webhooks/chargebee", {
        method: "POST",
        body,
        headers: { authorization: AUTH, "content-type": "application/json" },
      }),
    );
  const postRetention = (body: string) =>
    p.handleRetentionWebhook(
      new Request("http://localhost/webhooks/chargebee-retention", {
        method: "POST",
        body,
        headers: {
          "content-type": "application/json",
          "x-hub-signature": createHmac("sha1", SECRET).update(body).digest("hex"),
        },
      }),
    );
  return { p, delivered, post, postRetention };
}

describe("review-r: pipeline ingestion", () => {
  it("stores every body (200) but the refused ones, which are quarantined (400)", async () => {
    const { p, post } = start();
    expect(NAMES.length).toBe(16);
    for (const name of NAMES) {
      const answer = await post(fixture(name));
      const id = (JSON.parse(fixture(name)) as { id: string }).id;
      if (REFUSED.has(name)) {
        expect(answer.status, name).toBe(400);
        continue;
      }
      expect(answer.status, name).toBe(200);
      expect(await p.storage.getInboxEvent(`chargebee:${id}`), name).not.toBeNull();
    }
    expect(await p.storage.listQuarantine({ limit: 10 })).toHaveLength(REFUSED.size);
  });

  it("delivers KRW and BHD payments with their value, click id and customer", async () => {
    const { p, post, delivered } = start();
    for (const name of [
      "payment_succeeded.krw.synthetic.json",
      "payment_succeeded.bhd.synthetic.json",
    ]) {
      expect((await post(fixture(name))).status).toBe(200);
    }
    await p.drain({ timeoutMs: 10_000 });
    const first = delivered.find((c) => c.name === "first_payment");
    expect(first?.value).toEqual({ amount: 59000, currency: "KRW" });
    expect(first?.contact.externalId).toBe("cus_review_r1");
    const renewal = delivered.find((c) => c.name === "recurring_payment");
    expect(renewal?.value).toEqual({ amount: 123450, currency: "BHD" });
  });

  it("stores every Retention body (identify, track, an unknown step without messageId) and delivers the known ones", async () => {
    const { p, postRetention, delivered } = start();
    expect(RETENTION.length).toBe(3);
    for (const name of RETENTION) {
      const answer = await postRetention(fixture(name));
      expect(answer.status, name).toBe(200);
      expect((await answer.json()) as unknown, name).toMatchObject({ ok: true, duplicate: false });
    }
    expect(await p.storage.getInboxEvent("retention:0b6f1d3e-review-r-cancel-1")).not.toBeNull();
    expect(await p.storage.listQuarantine({ limit: 10 })).toEqual([]);
    await p.drain({ timeoutMs: 10_000 });
    const cancel = delivered.find((c) => c.retentionEvent?.type === "cancel");
    expect(cancel?.contact.externalId).toBe("cus_review_r1");
  });
});
