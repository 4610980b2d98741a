/**
 * The collect endpoint as deployed: over HTTPS served by Node (same-origin beacons and the cookie's
 * `Secure`), behind a TLS-terminating proxy, with a Host header that is not a host, and what a lead
 * form with a contact identity refuses becomes (nothing). The TLS key pair under `fixtures-tls/` is a
 * self-signed localhost certificate made for these tests only.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { Conversion, Sink } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeListener } from "../src/adapters/node.ts";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { listen } from "./test-server.ts";

const TLS = {
  key: readFileSync(new URL("./fixtures-tls/localhost.key", import.meta.url)),
  cert: readFileSync(new URL("./fixtures-tls/localhost.crt", import.meta.url)),
};
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";
const landing = JSON.stringify({
  v: 1,
  events: [{ type: "touch", at: Date.now(), url: "https://localhost/?ttclid=E.C.P.tls1" }],
});

let pipeline: Pipeline | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await pipeline?.close();
  pipeline = undefined;
});

function recordingSink(received: Conversion[]): Sink {
  return {
    specificationVersion: "v1",
    name: "recorder",
    handles: new Set(["lead"]),
    send: async (items) => {
      received.push(...items);
      return items.map((item) => ({ id: item.id, status: "delivered" as const }));
    },
  };
}

function make(options: { collect?: Record<string, unknown>; sinks?: Sink[] } = {}): Pipeline {
  pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    chargebee: { credentials: [{ username: "chargebee", password: "collect-http-password" }] },
    ...(options.collect ? { collect: options.collect } : {}),
    ...(options.sinks ? { sinks: options.sinks } : {}),
  });
  return pipeline;
}

describe("the collect endpoint over HTTPS", () => {
  it("accepts a same-origin beacon on a server Node runs with TLS, and sets the cookie Secure", async () => {
    const server = createHttpsServer(TLS, createNodeListener(make()));
    const port = await listen(server, closers);
    const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
      const request = httpsRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/rt/collect",
          method: "POST",
          ca: TLS.cert,
          servername: "localhost",
          headers: {
            host: `localhost:${port}`,
            origin: `https://localhost:${port}`,
            "content-type": "text/plain",
            "user-agent": UA,
          },
        },
        (response) => {
          response.resume();
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              cookie: String(response.headers["set-cookie"] ?? ""),
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(landing);
    });
    expect(answer.status).toBe(204);
    expect(answer.cookie).toMatch(/; Secure/);
  });

  it("behind a trusted TLS proxy: the forwarded origin is the site's own, and the cookie is Secure", async () => {
    const p = make({ collect: { trustProxy: true } });
    const send = (headers: Record<string, string>) =>
      p.handleCollect(
        new Request("http://shop.example/rt/collect", {
          method: "POST",
          body: landing,
          headers: { "content-type": "text/plain", "user-agent": UA, ...headers },
        }),
      );
    const proxied = await send({
      origin: "https://shop.example",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "shop.example",
    });
    expect(proxied.status).toBe(204);
    expect(proxied.headers.get("set-cookie")).toMatch(/; Secure/);
    // Another origin is still refused, and without a trusted proxy the header means nothing.
    expect(
      (await send({ origin: "https://evil.example", "x-forwarded-proto": "https" })).status,
    ).toBe(403);
    const untrusted = make().handleCollect(
      new Request("http://shop.example/rt/collect", {
        method: "POST",
        body: landing,
        headers: {
          "content-type": "text/plain",
          "user-agent": UA,
          origin: "https://shop.example",
          "x-forwarded-proto": "https",
        },
      }),
    );
    expect((await untrusted).status).toBe(403);
  });
});

describe("the Node adapter", () => {
  it("answers a request whose Host header is not a host (never 500)", async () => {
    const port = await listen(createHttpServer(createNodeListener(make())), closers);
    for (const host of ["a b", "[::1", "x:99999", "exa%mple"]) {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.end(
            `POST /rt/collect HTTP/1.1\r\nHost: ${host}\r\nContent-Type: text/plain\r\nUser-Agent: ${UA}\r\nContent-Length: ${Buffer.byteLength(landing)}\r\nConnection: close\r\n\r\n${landing}`,
          );
        });
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk.toString("latin1");
        });
        socket.on("end", () => resolve(text.split("\r\n")[0] ?? ""));
        socket.on("error", reject);
      });
      // Node itself refuses some such headers with 400; the pipeline answers the rest.
      expect(head).toMatch(/^HTTP\/1\.1 (204|400) /);
    }
  });
});

describe("the per-address limit over a real socket", () => {
  it("refuses a cookieless flood from one peer before its bodies count, and lets the next window in", async () => {
    let clock = Date.now();
    pipeline = createPipeline({
      storage: createMemoryStorage() as PipelineStorage,
      chargebee: { credentials: [{ username: "chargebee", password: "collect-http-password" }] },
      collect: { rateLimit: { requests: 100, windowMs: 60_000, perAddress: 4 } },
      now: () => clock,
    });
    const port = await listen(createHttpServer(createNodeListener(pipeline)), closers);
    const send = async (cookie?: string, body = landing) => {
      const response = await fetch(`http://127.0.0.1:${port}/rt/collect`, {
        method: "POST",
        headers: { "content-type": "text/plain", "user-agent": UA, ...(cookie ? { cookie } : {}) },
        body,
      });
      await response.arrayBuffer();
      return response;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await send(i % 2 ? `rt_vid=made-up-visitor-${i}` : undefined)).status);
    expect(statuses).toEqual([204, 204, 204, 204, 429, 429]);
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // refused before its body is read: not JSON, still 429 (a 400 would mean it was parsed)
    expect((await send(undefined, "not json")).status).toBe(429);
    expect(pipeline.metrics().collect).toMatchObject({ touchpoints: 4, rateLimited: 4 });
    clock += 60_000;
    expect((await send()).status).toBe(204);
  });
});

describe("lead forms from the public endpoint", () => {
  it("sends no lead for a contact identity refuses, and sends only the accepted part of one", async () => {
    const received: Conversion[] = [];
    const p = make({ sinks: [recordingSink(received)] });
    const identify = async (visitor: string, contact: { email?: string; phone?: string }) => {
      const answer = await p.handleCollect(
        new Request("http://localhost/rt/collect", {
          method: "POST",
          body: JSON.stringify({
            v: 1,
            events: [{ type: "identify", at: Date.now(), ...contact }],
          }),
          headers: { "content-type": "text/plain", "user-agent": UA, cookie: `rt_vid=${visitor}` },
        }),
      );
      expect(answer.status).toBe(204);
    };
    await identify("visitor-0001-aaaaaa", { email: "not-an-email", phone: "hello" });
    await identify("visitor-0002-aaaaaa", { email: "<script>@x.io" });
    await identify("visitor-0003-aaaaaa", { email: "test@test.com", phone: "+1 111 111 1111" });
    await identify("visitor-0004-aaaaaa", { email: "ada@analytical-engines.com", phone: "hello" });
    await p.drain({ timeoutMs: 10_000 });
    expect(received).toHaveLength(1);
    const contact = (received[0] as Conversion).contact;
    expect(contact.email).toBe("ada@analytical-engines.com");
    expect(contact.phone).toBeNull();
  });
});
