/**
 * Transport through msw: TikTok's body `code` on HTTP 200, retryable codes, 429, 5xx, timeouts,
 * bisection of a batch with one bad event, partial success, abort, batching, verifyCredentials.
 */
import type { Conversion } from "@revtrace/core";
import { SinkError } from "@revtrace/core";
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createTikTokSink, type TikTokSinkOptions } from "../src/index.js";
import { leadConversion, syntheticPurchases, tiktokTouchpoint } from "./fixtures/conversions.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const TOKEN = "tt-secret-token-abc";
const PIXEL = "C4PIXEL0000000000001";
const NOW = Date.UTC(2026, 2, 1, 12);

const server = useMockServer();
const ok = (requestId = "req-ok") =>
  HttpResponse.json({ code: 0, message: "OK", request_id: requestId, data: {} });
const code = (value: number, message = "error") =>
  HttpResponse.json({ code: value, message, request_id: `req-${value}`, data: {} });

function sink(options: Partial<TikTokSinkOptions> = {}) {
  return createTikTokSink({
    accessToken: TOKEN,
    pixelCode: PIXEL,
    now: () => NOW,
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    ...options,
  });
}

const purchases = (n: number): Conversion[] => syntheticPurchases(n, NOW - 60_000);
const eventIds = (body: unknown) =>
  (body as { data: Array<{ event_id: string }> }).data.map((e) => e.event_id);

async function failure(promise: Promise<unknown>): Promise<SinkError> {
  const error = await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );
  if (!SinkError.isInstance(error)) throw error;
  return error;
}

