/**
 * Review of the direct Node path (commit 527df2d: the Node, Express and Fastify adapters call the
 * pipeline's endpoints on `IncomingMessage` instead of bridging through Web `Request`/`Response`).
 * Each test sends the same request over a real socket to the direct path and compares it with what the
 * Web handler (and the bridge, i.e. the behaviour before the change) answers. Each failed before its
 * fix (repeated headers read with `headersDistinct`; a pre-read body checked on its Content-Length;
 * `close()` answering a stalled request 503 once its grace is over).
 */

import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { createMemoryStorage } from "@revtrace/storage-memory";
import express from "express";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { revtraceExpress } from "../src/adapters/express.ts";
import { revtraceFastify } from "../src/adapters/fastify.ts";
import { createNodeListener } from "../src/adapters/node.ts";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { basic, fixtureText } from "./fixtures.ts";
import { listen } from "./test-server.ts";

const PASSWORD = "whsec-review-password";
const AUTH = basic("chargebee", PASSWORD);
const WRONG = basic("chargebee", "wrong");
const LIMIT = 64 * 1024;
const BODY = fixtureText("payment_succeeded.items-click-id.synthetic.json");
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function makePipeline(): Pipeline {
  const pipeline = createPipeline({
    storage: createMemoryStorage() as PipelineStorage,
    chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
    http: { maxBodyBytes: LIMIT },
  });
  closers.push(() => pipeline.close());
  return pipeline;
}

/** The pipeline behind handlers of the user's own: the adapters must bridge (the old path). */
function bridged(pipeline: Pipeline): Pipeline {
  return {
    ...pipeline,
    handleWebhook: (request) => pipeline.handleWebhook(request),
    handleRetentionWebhook: (request) => pipeline.handleRetentionWebhook(request),
    handleCollect: (request) => pipeline.handleCollect(request),
    handleLive: (request) => pipeline.handleLive(request),
    handleReady: (request) => pipeline.handleReady(request),
    handleMetrics: (request) => pipeline.handleMetrics(request),
  };
}

type Kind = "node:http" | "Express" | "Fastify";
const KINDS: Kind[] = ["node:http", "Express", "Fastify"];

/** The pipeline served by `kind` on an ephemeral port. */
async function serveOn(kind: Kind, pipeline: Pipeline): Promise<{ port: number; server: Server }> {
  if (kind === "Fastify") {
    const app = Fastify();
    await app.register(revtraceFastify, { pipeline });
    await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    return { port: (app.server.address() as AddressInfo).port, server: app.server };
  }
  let server: Server;
  if (kind === "node:http") server = createServer(createNodeListener(pipeline));
  else {
    const app = express();
    app.use(revtraceExpress(pipeline));
    server = createServer(app);
  }
  return { port: await listen(server, closers), server };
}

