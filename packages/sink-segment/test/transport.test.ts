/**
 * Transport through msw: the exact request (Basic auth with the write key, `/v1/batch`, `sentAt` fresh
 * on every attempt), size limits (a message over 32 KB rejected alone, batches split at 500 KB and
 * 2,500 messages), the body checked on a 200, Retry-After, 5xx, regions and abort.
 */
import { SinkError } from "@revtrace/core";
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  createSegmentSink,
  packBatches,
  SEGMENT_MAX_BATCH_BYTES,
  type SegmentBatchRequest,
  type SegmentSinkOptions,
  USER_AGENT,
} from "../src/index.js";
import {
  retentionConversion,
  retentionEventOf,
  syntheticPurchases,
} from "./fixtures/conversions.js";

const US = "https://api.segment.io/v1/batch";
const EU = "https://events.eu1.segmentapis.com/v1/batch";
const KEY = "seg-write-key-123";
const NOW = Date.UTC(2026, 2, 1, 12);

const server = useMockServer();
const ok = () => HttpResponse.json({ success: true });

function sink(options: Partial<SegmentSinkOptions> = {}) {
  return createSegmentSink({
    writeKey: KEY,
    now: () => NOW,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    ...options,
  });
}

const bodies = () => server.calls.map((call) => call.body as SegmentBatchRequest);
const ids = (body: SegmentBatchRequest) => body.batch.map((m) => m.messageId);
const purchases = (n: number, padding = 0) => syntheticPurchases(n, NOW - 60_000, padding);

