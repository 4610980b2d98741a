/**
 * The adapter test matrix: the same webhook tests through the Web handler, Express (with and without
 * `express.json()` before it), Fastify and plain `node:http`, over real sockets on ephemeral ports.
 */
import { gzipSync } from "node:zlib";
import { StorageError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";
import { basic, fixtureText } from "./fixtures.ts";
import { fastify, TRANSPORTS, type Transport } from "./transports.ts";

const PASSWORD = "whsec-matrix-password";
const AUTH = basic("chargebee", PASSWORD);
const LIMIT = 64 * 1024;
const BODY = fixtureText("payment_succeeded.items-click-id.synthetic.json");
const INVALID = JSON.stringify({
  id: "ev_invalid_1",
  event_type: "payment_succeeded",
  occurred_at: "yesterday",
  content: { customer: { id: "cus_1", email: "jane@acme.io" } },
});

function makePipeline(storage: PipelineStorage = createMemoryStorage() as PipelineStorage) {
  return createPipeline({
    storage,
    chargebee: { credentials: [{ username: "chargebee", password: PASSWORD }] },
    http: { maxBodyBytes: LIMIT },
  });
}

const post = (body: BodyInit, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  body,
  headers: { authorization: AUTH, "content-type": "application/json", ...headers },
});

describe.each(TRANSPORTS)("webhook over $name", (kind) => {
  let pipeline: Pipeline;
  let transport: Transport;
  const open = async (storage?: PipelineStorage) => {
    pipeline = makePipeline(storage);
    transport = await kind.start(pipeline);
    return transport;
  };
  afterEach(async () => {
    await transport?.close();
    await pipeline?.close();
  });

  it("stores a new event and answers 200; a duplicate answers 200 and is audited", async () => {
    const t = await open();
    const first = await t.send("/webhooks/chargebee", post(BODY));
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ ok: true, duplicate: false });
    const again = await t.send("/webhooks/chargebee", post(BODY));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)).toEqual({ ok: true, duplicate: true });
    const stored = await pipeline.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_1");
    expect(stored).toMatchObject({ source: "chargebee", type: "payment_succeeded", duplicates: 1 });
    if (kind.jsonParserFirst) expect(JSON.parse(stored?.rawBody ?? "")).toEqual(JSON.parse(BODY));
    else expect(stored?.rawBody).toBe(BODY);
    expect(pipeline.metrics()).toMatchObject({ received: 1, duplicates: 1 });
  });

  it("answers 401 without any detail for missing or wrong credentials", async () => {
    const t = await open();
    for (const authorization of [undefined, basic("chargebee", "wrong"), "Bearer x"]) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization) headers.authorization = authorization;
      const answer = await t.send("/webhooks/chargebee", { method: "POST", body: BODY, headers });
      expect(answer.status).toBe(401);
      expect(answer.text).toBe("");
      expect(answer.headers.get("www-authenticate")).toBe('Basic realm="chargebee"');
    }
    expect(await pipeline.storage.listQuarantine({ limit: 10 })).toEqual([]);
  });

  it("answers 405 to other methods", async () => {
    const t = await open();
    const answer = await t.send("/webhooks/chargebee", {
      method: "GET",
      headers: { authorization: AUTH },
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.get("allow")).toBe("POST");
  });

  it("answers 415 to a body that is not JSON", async () => {
    const t = await open();
    const answer = await t.send(
      "/webhooks/chargebee",
      post("id=ev_1", { "content-type": "text/plain" }),
    );
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.text).error.code).toBe("unsupported_media_type");
  });

  it("answers 415 to a compressed body and stores nothing (nothing is decompressed)", async () => {
    const t = await open();
    const answer = await t.send(
      "/webhooks/chargebee",
      post(gzipSync(BODY), { "content-encoding": "gzip" }),
    );
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.text).error.code).toBe("unsupported_media_type");
    expect(await pipeline.storage.listQuarantine({ limit: 10 })).toEqual([]);
    expect(await pipeline.storage.listInboxEvents({ limit: 10 })).toEqual([]);
    const plain = await t.send(
      "/webhooks/chargebee",
      post(BODY, { "content-encoding": "identity" }),
    );
    expect(plain.status).toBe(200);
  });

  it("keeps a byte-order mark in the stored raw body, as received", async () => {
    if (kind.jsonParserFirst) return; // express.json() parsed the body: its bytes are gone
    const t = await open();
    const answer = await t.send("/webhooks/chargebee", post(`\ufeff${BODY}`));
    expect(answer.status).toBe(200);
    const stored = await pipeline.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_1");
    expect(stored?.rawBody).toBe(`\ufeff${BODY}`);
  });

  it("answers 413 over the size limit, with and without Content-Length", async () => {
    const t = await open();
    const big = JSON.stringify({ id: "ev_big", padding: "x".repeat(LIMIT * 3) });
    expect((await t.send("/webhooks/chargebee", post(big))).status).toBe(413);
    if (kind.jsonParserFirst) return; // express.json() refuses it with its own 413 first
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ >= 256) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const answer = await t.send("/webhooks/chargebee", {
      ...post(stream),
      duplex: "half",
    } as RequestInit);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.code).toBe("payload_too_large");
    expect(sent).toBeLessThan(256);
  });

  it("answers 401, not 413, to bodies over the limit without credentials, and closes those connections", async () => {
    const t = await open();
    if (kind.jsonParserFirst) return; // express.json() refuses it with its own 413 first
    const huge = "x".repeat(200 * 1024); // over every limit an adapter reads to
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(
        await t.send("/webhooks/chargebee", {
          method: "POST",
          body: huge,
          headers: { "content-type": "application/json" },
        }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    // Over HTTP the half-read connection is closed, so a graceful close of the server never waits on it.
    if (kind.name !== "Web handler") {
      expect(answers.map((a) => a.headers.get("connection"))).toEqual(Array(4).fill("close"));
    }
    const withAuth = await t.send("/webhooks/chargebee", post(huge));
    expect(withAuth.status).toBe(413);
  });

  it("answers 401 and 405 before reading the body: a stalled upload gets its answer", async () => {
    const t = await open();
    if (kind.jsonParserFirst) return; // express.json() reads every body before any route
    for (const [method, headers, status] of [
      ["POST", { "content-type": "application/json" }, 401],
      ["PUT", { authorization: AUTH, "content-type": "application/json" }, 405],
    ] as const) {
      const stop = new AbortController();
      // Five bytes, then nothing: the body never ends.
      const stalled = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id"'));
        },
      });
      const answer = await t.send("/webhooks/chargebee", {
        method,
        body: stalled,
        headers,
        duplex: "half",
        signal: stop.signal,
      } as RequestInit);
      stop.abort();
      expect(answer.status).toBe(status);
    }
  });

  it("quarantines an authenticated body that fails validation, then answers 400 naming the problem", async () => {
    const t = await open();
    const answer = await t.send("/webhooks/chargebee", post(INVALID));
    expect(answer.status).toBe(400);
    const error = JSON.parse(answer.text).error;
    expect(error.code).toBe("webhook_payload_invalid");
    expect(
      error.issues.some((issue: { path: string[] }) => issue.path.includes("occurred_at")),
    ).toBe(true);
    expect(answer.text).not.toContain("jane@acme.io");
    const [kept] = await pipeline.storage.listQuarantine({ limit: 10 });
    expect(kept).toMatchObject({ source: "chargebee", resolvedAt: null });
    expect(JSON.parse(kept?.rawBody ?? "")).toEqual(JSON.parse(INVALID));
    expect(pipeline.metrics().quarantined).toBe(1);
  });

  it("keeps one quarantine row for Chargebee's retries of the same invalid body", async () => {
    const t = await open();
    for (let i = 0; i < 3; i++) {
      expect((await t.send("/webhooks/chargebee", post(INVALID))).status).toBe(400);
    }
    expect(await pipeline.storage.listQuarantine({ limit: 10 })).toHaveLength(1);
    expect(pipeline.metrics().quarantined).toBe(1);
  });

  // express.json() answers a body that is not JSON itself (400) before the pipeline sees it.
  const itWithoutParser = kind.jsonParserFirst ? () => {} : it;
  itWithoutParser("quarantines a body that is not even JSON", async () => {
    const t = await open();
    const answer = await t.send("/webhooks/chargebee", post("{not json"));
    expect(answer.status).toBe(400);
    const [kept] = await pipeline.storage.listQuarantine({ limit: 10 });
    expect(kept?.rawBody).toBe("{not json");
  });

  it("answers 500 only when storage fails, without detail", async () => {
    const storage = createMemoryStorage() as PipelineStorage;
    const failing = new Proxy(storage, {
      get(target, property, receiver) {
        if (property === "ingest") {
          return async () => {
            throw new StorageError("ingest: disk I/O error", { engine: "memory" });
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const t = await open(failing);
    const answer = await t.send("/webhooks/chargebee", post(BODY));
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).error).toEqual({
      code: "storage_failed",
      message: "The event could not be stored; retry",
    });
  });

  // After express.json() the parsed body cannot even be serialized again (see the README's Limits).
  itWithoutParser(
    "quarantines (400, not 500) a well-formed event nested too deeply to store, once per body",
    async () => {
      const t = await open();
      const depth = 5000;
      const deep = BODY.replace(
        '"customer": {',
        `"customer": {"meta_data":${'{"a":'.repeat(depth)}1${"}".repeat(depth)},`,
      );
      expect(deep).not.toBe(BODY);
      const first = await t.send("/webhooks/chargebee", post(deep));
      expect(first.status).toBe(400);
      expect(JSON.parse(first.text).error).toMatchObject({
        code: "webhook_payload_invalid",
        message: "Chargebee webhook body: nested deeper than 256 levels",
      });
      // Chargebee retries a non-2xx: the same body is answered the same, and kept once.
      expect((await t.send("/webhooks/chargebee", post(deep))).status).toBe(400);
      const kept = await pipeline.storage.listQuarantine({ limit: 10 });
      expect(kept).toHaveLength(1);
      expect(kept[0]?.rawBody === deep).toBe(true); // not toBe: its diff would recurse 5000 levels
      expect(pipeline.metrics()).toMatchObject({ quarantined: 1, refused: 0, received: 0 });
    },
  );

  it("quarantines (400) a body storage refuses as input, and answers 500 only for engine failures", async () => {
    const storage = createMemoryStorage() as PipelineStorage;
    const refusing = new Proxy(storage, {
      get(target, property, receiver) {
        if (property === "ingest") {
          return async () => {
            throw new StorageError("ingest: invalid input: event.event: not storable as JSON", {
              engine: "memory",
              invalidInput: true,
            });
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const t = await open(refusing);
    const answer = await t.send("/webhooks/chargebee", post(BODY));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).error.message).toContain("cannot be stored");
    const [kept] = await storage.listQuarantine({ limit: 10 });
    expect(JSON.parse(kept?.rawBody ?? "")).toEqual(JSON.parse(BODY));
    expect(kept?.error.message).toContain("cannot be stored");
  });

  // express.json() decodes the body itself (replacing bytes that are not UTF-8) before the pipeline.
  itWithoutParser(
    "refuses (400) a body that is not UTF-8 and quarantines its bytes in base64",
    async () => {
      const t = await open();
      const latin1 = Buffer.from(
        BODY.replace('"customer": {', '"customer": {"first_name":"José",'),
        "latin1",
      );
      const answer = await t.send("/webhooks/chargebee", post(latin1));
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).error).toMatchObject({
        code: "webhook_payload_invalid",
        message: "Chargebee webhook body: not valid UTF-8",
      });
      expect(
        await pipeline.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_1"),
      ).toBeNull();
      const [kept] = await pipeline.storage.listQuarantine({ limit: 10 });
      expect(kept?.error.message).toContain("base64");
      expect(Buffer.from(kept?.rawBody ?? "", "base64").equals(latin1)).toBe(true);
    },
  );

  it("serves liveness, readiness and the Prometheus counters", async () => {
    const t = await open();
    await t.send("/webhooks/chargebee", post(BODY));
    expect((await t.send("/health/live", { method: "GET" })).status).toBe(200);
    const ready = await t.send("/health/ready", { method: "GET" });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text).checks.storage).toBe("ok");
    const metrics = await t.send("/metrics", { method: "GET" });
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(metrics.text).toContain("revtrace_webhooks_received_total 1\n");
  });

  const itOnFastify = kind === fastify ? it : () => {};
  itOnFastify("leaves the app's own JSON parsing alone", async () => {
    const t = await open();
    const answer = await t.send("/app/echo", {
      method: "POST",
      body: JSON.stringify({ a: 1 }),
      headers: { "content-type": "application/json" },
    });
    expect(JSON.parse(answer.text)).toEqual({ echoed: { a: 1 } });
  });
});