async function serve(kind: Kind, pipeline: Pipeline): Promise<number> {
  return (await serveOn(kind, pipeline)).port;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request; a header given as an array is sent as that many header lines. */
function send(
  port: number,
  path: string,
  headers: Record<string, string | string[]>,
  body: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, path, method: "POST", headers, agent: false },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** What the Web handler answers to the same header lines (`Headers.append` per line). */
async function viaWeb(
  handler: (request: Request) => Promise<Response>,
  path: string,
  lines: [string, string][],
  body: string,
): Promise<{ status: number; headers: Headers }> {
  const headers = new Headers();
  for (const [name, value] of lines) headers.append(name, value);
  const response = await handler(
    new Request(`http://127.0.0.1${path}`, { method: "POST", headers, body }),
  );
  await response.arrayBuffer();
  return { status: response.status, headers: response.headers };
}

describe.each(KINDS)("repeated request headers over %s (direct path)", (kind) => {
  // Finding 1. `nodeHeader` reads `IncomingMessage.headers`, where Node keeps only the FIRST of a
  // repeated `Authorization`, `Content-Type`, `User-Agent` (and host, referer, …) and drops the others;
  // Web `Headers.get` (the Web handlers, the bridge, the behaviour before 527df2d) joins them all with
  // ", ". So the same bytes on the wire are authenticated / accepted / counted differently.

  it("refuses two Authorization headers (first valid, second wrong) as the Web handler does", async () => {
    const pipeline = makePipeline();
    const lines: [string, string][] = [
      ["authorization", AUTH],
      ["authorization", WRONG],
      ["content-type", "application/json"],
    ];
    const web = await viaWeb(pipeline.handleWebhook, "/webhooks/chargebee", lines, BODY);
    expect(web.status).toBe(401);
    const port = await serve(kind, pipeline);
    const answer = await send(
      port,
      "/webhooks/chargebee",
      { authorization: [AUTH, WRONG], "content-type": "application/json" },
      BODY,
    );
    // On main: 200, and the event is stored.
    expect(answer.status).toBe(web.status);
    expect(await pipeline.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_1")).toBeNull();
  });

  it("answers two Content-Type headers (JSON first) as the Web handler does", async () => {
    const pipeline = makePipeline();
    const lines: [string, string][] = [
      ["authorization", AUTH],
      ["content-type", "application/json"],
      ["content-type", "text/plain"],
    ];
    const web = await viaWeb(pipeline.handleWebhook, "/webhooks/chargebee", lines, BODY);
    expect(web.status).toBe(415);
    const port = await serve(kind, pipeline);
    const answer = await send(
      port,
      "/webhooks/chargebee",
      { authorization: AUTH, "content-type": ["application/json", "text/plain"] },
      BODY,
    );
    expect(answer.status).toBe(web.status); // on main: 200
  });

  it("treats a beacon with a bot among its User-Agent lines as the bridge does", async () => {
    const body = JSON.stringify({
      v: 1,
      events: [{ type: "touch", at: Date.now(), url: "http://127.0.0.1/?gclid=review-ua" }],
    });
    const headers = { "user-agent": [UA, "Googlebot/2.1"], "content-type": "text/plain" };
    const viaBridge = await send(
      await serve(kind, bridged(makePipeline())),
      "/rt/collect",
      headers,
      body,
    );
    // The bridge (and the Web handler) see "<browser>, Googlebot/2.1": a bot, no cookie, nothing kept.
    expect(viaBridge.status).toBe(204);
    expect(viaBridge.headers["set-cookie"]).toBeUndefined();
    const direct = await send(await serve(kind, makePipeline()), "/rt/collect", headers, body);
    expect(direct.status).toBe(204);
    // On main the direct path sees only the first line: a visitor cookie is set, a touchpoint kept.
    expect(direct.headers["set-cookie"], "direct path").toBeUndefined();
  });
});

describe("Express after express.json() with a larger limit than the pipeline's", () => {
  // Finding 2. A parser already read the body: the direct path checks `http.maxBodyBytes` against
  // the RE-SERIALIZED JSON (`JSON.stringify(req.body)`), not the bytes that arrived; the bridge still
  // checked the request's `Content-Length` (`readBodyLimited`). A 97 KB webhook (64 KiB limit) whose
  // whitespace shrinks on re-serialization is stored on the direct path and 413 over the bridge.
  const padded = JSON.stringify(JSON.parse(BODY), null, 2).replace(/\n/g, `\n${" ".repeat(1000)}`);

  async function start(pipeline: Pipeline): Promise<number> {
    const app = express();
    app.use(express.json({ limit: "1mb" }));
    app.use(revtraceExpress(pipeline));
    return listen(createServer(app), closers);
  }

  it("answers 413 to a body over http.maxBodyBytes, direct as over the bridge", async () => {
    expect(Buffer.byteLength(padded)).toBeGreaterThan(LIMIT);
    expect(JSON.stringify(JSON.parse(padded)).length).toBeLessThan(LIMIT);
    const headers = { authorization: AUTH, "content-type": "application/json" };
    const overBridge = await send(
      await start(bridged(makePipeline())),
      "/webhooks/chargebee",
      headers,
      padded,
    );
    expect(overBridge.status).toBe(413);
    const pipeline = makePipeline();
    const direct = await send(await start(pipeline), "/webhooks/chargebee", headers, padded);
    expect(direct.status).toBe(413); // on main: 200, stored
  });
});

describe.each(KINDS)("a client that stalls mid-body over %s", (kind) => {
  // Finding 3 (not new in 527df2d: the bridge does the same). A webhook whose body stops arriving
  // keeps its request in flight, and `close()` waits for every request in flight with no deadline,
  // so a SIGTERM shutdown (README: `process.on("SIGTERM", () => pipeline.close())`) hangs until the
  // server's requestTimeout (Node: 300 s; Fastify: none by default). A hang fails by the timeout.
  it("does not hold pipeline.close() open", { timeout: 5_000 }, async () => {
    const pipeline = makePipeline();
    const { port, server } = await serveOn(kind, pipeline);
    const received = once(server, "request");
    const socket = connect(port, "127.0.0.1");
    closers.push(async () => {
      socket.destroy();
    });
    const answered = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("close", () => resolve(text));
    });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    socket.write(
      `POST /webhooks/chargebee HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 100)}`,
    );
    await received; // the request is in flight, its body incomplete
    await pipeline.close({ graceMs: 300 });
    // The stalled request got an answer (e.g. 503 or 408) and its connection was closed.
    expect(await answered).toMatch(/^HTTP\/1\.1 [45]\d\d /);
  });
});
