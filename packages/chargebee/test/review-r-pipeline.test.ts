/**
 * Review R: the fixtures/review-r payloads through createPipeline → handleWebhook: nothing is lost
 * (every body is stored or quarantined) and each gets the right status.
 */
import { readdirSync, readFileSync } from "node:fs";
import { CONVERSION_NAMES, type Conversion, type Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../../pipeline/src/index.ts";

const DIR = new URL("./fixtures/review-r/", import.meta.url);
const NAMES = readdirSync(DIR).filter((name) => name.endsWith(".synthetic.json"));
const fixture = (name: string) => readFileSync(new URL(name, DIR), "utf8");
const AUTH = `Basic ${Buffer.from("chargebee:review-r-pw").toString("base64")}`;
/** The one body Money cannot hold (KWD 2^53 − 1 cents is beyond 2^53 − 1 fils): refused. */
const REFUSED = "payment_succeeded.large-kwd.synthetic.json";

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

function start() {
  const delivered: Conversion[] = [];
  const sink: Sink = {
    specificationVersion: "v1",
    name: "capture",
    handles: new Set(CONVERSION_NAMES),
    async send(items) {
      delivered.push(...items);
      return items.map((item) => ({ id: item.id, status: "delivered" as const }));
    },
  };
  const p = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks: [sink],
    chargebee: { credentials: [{ username: "chargebee", password: "review-r-pw" }] },
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
  return { p, delivered, post };
}

describe("review-r: pipeline ingestion", () => {
  it("stores every body (200) but the one Money cannot hold, which is quarantined (400)", async () => {
    const { p, post } = start();
    expect(NAMES.length).toBe(15);
    for (const name of NAMES) {
      const answer = await post(fixture(name));
      const id = (JSON.parse(fixture(name)) as { id: string }).id;
      if (name === REFUSED) {
        expect(answer.status, name).toBe(400);
        continue;
      }
      expect(answer.status, name).toBe(200);
      expect(await p.storage.getInboxEvent(`chargebee:${id}`), name).not.toBeNull();
    }
    expect(await p.storage.listQuarantine({ limit: 10 })).toHaveLength(1);
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
});
