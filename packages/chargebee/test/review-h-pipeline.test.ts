/**
 * Review H: how createPipeline → handleWebhook takes the currency cases of
 * review-h-currency.test.ts (Chargebee's documented two-decimal scale; MRO supported by Chargebee).
 */
import { readFileSync } from "node:fs";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createCaptureSink } from "@revtrace/testing/sink";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../../pipeline/src/index.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/review-h/${name}`, import.meta.url), "utf8");
const AUTH = `Basic ${Buffer.from("chargebee:review-h-pw").toString("base64")}`;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

function start() {
  const sink = createCaptureSink();
  const { delivered } = sink;
  pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks: [sink],
    chargebee: { credentials: [{ username: "chargebee", password: "review-h-pw" }] },
    pollMs: 10,
  });
  const post = (body: string) =>
    (pipeline as Pipeline).handleWebhook(
      new Request("http://localhost/webhooks/chargebee", {
        method: "POST",
        body,
        headers: { authorization: AUTH, "content-type": "application/json" },
      }),
    );
  return { delivered, post };
}

describe("review-h: pipeline ingestion of Chargebee currencies", () => {
  it("answers 200 (not 400/quarantine) to a payment_succeeded billed in MRO", async () => {
    const { post } = start();
    const answer = await post(fixture("payment_succeeded.mro.synthetic.json"));
    expect(answer.status).toBe(200);
  });

  it("delivers a KWD first_payment worth KWD 123.45 (123450 fils) for Chargebee's 12345", async () => {
    const { post, delivered } = start();
    const answer = await post(fixture("payment_succeeded.kwd-two-decimal.synthetic.json"));
    expect(answer.status).toBe(200);
    await (pipeline as Pipeline).drain({ timeoutMs: 10_000 });
    const payment = delivered.find((c) => c.name === "first_payment");
    expect(payment?.value).toEqual({ amount: 123450, currency: "KWD" });
  });
});
