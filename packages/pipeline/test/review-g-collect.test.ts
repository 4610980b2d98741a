/**
 * review-g: the collect endpoint's lenient parse (collect-body.ts parseEvent/parseCollectBody) through
 * its public API, with bodies its tests never sent. Each test here fails on 61fce2b.
 */
import { isIP } from "node:net";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { CLICK_ID_PARAMS, UTM_PARAMS } from "@revtrace/tracker";
import { describe, expect, it } from "vitest";
import { BROWSER_UA, collectPipeline, postCollect, useClosers } from "./test-server.ts";
import { fastify, node } from "./transports.ts";

const UA = BROWSER_UA;
const closers = useClosers();
const make = (collect: Record<string, unknown> = {}, storage = createMemoryStorage()) =>
  collectPipeline(closers, collect, storage);
const post = postCollect;

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
  // (review-g expected 200 with the field dropped; a body nesting 30,000 levels is no tracker's:
  // it is refused whole, before anything walks it, as webhook bodies deeper than 256 are.)
  it("is refused as too deep (400), not a thrown RangeError", async () => {
    const pipeline = make();
    const body = deepLanding();
    expect(body.length).toBeLessThan(64 * 1024);
    const answer = await post(pipeline, body);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: "invalid_collect_body" } });
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
  // `dropped` (collect-handler.ts:323), so the endpoint amplifies whatever any client sends 7.5×.
  it("is not several times larger than the request it answers", async () => {
    const pipeline = make();
    const clickIds = Object.fromEntries(CLICK_ID_PARAMS.map((name) => [name, 0]));
    const utm = Object.fromEntries(UTM_PARAMS.map((name) => [name, 0]));
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

describe("review-g: the touchpoint's ip behind trusted proxies", () => {
  // collect-handler.ts:166 stores clientAddress() as it is: the raw X-Forwarded-For entry. addressKey
  // (client-address.ts:70) knows that a forwarded entry may carry a port or brackets (Azure Front
  // Door and Application Gateway append `ip:port`), and counts the limit by the bare address, but the
  // touchpoint keeps `[2001:db8::1]:443`: the TikTok sink drops an ip that is not an address
  // (tiktok-mapper.ts:41), so the ip + user-agent match key of every such visitor is lost. And an entry
  // that is no address at all is stored at any length (core's Touchpoint.ip is an unbounded string):
  // with `trustProxy: 2`, a client that reaches the load balancer around the CDN writes the entry
  // the endpoint reads (the LB appends the real peer after it), e.g. 6,000 characters of markup.
  async function storedIp(collect: Record<string, unknown>, forwardedFor: string) {
    const storage = createMemoryStorage();
    const pipeline = make(collect, storage);
    const answer = await post(
      pipeline,
      JSON.stringify({
        v: 1,
        events: [
          {
            type: "touch",
            at: 1,
            url: "https://shop.example/?ttclid=E.C.P.x",
            clickIds: { ttclid: "E.C.P.x" },
          },
        ],
      }),
      { "x-forwarded-for": forwardedFor },
    );
    expect(answer.status).toBe(204);
    const visitor = /rt_vid=([^;]+)/.exec(answer.headers.get("set-cookie") ?? "")?.[1] as string;
    await pipeline.drain({ timeoutMs: 5_000 });
    const [touchpoint] = await storage.listTouchpoints({
      anonymousIds: [visitor],
      range: { from: 0, to: Number.MAX_SAFE_INTEGER },
    });
    return touchpoint?.ip;
  }

  it.each([
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["203.0.113.7:51234", "203.0.113.7"],
  ])("a proxy's %s is stored as the address %s", async (entry, address) => {
    expect(await storedIp({ trustProxy: true }, entry)).toBe(address);
  });

  it("a forwarded entry that is no address is not stored as the ip, at any length", async () => {
    const ip = await storedIp({ trustProxy: 2 }, `${"<b>".repeat(2_000)}, 198.51.100.7`);
    expect(ip === undefined || isIP(ip) !== 0, `stored ${ip?.length} characters`).toBe(true);
  });
});

describe("review-g: CORS on the pipeline's own refusals of a collect request", () => {
  // review-e made every refusal of the collect handler carry an allowed origin's CORS headers, so a
  // cross-origin page can read the status (and a 5xx is resent rather than seen as a network error).
  // The 503 the pipeline answers while it shuts down (pipeline.ts:356, `guarded`) is built outside
  // the collect handler, without them: the browser hides it as a network error.
  it("a 503 while the pipeline closes carries the allowed origin's CORS headers", async () => {
    const pipeline = make({ allowedOrigins: ["https://www.example.com"] });
    const closing = pipeline.close();
    const answer = await pipeline.handleCollect(
      new Request("http://localhost/rt/collect", {
        method: "POST",
        body: JSON.stringify({
          v: 1,
          events: [{ type: "touch", at: 1, url: "https://www.example.com/" }],
        }),
        headers: {
          "content-type": "text/plain",
          "user-agent": UA,
          origin: "https://www.example.com",
        },
      }),
    );
    await closing;
    expect(answer.status).toBe(503);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://www.example.com");
  });
});