describe("TikTok transport", () => {
  it("treats HTTP 200 with a non-zero code as a failure and does not retry a config error", async () => {
    server.use(
      http.post(URL_TRACK, () =>
        code(40105, `Access token ${TOKEN} is incorrect or has been revoked`),
      ),
    );
    const error = await failure(sink().send(purchases(2)));
    expect(error).toMatchObject({
      reason: "vendor_error",
      retryable: false,
      status: 200,
      vendorCode: 40105,
    });
    expect(error.message).toBe(
      "tiktok: TikTok code 40105 (invalid or revoked access token), request_id req-40105",
    );
    expect(JSON.stringify(error.responseBody)).not.toContain(TOKEN);
    expect(server.calls).toHaveLength(1);
  });

  it("does not bisect a request-level refusal (40001: token cannot write to the pixel)", async () => {
    server.use(http.post(URL_TRACK, () => code(40001, "No permission to operate pixel")));
    const error = await failure(sink().send(purchases(4)));
    expect(error.vendorCode).toBe(40001);
    expect(server.calls).toHaveLength(1);
  });

  for (const leadFirst of [true, false]) {
    it(`one pixel's refusal (40001) rejects only its events; the other pixel's are delivered (lead ${leadFirst ? "first" : "last"})`, async () => {
      server.use(
        http.post(URL_TRACK, async ({ request }) => {
          const body = (await request.json()) as { event_source_id: string };
          return body.event_source_id === "C4LEADS"
            ? code(40001, "No permission to operate pixel")
            : ok();
        }),
      );
      const lead = leadConversion(NOW - 60_000);
      const paid = purchases(2);
      const items = leadFirst ? [lead, ...paid] : [...paid, lead];
      const results = await sink({
        events: { lead: { event: "Lead", pixelCode: "C4LEADS", accessToken: "tt-other-token" } },
      }).send(items);
      const byId = new Map(results.map((result) => [result.id, result]));
      for (const purchase of paid) {
        expect(byId.get(purchase.id)).toEqual({ id: purchase.id, status: "delivered" });
      }
      const refused = byId.get(lead.id);
      expect(refused?.status).toBe("rejected");
      const error = refused?.status === "rejected" ? refused.error : undefined;
      expect(error?.vendorCode).toBe(40001);
      expect(error?.retryable).toBe(false);
      expect(results.map((result) => result.id)).toEqual(items.map((item) => item.id));
      const sent = server.calls.map((call) => [
        (call.body as { event_source_id: string }).event_source_id,
        call.headers["access-token"],
        eventIds(call.body),
      ]);
      const leadCall = ["C4LEADS", "tt-other-token", [lead.id]];
      const paidCall = [PIXEL, TOKEN, paid.map((p) => p.id)];
      expect(sent).toEqual(leadFirst ? [leadCall, paidCall] : [paidCall, leadCall]);
    });
  }

  it("retries TikTok's retryable codes with the same body until accepted", async () => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          () => code(40100),
          () => code(50002),
          () => ok(),
        ),
      ),
    );
    const results = await sink().send(purchases(2));
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered"]);
    expect(server.calls).toHaveLength(3);
    expect(server.calls[1]?.body).toEqual(server.calls[0]?.body);
    expect(server.calls[2]?.body).toEqual(server.calls[0]?.body);
  });

  it("throws a retryable SinkError when a retryable code outlasts the retries", async () => {
    server.use(http.post(URL_TRACK, () => code(50000, "System error")));
    const error = await failure(sink().send(purchases(1)));
    expect(error).toMatchObject({ reason: "vendor_error", retryable: true, vendorCode: 50000 });
    expect(server.calls).toHaveLength(4);
  });

  it("retries HTTP 429 after Retry-After, reporting the wait to onRetry", async () => {
    const retries: Array<[number, number]> = [];
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          () => new HttpResponse(null, { status: 429, headers: { "retry-after": "0" } }),
          () => ok(),
        ),
      ),
    );
    const results = await sink({
      onRetry: ({ attempt, delayMs }) => retries.push([attempt, delayMs]),
    }).send(purchases(1));
    expect(results[0]?.status).toBe("delivered");
    expect(server.calls).toHaveLength(2);
    // Retry-After: 0, so the wait is the backoff (minTimeoutMs 1): no real second-long wait here.
    expect(retries).toEqual([[1, 1]]);
  });

  it("retries HTTP 5xx (an nginx 502 page) and then delivers", async () => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          () => new HttpResponse("<html><center>nginx</center></html>", { status: 502 }),
          () => new HttpResponse(null, { status: 503 }),
          () => ok(),
        ),
      ),
    );
    const results = await sink().send(purchases(3));
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    expect(server.calls).toHaveLength(3);
  });

  it("retries an attempt that times out", async () => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          async () => {
            await delay(1_000);
            return ok("late");
          },
          () => ok(),
        ),
      ),
    );
    const results = await sink({ timeoutMs: 50 }).send(purchases(1));
    expect(results[0]?.status).toBe("delivered");
    expect(server.calls).toHaveLength(2);
  });

  it("isolates the event TikTok names (Batch.N) and resends the rest: 3 requests, not 5", async () => {
    const items = purchases(5);
    const bad = items[3]?.id as string;
    server.use(
      http.post(URL_TRACK, async ({ request }) => {
        const ids = eventIds(await request.json());
        const index = ids.indexOf(bad);
        return index < 0
          ? ok()
          : code(40002, `Batch.${index}.properties.contents.0.content_id: Not a valid string`);
      }),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "rejected",
      "delivered",
    ]);
    const rejected = results[3];
    expect(rejected?.status === "rejected" && rejected.error).toMatchObject({
      reason: "invalid_item",
      retryable: false,
      vendorCode: 40002,
    });
    // 5 → refused naming Batch.3; [3] alone → refused (confirmed); the other 4 → delivered.
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([
      items.map((c) => c.id),
      [bad],
      [items[0], items[1], items[2], items[4]].map((c) => c?.id),
    ]);
  });

  it("does not trust a wrong index hint: the named event is confirmed alone first", async () => {
    const items = purchases(3);
    const bad = items[2]?.id as string;
    server.use(
      http.post(URL_TRACK, async ({ request }) =>
        eventIds(await request.json()).includes(bad) ? code(40002, "Batch.0.user: bad") : ok(),
      ),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered", "rejected"]);
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([
      items.map((c) => c.id),
      [items[0]?.id],
      [items[1]?.id, bad],
      [items[1]?.id],
      [bad],
    ]);
  });

  it("bisects a refusal that names no event until the bad event is alone", async () => {
    const items = purchases(5);
    const bad = items[3]?.id as string;
    server.use(
      http.post(URL_TRACK, async ({ request }) =>
        eventIds(await request.json()).includes(bad) ? code(40002, "Param error") : ok(),
      ),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "rejected",
      "delivered",
    ]);
    // 5 → refused naming nothing; the same request without events → passes (the refusal is about
    // an event); first 3 → delivered, so the last 2 hold the bad event and are split at once:
    // 1 (bad) → refused alone; 1 → delivered.
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([
      items.map((c) => c.id),
      [],
      items.slice(0, 3).map((c) => c.id),
      [bad],
      [items[4]?.id],
    ]);
  });

  it("keeps bisecting when both halves are refused for different reasons", async () => {
    const items = purchases(4);
    const reasons = new Map([
      [items[0]?.id as string, "Param error: properties.value"],
      [items[3]?.id as string, "Param error: user.ip"],
    ]);
    server.use(
      http.post(URL_TRACK, async ({ request }) => {
        const refused = eventIds(await request.json())
          .map((id) => reasons.get(id))
          .filter((reason) => reason !== undefined);
        return refused.length === 0 ? ok() : code(40002, refused.join("; "));
      }),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "rejected",
      "delivered",
      "delivered",
      "rejected",
    ]);
    const [a, b, c, d] = items.map((item) => item.id);
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([
      [a, b, c, d],
      [],
      [a, b],
      [c, d],
      [a],
      [b],
      [c],
      [d],
    ]);
  });

  it("fails the send when a request without events is refused the same way (request-level problem): 2 requests for 200 events", async () => {
    server.use(http.post(URL_TRACK, () => code(40002, "Param error")));
    const error = await failure(sink({ batchSize: 200 }).send(purchases(200)));
    expect(error).toMatchObject({ reason: "vendor_error", retryable: false, vendorCode: 40002 });
    expect(error.message).toBe(
      "tiktok: TikTok code 40002 (parameter error), request_id req-40002; a request without any event is refused the same way, so the request itself is at fault",
    );
    expect(server.calls.map((call) => eventIds(call.body).length)).toEqual([200, 0]);
  });

  it("never bisects 40000 (invalid params): one request, thrown for the whole send", async () => {
    server.use(http.post(URL_TRACK, () => code(40000, "Invalid params")));
    const error = await failure(sink().send(purchases(200)));
    expect(error).toMatchObject({ reason: "vendor_error", retryable: false, vendorCode: 40000 });
    expect(server.calls).toHaveLength(1);
  });

  it("treats a partial success (20001) naming no event as delivered, and logs it", async () => {
    const warnings: Array<Record<string, unknown>> = [];
    server.use(http.post(URL_TRACK, () => code(20001, "Partial OK")));
    const results = await sink({
      logger: { warn: (o: unknown) => warnings.push(o as Record<string, unknown>) },
    }).send(purchases(2));
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered"]);
    expect(warnings).toEqual([
      {
        sink: "tiktok",
        code: 20001,
        requestId: "req-20001",
        events: 2,
        failed: 0,
        message: "Partial OK",
      },
    ]);
    expect(server.calls).toHaveLength(1);
  });

  it("rejects exactly the events a partial success (20001) reports failed in its data", async () => {
    const items = purchases(5);
    server.use(
      http.post(URL_TRACK, () =>
        HttpResponse.json({
          code: 20001,
          message: "Partial OK",
          request_id: "req-partial",
          data: {
            failed_events: [
              { index: 3, message: "event_time too old" },
              { index: 1, message: `token ${TOKEN} not allowed` },
              { index: 9, message: "outside the batch: ignored" },
            ],
          },
        }),
      ),
    );
    const results = await sink().send(items);
    expect(results.map((r) => r.status)).toEqual([
      "delivered",
      "rejected",
      "delivered",
      "rejected",
      "delivered",
    ]);
    const third = results[3];
    expect(third?.status === "rejected" && third.error).toMatchObject({
      reason: "invalid_item",
      retryable: false,
      vendorCode: 20001,
      message:
        "tiktok: TikTok code 20001 (partial OK) reports this event as failed: event_time too old, request_id req-partial",
    });
    const second = results[1];
    expect(second?.status === "rejected" && second.error.message).not.toContain(TOKEN);
    expect(second?.status === "rejected" && second.error.responseBody).not.toContain(TOKEN);
    // One request, no resend: TikTok already kept the other three.
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([items.map((c) => c.id)]);
  });

  it("reads Batch.N in a partial success's message when its data names nothing", async () => {
    server.use(http.post(URL_TRACK, () => code(20001, "Partial OK: Batch.0.user.ip: dropped")));
    const results = await sink().send(purchases(2));
    expect(results.map((r) => r.status)).toEqual(["rejected", "delivered"]);
  });

  it("aborts a request in flight", async () => {
    server.use(
      http.post(URL_TRACK, async () => {
        await delay(2_000);
        return ok();
      }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(sink().send(purchases(1), { signal: controller.signal }));
    expect(error.reason).toBe("aborted");
    expect(server.calls).toHaveLength(1);
  });

  it("sends up to 1,000 events per request by default (TikTok's maximum): 2,500 → 1,000 + 1,000 + 500", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const items = purchases(2_500);
    const results = await sink().send(items);
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    expect(server.calls.map((call) => eventIds(call.body).length)).toEqual([1_000, 1_000, 500]);
    expect(server.calls.flatMap((call) => eventIds(call.body))).toEqual(items.map((c) => c.id));
  });

  it("also cuts a batch by body size (maxBatchBytes), in order, each body within the limit", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const items = purchases(100);
    const results = await sink({ maxBatchBytes: 20_000 }).send(items);
    expect(results.every((r) => r.status === "delivered")).toBe(true);
    const sizes = server.calls.map((call) => Buffer.byteLength(JSON.stringify(call.body)));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(20_000);
    expect(sizes.length).toBeGreaterThan(1);
    // As few requests as the limit allows: each body but the last could not take the next event.
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(total / (20_000 - 400)));
    expect(server.calls.flatMap((call) => eventIds(call.body))).toEqual(items.map((c) => c.id));
  });

  it("rejects an event larger than maxBatchBytes on its own and never sends it", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const [first, middle, last] = purchases(3) as [Conversion, Conversion, Conversion];
    const landingPage = `https://www.example.com/?${"a".repeat(1_200_000)}`;
    const huge: Conversion = {
      ...middle,
      credits: [
        {
          model: "first_touch",
          share: 1,
          amount: null,
          touchpoint: tiktokTouchpoint(NOW - 120_000, { landingPage }),
        },
      ],
    };
    const results = await sink().send([first, huge, last]);
    expect(results[0]).toEqual({ id: first.id, status: "delivered" });
    expect(results[2]).toEqual({ id: last.id, status: "delivered" });
    expect(results[1]?.status).toBe("rejected");
    const error = results[1]?.status === "rejected" ? results[1].error : undefined;
    expect(error?.reason).toBe("invalid_item");
    expect(error?.retryable).toBe(false);
    expect(error?.message).toMatch(
      /^tiktok: the event is \d+ bytes, too large for one request \(maxBatchBytes 1000000\)$/,
    );
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([[first.id, last.id]]);
  });

  it("splits a send into batches of batchSize, in order", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const items = purchases(120);
    const results = await sink({ batchSize: 50 }).send(items);
    expect(results).toHaveLength(120);
    expect(server.calls.map((call) => eventIds(call.body).length)).toEqual([50, 50, 20]);
    expect(server.calls.flatMap((call) => eventIds(call.body))).toEqual(items.map((c) => c.id));
    const small = purchases(3);
    server.resetHandlers();
    server.use(http.post(URL_TRACK, () => ok()));
    await sink({ batchSize: 1 }).send(small);
    expect(server.calls).toHaveLength(3);
  });

  it("delivers a conversion whose visit IP is IPv6 with a zone id, without the IP", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const [item] = purchases(1) as [Conversion];
    const credit = item.credits[0] as Conversion["credits"][number];
    const zoned: Conversion = {
      ...item,
      credits: [{ ...credit, touchpoint: { ...credit.touchpoint, ip: "fe80::1%eth0" } }],
    };
    const results = await sink().send([zoned]);
    expect(results).toEqual([{ id: item.id, status: "delivered" }]);
    const body = server.calls[0]?.body as { data: Array<{ user: Record<string, unknown> }> };
    expect(body.data[0]?.user).not.toHaveProperty("ip");
  });

  it("rejects an amount no JSON number holds exactly; a normal one goes out as the same number", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const [normal, big] = purchases(2) as [Conversion, Conversion];
    const huge: Conversion = {
      ...big,
      value: { amount: Number.MAX_SAFE_INTEGER, currency: "USD" },
    };
    const results = await sink().send([normal, huge]);
    expect(results[0]).toEqual({ id: normal.id, status: "delivered" });
    expect(results[1]).toMatchObject({
      status: "rejected",
      error: {
        reason: "invalid_item",
        retryable: false,
        message:
          "tiktok: the conversion could not be mapped: the value in USD has more digits than a JSON number holds exactly",
      },
    });
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([[normal.id]]);
    const body = server.calls[0]?.body as { data: Array<{ properties: { value: number } }> };
    expect(body.data[0]?.properties.value).toBe(19.99);
  });

  it("rejects an event that fails local validation without sending it", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    const items = purchases(2);
    const results = await sink({ eventId: (c) => (c.id === items[0]?.id ? "" : c.id) }).send(items);
    expect(results[0]).toMatchObject({
      status: "rejected",
      error: { reason: "invalid_item", message: "tiktok: invalid event (event_id)" },
    });
    expect(results[1]?.status).toBe("delivered");
    expect(server.calls.map((call) => eventIds(call.body))).toEqual([[items[1]?.id]]);
  });
});