describe("Segment transport", () => {
  it("posts one /v1/batch with Basic auth (write key and a trailing colon) and the exact messages", async () => {
    server.use(http.post(US, ok));
    const [one] = purchases(1);
    const results = await sink({ identifyWithEvents: false }).send([one as never]);
    expect(results).toEqual([{ id: one?.id, status: "delivered" }]);
    expect(server.calls).toHaveLength(1);
    const call = server.calls[0];
    expect(call?.headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:`).toString("base64")}`);
    expect(call?.headers["content-type"]).toContain("application/json");
    expect(call?.headers["user-agent"]).toBe(USER_AGENT);
    expect(call?.body).toEqual({
      batch: [
        {
          type: "track",
          messageId: "chargebee:ev_synthetic_0:first_payment:track",
          timestamp: "2026-03-01T11:59:00.000Z",
          userId: undefined,
          anonymousId: "anon_0",
          context: {
            library: { name: "@revtrace/sink-segment", version: "0.0.0-dev" },
            campaign: {
              name: "spring",
              source: "tiktok",
              medium: "paid_social",
              ttclid: "E.C.P.click0",
            },
            traits: { email: "buyer0@example.com" },
          },
          event: "Order Completed",
          properties: { total: 19.99, revenue: 19.99, currency: "USD", first_payment: true },
        },
      ].map(({ userId: _drop, ...message }) => message),
      sentAt: "2026-03-01T12:00:00.000Z",
    });
  });

  it("events.retention: false sends nothing for Retention; a custom name names its track", async () => {
    server.use(http.post(US, ok));
    const cancel = retentionConversion("cancel");
    const off = sink({ events: { retention: false } });
    expect(off.handles.has("retention")).toBe(false);
    expect(await off.send([cancel])).toEqual([
      {
        id: cancel.id,
        status: "skipped",
        reason: 'the segment sink does not handle "retention" conversions',
      },
    ]);
    expect(server.calls).toEqual([]);

    const named = sink({ events: { retention: "Retention Flow" } });
    expect(await named.send([cancel])).toEqual([{ id: cancel.id, status: "delivered" }]);
    expect(bodies()).toEqual([
      {
        batch: [
          {
            type: "track",
            messageId: `${cancel.id}:track`,
            timestamp: new Date(cancel.occurredAt).toISOString(),
            anonymousId: "KD21akKyAZ",
            context: { library: { name: "@revtrace/sink-segment", version: "0.0.0-dev" } },
            event: "Retention Flow",
            properties: { ...retentionEventOf("cancel").properties, retention_event: "cancel" },
          },
        ],
        sentAt: "2026-03-01T12:00:00.000Z",
      },
    ]);
  });

  it("sets sentAt on every attempt and keeps every messageId across retries (spec §3.2, §6)", async () => {
    let clock = NOW;
    server.use(
      http.post(
        US,
        respondInSequence(
          () => new HttpResponse(null, { status: 503 }),
          () => ok(),
        ),
      ),
    );
    const results = await sink({ now: () => (clock += 1_000) }).send(purchases(2));
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    const [first, second] = bodies();
    expect(first?.sentAt).toBe(new Date(NOW + 1_000).toISOString());
    expect(second?.sentAt).toBe(new Date(NOW + 2_000).toISOString());
    expect(ids(second as SegmentBatchRequest)).toEqual(ids(first as SegmentBatchRequest));
    expect(first?.batch).toEqual(second?.batch);
  });

  it("rejects a message over 32 KB on its own and never sends it", async () => {
    server.use(http.post(US, ok));
    const items = purchases(3);
    const big = purchases(2, 33_000)[1];
    const mixed = [items[0], big, items[2]] as typeof items;
    const results = await sink().send(mixed);
    expect(results.map((r) => r.status)).toEqual(["delivered", "rejected", "delivered"]);
    const rejected = results[1];
    expect(rejected?.status === "rejected" && rejected.error.message).toMatch(
      /identify message is \d+ bytes, over Segment's 32000-byte limit/,
    );
    expect(rejected?.status === "rejected" && rejected.error.retryable).toBe(false);
    const sent = bodies().flatMap(ids);
    expect(sent.some((id) => id.includes("ev_synthetic_1:"))).toBe(false);
    expect(sent).toHaveLength(4);
  });

  it("rejects a payment whose amount no JSON number holds exactly, never sending a rounded revenue", async () => {
    server.use(http.post(US, ok));
    const [exact, huge] = purchases(2);
    // 90071992547409.91 USD: a double would read it back as another amount.
    const inexact = { ...huge, value: { amount: Number.MAX_SAFE_INTEGER, currency: "USD" } };
    const results = await sink().send([exact, inexact] as NonNullable<typeof exact>[]);
    expect(results.map((r) => r.status)).toEqual(["delivered", "rejected"]);
    const rejected = results[1];
    expect(rejected?.status === "rejected" && rejected.error.message).toMatch(
      /amount in USD has more digits than a JSON number holds exactly/,
    );
    expect(rejected?.status === "rejected" && rejected.error.retryable).toBe(false);
    const revenues = bodies()
      .flatMap((body) => body.batch)
      .flatMap((m) => (m.type === "track" ? [m.properties?.revenue] : []));
    expect(revenues).toEqual([19.99]);
  });

  it("splits batches so that no request body exceeds 500 KB, sending each message once", async () => {
    server.use(http.post(US, ok));
    // ~10 KB per message, 2 messages per conversion: 120 conversions ≈ 2.4 MB.
    const items = purchases(120, 10_000);
    const results = await sink().send(items);
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    const sizes = server.calls.map((call) => Buffer.byteLength(JSON.stringify(call.body)));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(SEGMENT_MAX_BATCH_BYTES);
    const total = sizes.reduce((a, b) => a + b, 0);
    // No more requests than the 500 KB limit forces (each full batch holds ≥ 500 KB − one message).
    expect(server.calls.length).toBe(Math.ceil(total / (SEGMENT_MAX_BATCH_BYTES - 11_000)));
    const sent = bodies().flatMap(ids);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toHaveLength(240);
  });

  it("packs at most 2,500 messages per request (spec §4: more are dropped after a 200)", () => {
    const small = Array.from({ length: 6_000 }, () => ({ bytes: 50 }));
    expect(packBatches(small, 2_500, SEGMENT_MAX_BATCH_BYTES).map((b) => b.length)).toEqual([
      2_500, 2_500, 1_000,
    ]);
    // 500,000 bytes of body hold the envelope, 9,998 messages of 49 bytes and their commas.
    const sized = Array.from({ length: 10_001 }, () => ({ bytes: 49 }));
    const byBytes = packBatches(sized, 20_000, SEGMENT_MAX_BATCH_BYTES).map((b) => b.length);
    expect(byBytes[0]).toBeGreaterThan(9_990);
    expect(byBytes.reduce((a, b) => a + b, 0)).toBe(10_001);
  });

  it("honours a smaller maxBatchMessages", async () => {
    server.use(http.post(US, ok));
    const results = await sink({ maxBatchMessages: 3 }).send(purchases(4));
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    expect(bodies().map((b) => b.batch.length)).toEqual([3, 3, 2]);
  });

  it("checks the body of a 200: success false rejects only the refused conversion", async () => {
    const items = purchases(4);
    const bad = "chargebee:ev_synthetic_2:first_payment:track";
    server.use(
      http.post(US, async ({ request }) => {
        const body = (await request.json()) as SegmentBatchRequest;
        return ids(body).includes(bad)
          ? HttpResponse.json({
              success: false,
              message: "malformed JSON",
              code: "invalid_request",
            })
          : ok();
      }),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "delivered",
      "delivered",
      "rejected",
      "delivered",
    ]);
    const refused = results[2];
    expect(refused?.status === "rejected" && refused.error.retryable).toBe(false);
    // The refused batch of 4; its first half [0, 1] accepted, so [2, 3] holds the refused
    // conversion and is split without being sent whole: [2] refused alone, [3] accepted.
    const tracks = (body: SegmentBatchRequest) =>
      ids(body)
        .filter((id) => id.endsWith(":track"))
        .map((id) => id.split(":")[1]);
    expect(bodies().map(tracks)).toEqual([
      ["ev_synthetic_0", "ev_synthetic_1", "ev_synthetic_2", "ev_synthetic_3"],
      ["ev_synthetic_0", "ev_synthetic_1"],
      ["ev_synthetic_2"],
      ["ev_synthetic_3"],
    ]);
  });

  it("rejects only the refused conversion when Segment answers 400 for one message", async () => {
    const items = purchases(3);
    const bad = "chargebee:ev_synthetic_0:first_payment:identify";
    server.use(
      http.post(US, async ({ request }) => {
        const body = (await request.json()) as SegmentBatchRequest;
        return ids(body).includes(bad)
          ? HttpResponse.json(
              { success: false, message: "Exceed payload limit", code: "invalid_request" },
              { status: 400 },
            )
          : ok();
      }),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual(["rejected", "delivered", "delivered"]);
  });

  it("honours Retry-After on a 429 and then delivers", async () => {
    const waits: number[] = [];
    server.use(
      http.post(
        US,
        respondInSequence(
          () => new HttpResponse(null, { status: 429, headers: { "retry-after": "1" } }),
          () => ok(),
        ),
      ),
    );
    const results = await sink({ onRetry: ({ delayMs }) => waits.push(delayMs) }).send(
      purchases(1),
    );
    expect(results[0]?.status).toBe("delivered");
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1_000);
  });

  it("retries 5xx and throws one retryable SinkError when they outlast the retries", async () => {
    server.use(http.post(US, () => new HttpResponse("<html>502</html>", { status: 502 })));
    const error = await sink()
      .send(purchases(2))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(SinkError.isInstance(error)).toBe(true);
    expect((error as SinkError).retryable).toBe(true);
    expect((error as SinkError).status).toBe(502);
    expect(server.calls).toHaveLength(4);
  });

  it("sends to the EU host when the region is eu, and to a custom host when given", async () => {
    server.use(http.post(EU, ok));
    await sink({ region: "eu" }).send(purchases(1));
    expect(server.calls.map((c) => c.url)).toEqual([EU]);
    server.resetHandlers();
    server.use(http.post("http://127.0.0.1:4010/segment/v1/batch", ok));
    await sink({ baseUrl: "http://127.0.0.1:4010/segment" }).send(purchases(1));
    expect(server.calls.map((c) => c.url)).toEqual(["http://127.0.0.1:4010/segment/v1/batch"]);
  });

  it("refuses bad options with a ConfigError naming the field, never its value", () => {
    expect(() => createSegmentSink({ writeKey: "" })).toThrow(/writeKey/);
    expect(() => createSegmentSink({ writeKey: "k", baseUrl: "ftp://segment.example" })).toThrow(
      "Invalid Segment sink options: baseUrl: must be an http(s) URL",
    );
    expect(() => createSegmentSink({ writeKey: "k", region: "apac" as never })).toThrow(/region/);
    expect(() => createSegmentSink({ writeKey: "k", maxBatchMessages: 3_000 })).toThrow(
      /maxBatchMessages/,
    );
    expect(() => createSegmentSink({ writeKey: "k", events: { nonsense: "X" } as never })).toThrow(
      /events/,
    );
  });

  it("stops at once on an aborted signal, never retryable", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await sink()
      .send(purchases(1), { signal: controller.signal })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as SinkError).reason).toBe("aborted");
    expect((error as SinkError).retryable).toBe(false);
    expect(server.calls).toHaveLength(0);
  });
});
