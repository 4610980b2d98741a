/**
 * Review J: the payloads of review-j-payloads.test.ts through createPipeline → handleWebhook.
 */
import { readFileSync } from "node:fs";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createCaptureSink } from "@revtrace/testing/sink";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../../pipeline/src/index.ts";

const fixture = (name: string, dir = "review-j/") =>
  readFileSync(new URL(`./fixtures/${dir}${name}`, import.meta.url), "utf8");
const AUTH = `Basic ${Buffer.from("chargebee:review-j-pw").toString("base64")}`;

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
    chargebee: { credentials: [{ username: "chargebee", password: "review-j-pw" }] },
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
  const drain = () => (pipeline as Pipeline).drain({ timeoutMs: 10_000 });
  return { delivered, post, drain };
}

describe("review-j: pipeline ingestion", () => {
  it("stores (200, not 400/quarantine) and delivers a payment whose meta_data is a JSON string", async () => {
    const { post, drain, delivered } = start();
    const answer = await post(fixture("payment_succeeded.meta-data-string.synthetic.json"));
    expect(answer.status).toBe(200);
    await drain();
    const payment = delivered.find((c) => c.name === "first_payment");
    expect(payment?.value).toEqual({ amount: 4900, currency: "EUR" });
  });

  it("answers 200 to every held-out real payload of an uninterpreted type", async () => {
    const { post } = start();
    for (const name of [
      "subscription_paused.bonusly.1.json",
      "refund_initiated.bonusly.1.json",
      "gift_scheduled.bonusly.1.json",
      "virtual_bank_account_added.bonusly.1.json",
    ]) {
      expect((await post(fixture(name))).status, name).toBe(200);
    }
  });

  // identity-keys.ts and billingContact took the customer from `customer?.id ??
  // subscription?.customerId` only: a chargeback reaches us as `transaction_created` with the
  // transaction alone (spec §3), so its refund went out with no person and no externalId.
  it("a chargeback via transaction_created is delivered with its customer as externalId", async () => {
    const { post, drain, delivered } = start();
    const answer = await post(fixture("transaction_created.payment-reversal.synthetic.json", ""));
    expect(answer.status).toBe(200);
    await drain();
    const refund = delivered.find((c) => c.name === "refund");
    expect(refund?.value).toEqual({ amount: -5000, currency: "USD" });
    expect(refund?.contact.externalId).toBe("cus_synthetic_items_1");
  });
});
