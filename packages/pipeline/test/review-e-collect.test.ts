/**
 * review-e: the collect endpoint through its public API (createPipeline, handleCollect, the Node
 * listener over a real socket), with requests its tests never sent. Each test here fails on 0822242.
 */
import { createServer, request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { createNodeListener } from "../src/adapters/node.ts";
import { BROWSER_UA, collectPipeline, listen, postCollect, useClosers } from "./test-server.ts";

const UA = BROWSER_UA;
const closers = useClosers();
const make = (collect: Record<string, unknown> = {}) => collectPipeline(closers, collect);
const landing = () =>
  JSON.stringify({
    v: 1,
    events: [{ type: "touch", at: Date.now(), url: "https://localhost/?ttclid=E.C.P.x" }],
  });
const post = postCollect;

function send(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/rt/collect",
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": UA, ...headers },
        agent: false,
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("review-e: the per-address limit behind a trusted proxy", () => {
  // client-address.ts:15-24 counts the FIRST X-Forwarded-For address: the one the client wrote
  // itself. A proxy appends the address it saw (nginx `$proxy_add_x_forwarded_for`, AWS ALB, …), so
  // a script that sends its own X-Forwarded-For is a new address on every request and never limited:
  // exactly the cookieless / cookie-forging script the limit is documented to hold.
  it("is not evaded by a client-written X-Forwarded-For (the proxy appended the real peer)", async () => {
    const pipeline = make({ trustProxy: true, rateLimit: { perAddress: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const forwarded = `198.51.100.${i}, 203.0.113.5`; // "<what the client sent>, <what the proxy saw>"
      statuses.push((await post(pipeline, landing(), { "x-forwarded-for": forwarded })).status);
    }
    expect(statuses).toEqual([204, 204, 429, 429, 429]);
  });

  it("is not turned off by a client-written blank X-Forwarded-For", async () => {
    const pipeline = make({ trustProxy: true, rateLimit: { perAddress: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await post(pipeline, landing(), { "x-forwarded-for": ", 203.0.113.5" })).status,
      );
    }
    expect(statuses).toEqual([204, 204, 429, 429, 429]);
  });

  // client-address.ts:23: with trustProxy and no X-Forwarded-For (a client reaching the app around
  // the proxy), the TCP peer is known but nothing is counted.
  it("still counts the TCP peer of a request that carries no X-Forwarded-For", async () => {
    const pipeline = make({ trustProxy: true, rateLimit: { perAddress: 2 } });
    const port = await listen(createServer(createNodeListener(pipeline)), closers);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await send(port, {}, landing()));
    expect(statuses).toEqual([204, 204, 429, 429]);
  });
});

describe("review-e: people the endpoint must not drop", () => {
  // bot-filter.ts:10: the substring "bot" matches the phone maker CUBOT's model names, so every
  // landing from such an Android phone is answered 204 and silently ignored as a bot.
  it("stores a landing from a CUBOT Android phone's Chrome", async () => {
    const pipeline = make();
    const answer = await post(pipeline, landing(), {
      "user-agent":
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    });
    expect(answer.status).toBe(204);
    expect(pipeline.metrics().collect).toMatchObject({ bots: 0, touchpoints: 1 });
  });

  // visitor-cookie.ts:19-22 stops at the first `rt_vid` in the header; when that one is not a
  // visitor id (a stale or tossed cookie with a longer Path is sent first), the well-formed one after
  // it is ignored and the browser becomes a new visitor on every request.
  it("keeps the visitor's well-formed rt_vid when a malformed one comes first", async () => {
    const pipeline = make();
    const answer = await post(pipeline, landing(), {
      cookie: "rt_vid=bad; rt_vid=visitor-0001-aaaa",
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get("set-cookie")).toMatch(/^rt_vid=visitor-0001-aaaa;/);
  });
});

describe("review-e: error bodies never quote the request", () => {
  // http-answers.ts:2 promises error bodies "never quote the request (it may hold personal data)";
  // collect-handler.ts:260 passes zod's messages through, and `Unrecognized key: "…"` quotes the
  // body's keys.
  it("does not echo an unknown key of the body in the 400", async () => {
    const pipeline = make();
    const body = (url: string) =>
      JSON.stringify({
        v: 1,
        events: [
          {
            type: "touch",
            at: 1,
            url,
            clickIds: { "ada@example.org": "x" },
            utm: { "+33612345678": "y" },
          },
        ],
      });
    // unknown click-id and UTM names are dropped: the landing itself is stored
    const stored = await post(pipeline, body("https://localhost/"));
    expect(stored.status).toBe(204);
    // with nothing valid left, the 400 names fields, never the body's keys or values
    const answer = await post(pipeline, body("javascript:ada@example.org"));
    expect(answer.status).toBe(400);
    const text = await answer.text();
    expect(text).toContain("invalid_collect_body");
    expect(text).not.toContain("ada@example.org");
    expect(text).not.toContain("33612345678");
  });
});

describe("review-e: cookie options browsers refuse", () => {
  // collect-settings.ts:22-52: a `__Host-` name is accepted with a Domain (and `__Secure-` without
  // Secure); browsers drop such a Set-Cookie, so no visitor ever keeps an id. Refuse the options.
  it("refuses a __Host- cookie name with a domain, and a __Secure- name that is not Secure", () => {
    expect(() => make({ cookie: { name: "__Host-rt_vid", domain: "example.com" } })).toThrow();
    expect(() => make({ cookie: { name: "__Host-rt_vid", path: "/rt" } })).toThrow();
    expect(() => make({ cookie: { name: "__Secure-rt_vid", secure: false } })).toThrow();
  });
});

describe("review-e: IPv4-mapped addresses in hex", () => {
  // client-address.ts:63-64 recognizes an IPv4-mapped address only in dotted form; in hex
  // (`::ffff:c000:207`, the same address as `::ffff:192.0.2.7`) or spelled out
  // (`0:0:0:0:0:ffff:192.0.2.7`) it is counted by its /64, `0:0:0:0::/64`, which every IPv4 client
  // so spelled shares: one client's flood refuses all the others.
  it("counts two IPv4 clients spelled as mapped IPv6 separately", async () => {
    const pipeline = make({ trustProxy: true, rateLimit: { perAddress: 1 } });
    const from = async (address: string) =>
      (await post(pipeline, landing(), { "x-forwarded-for": address })).status;
    expect(await from("::ffff:c000:207")).toBe(204); // 192.0.2.7
    expect(await from("::ffff:c000:208")).toBe(204); // 192.0.2.8, another client
    expect(await from("0:0:0:0:0:ffff:198.51.100.9")).toBe(204); // a third
  });
});

describe("review-e: refusals an allowed cross-origin page can read", () => {
  // collect-handler.ts:222-245: 405, 415 and 413 (and 400 invalid_body) are answered without the
  // CORS headers that 400 invalid_json, 429 and 500 carry, so the allowed origin's page sees a CORS
  // failure (a network error: the tracker retries it forever) instead of the status and code.
  it("answers 413, 415 and 405 with the CORS headers of an allowed origin", async () => {
    const pipeline = make({ allowedOrigins: ["https://www.example.com"] });
    const origin = { origin: "https://www.example.com" };
    const big = await post(pipeline, landing() + " ".repeat(70_000), origin);
    const type = await post(pipeline, landing(), { ...origin, "content-type": "text/csv" });
    const method = await pipeline.handleCollect(
      new Request("http://localhost/rt/collect", { method: "PUT", body: "x", headers: origin }),
    );
    expect([big.status, type.status, method.status]).toEqual([413, 415, 405]);
    for (const answer of [big, type, method]) {
      expect(answer.headers.get("access-control-allow-origin")).toBe("https://www.example.com");
    }
  });
});