describe("verifyCredentials", () => {
  it("with a test event code: sends one test event per pixel and needs TikTok to accept it", async () => {
    server.use(http.post(URL_TRACK, () => ok()));
    await sink({
      events: { lead: { event: "Lead", pixelCode: "C4LEADS" } },
    }).verifyCredentials({ testEventCode: "TEST123" });
    const testEvent = (event: string) => ({
      event,
      event_time: NOW / 1000,
      event_id: `revtrace-credentials-check-${NOW / 1000}`,
      // SHA-256 of "revtrace-credentials-check": a matching key that is no one's data.
      user: { external_id: "8997e3a014c63357e9ce50c00c7d534e638900fcfd6a2d6cf3842f718b16bbde" },
    });
    expect(server.calls.map((call) => call.body)).toEqual([
      {
        event_source: "web",
        event_source_id: "C4LEADS",
        test_event_code: "TEST123",
        data: [testEvent("Lead")],
      },
      {
        event_source: "web",
        event_source_id: PIXEL,
        test_event_code: "TEST123",
        data: [testEvent("StartTrial")],
      },
    ]);
    expect(server.calls.map((call) => call.headers["access-token"])).toEqual([TOKEN, TOKEN]);
  });

  it("uses the sink's own testEventCode, and a test event refused in any way is a failure", async () => {
    server.use(http.post(URL_TRACK, () => code(40061, "Invalid batch size")));
    const error = await failure(sink({ testEventCode: "TEST9" }).verifyCredentials());
    expect(error.vendorCode).toBe(40061);
    expect(server.calls[0]?.body).toMatchObject({ test_event_code: "TEST9" });
  });

  it("without a test event code: sends an empty batch per pixel, accepts 40061 and says so", async () => {
    server.use(http.post(URL_TRACK, () => code(40061, "Invalid batch size")));
    const infos: unknown[] = [];
    await sink({
      events: { lead: { event: "Lead", pixelCode: "C4LEADS" } },
      logger: { info: (o: unknown) => infos.push(o) },
    }).verifyCredentials();
    expect(infos).toEqual([
      { sink: "tiktok", pixelCode: "C4LEADS" },
      { sink: "tiktok", pixelCode: PIXEL },
    ]);
    expect(server.calls.map((call) => call.body)).toEqual([
      { event_source: "web", event_source_id: "C4LEADS", data: [] },
      { event_source: "web", event_source_id: PIXEL, data: [] },
    ]);
  });

  it("throws for a bad token or a pixel the token cannot write to", async () => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          () => code(40105),
          () => code(40001),
        ),
      ),
    );
    expect((await failure(sink().verifyCredentials())).vendorCode).toBe(40105);
    expect((await failure(sink().verifyCredentials())).vendorCode).toBe(40001);
  });
});
