/**
 * review-g: the collect endpoint's lenient parse (collect-body.ts parseEvent/parseCollectBody) through
 * its public API, with bodies its tests never sent. Each test here fails on 61fce2b.
 */
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { fastify, node } from "./transports.ts";

const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function make(collect: Record<string, unknown> = {}): Pipeline {
  const pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    chargebee: { credentials: [{ username: "chargebee", password: "review-g-password" }] },
    collect,
  });
  closers.push(() => pipeline.close());
  return pipeline;
}

function post(pipeline: Pipeline, body: string) {
  return pipeline.handleCollect(
    new Request("http://localhost/rt/collect", {
      method: "POST",
      body,
      headers: { "content-type": "text/plain", "user-agent": UA },
    }),
  );
}

/**
 * A landing whose optional `utm` is an array nested 30,000 deep: 60 KB, under the 64 KB bound, and
 * valid JSON (V8's JSON.parse is iterative). The first safeParse fails on `utm` (not an object), and
 * parseEvent (collect-body.ts:187) then copies the raw event with JSON.parse(JSON.stringify(raw)):
 * JSON.stringify recurses and throws RangeError: Maximum call stack size exceeded. parseCollectBody
 * runs outside the handler's try (collect-handler.ts:272), so handleCollect rejects: every adapter
 * answers 500 (the tracker's rule for "may resend"), Express's default error handler returns the
 * stack trace as HTML, Fastify's quotes the error message. One request, any client.
 */
const deepLanding = () => {
  const depth = 30_000;
  return `{"v":1,"events":[{"type":"touch","at":1,"url":"https://shop.example/","utm":${"[".repeat(depth)}${"]".repeat(depth)}}]}`;
};

describe("review-g: a deeply nested optional field", () => {
  it("is dropped like any other bad field (200 dropped), not a thrown RangeError", async () => {
    const pipeline = make();
    const body = deepLanding();
    expect(body.length).toBeLessThan(64 * 1024);
    const answer = await post(pipeline, body);
    expect(answer.status).toBe(200);
  });

  it("is not a 500 on the Node and Fastify adapters", async () => {
    for (const kind of [node, fastify]) {
      const pipeline = make();
      const transport = await kind.start(pipeline);
      closers.push(() => transport.close());
      const answer = await transport.send("/rt/collect", {
        method: "POST",
        body: deepLanding(),
        headers: { "content-type": "text/plain", "user-agent": UA },
      });
      expect(answer.status, kind.name).toBeLessThan(500);
    }
  });
});

describe("review-g: the size of a 200 {dropped} answer", () => {
  // 50 landings, each with all 26 optional fields present as the number 0 (7 bytes a field): every
  // field is dropped and named, about 100 bytes of answer per 8 bytes of request. A 17.5 KB request
  // gets a 131 KB answer, twice the endpoint's own 64 KB bound on what it takes: nothing caps
  // `dropped` (collect-handler.ts:327), so the endpoint amplifies whatever any client sends 7.5×.
  it("is not several times larger than the request it answers", async () => {
    const pipeline = make();
    const clickIds = Object.fromEntries(
      [
        "ttclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "fbclid",
        "msclkid",
        "twclid",
        "li_fat_id",
        "igshid",
        "rdt_cid",
        "epik",
        "qclid",
        "sccid",
        "irclid",
        "_kx",
      ].map((name) => [name, 0]),
    );
    const utm = { source: 0, medium: 0, campaign: 0, term: 0, content: 0 };
    const event = {
      type: "touch",
      at: 1,
      url: "https://shop.example/",
      referrer: 0,
      utm,
      clickIds,
      ref: 0,
      ttp: 0,
      first: 0,
    };
    const body = JSON.stringify({ v: 1, events: Array.from({ length: 50 }, () => event) });
    const answer = await post(pipeline, body);
    expect(answer.status).toBe(200);
    const text = await answer.text();
    expect(text.length).toBeLessThanOrEqual(body.length);
  });
});
