import { createHmac } from "node:crypto";
import type { Conversion, Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { fixtureText } from "./fixtures.ts";

const SECRET = "retention-shared-secret";
const BODY = fixtureText("retention_accept_offer.json");
const sign = (body: string) => createHmac("sha1", SECRET).update(body).digest("hex");

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
});

function setup() {
  const sent: Conversion[] = [];
  const cdp: Sink = {
    specificationVersion: "v1",
    name: "cdp",
    handles: new Set(["retention"]),
    async send(items) {
      sent.push(...items);
      return items.map((item) => ({ id: item.id, status: "delivered" as const }));
    },
  };
  pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    sinks: [cdp],
    chargebee: { credentials: [{ username: "chargebee", password: "unused" }] },
    retention: { secret: SECRET },
  });
  return { pipeline, sent };
}

const post = (p: Pipeline, body: string, signature?: string) =>
  p.handleRetentionWebhook(
    new Request("http://localhost/webhooks/chargebee-retention", {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...(signature === undefined ? {} : { "x-hub-signature": signature }),
      },
    }),
  );

describe("Chargebee Retention webhooks", () => {
  it("verifies the HMAC, stores the event once and delivers one retention conversion", async () => {
    const { pipeline: p, sent } = setup();
    expect((await post(p, BODY, `sha1=${sign(BODY)}`)).status).toBe(200);
    const again = await post(p, BODY, sign(BODY));
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    await p.drain();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      id: "retention:1c296cd0-509f-477e-bbc2-bd07e5b33d06:retention",
      name: "retention",
      source: "retention",
      billingEvent: null,
      retentionEvent: { type: "accept_offer" },
      contact: { email: "jane@example.com", firstName: "Jane" },
    });
  });

  it("answers 401 to a missing or wrong signature, and stores nothing", async () => {
    const { pipeline: p } = setup();
    expect((await post(p, BODY)).status).toBe(401);
    expect((await post(p, BODY, sign(`${BODY} `))).status).toBe(401);
    expect((await post(p, BODY, "not-hex")).status).toBe(401);
    expect(p.metrics()).toMatchObject({ received: 0, refused: 3 });
  });

  it("is off (404) unless a secret is configured", async () => {
    const p = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: "x" }] },
    });
    pipeline = p;
    expect((await post(p, BODY, sign(BODY))).status).toBe(404);
  });
});
