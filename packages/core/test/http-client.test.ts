import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SinkError } from "../src/errors.js";
import { createHttpClient, type HttpClientOptions } from "../src/http/http-client.js";

const BASE = "https://api.vendor.test/v1/";
const server = useMockServer();
const schema = z.object({ ok: z.boolean() });

function client(options: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    name: "vendor",
    baseUrl: BASE,
    userAgent: "@revtrace/test/1.2.3",
    headers: { "access-token": "s3cr3t-token" },
    secrets: ["s3cr3t-token"],
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
    ...options,
  });
}

async function sinkError(promise: Promise<unknown>): Promise<SinkError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a SinkError");
    },
    (e: unknown) => e,
  );
  if (!SinkError.isInstance(error)) throw error;
  return error;
}

describe("createHttpClient", () => {
  it("sends the JSON body, headers and User-Agent, and validates the answer", async () => {
    server.use(http.post(`${BASE}events`, () => HttpResponse.json({ ok: true, extra: 1 })));
    const response = await client().request({
      method: "POST",
      path: "events",
      json: { a: 1 },
      schema,
    });
    expect(response).toMatchObject({ status: 200, data: { ok: true }, attempts: 1 });
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({
      method: "POST",
      url: `${BASE}events`,
      body: { a: 1 },
      headers: {
        "user-agent": "@revtrace/test/1.2.3",
        "access-token": "s3cr3t-token",
        "content-type": "application/json",
      },
    });
  });

  it("honours Retry-After on 429 and then succeeds", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        respondInSequence(
          () => HttpResponse.json({ ok: false }, { status: 429, headers: { "retry-after": "1" } }),
          () => HttpResponse.json({ ok: true }),
        ),
      ),
    );
    const delays: number[] = [];
    const response = await client({ onRetry: ({ delayMs }) => delays.push(delayMs) }).request({
      method: "POST",
      path: "events",
      json: {},
      schema,
    });
    expect(response.attempts).toBe(2);
    expect(delays).toEqual([1000]);
    expect(server.calls).toHaveLength(2);
  });

  it("builds a function body anew for every attempt", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        respondInSequence(
          () => new HttpResponse(null, { status: 503 }),
          () => HttpResponse.json({ ok: true }),
        ),
      ),
    );
    let attempt = 0;
    await client().request({
      method: "POST",
      path: "events",
      json: () => ({ attempt: ++attempt }),
      schema,
    });
    expect(server.calls.map((call) => call.body)).toEqual([{ attempt: 1 }, { attempt: 2 }]);
  });

  it("retries 5xx and succeeds", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        respondInSequence(
          () => new HttpResponse(null, { status: 503 }),
          () => new HttpResponse(null, { status: 502 }),
          () => HttpResponse.json({ ok: true }),
        ),
      ),
    );
    const response = await client().request({ method: "POST", path: "events", json: {}, schema });
    expect(response.attempts).toBe(3);
  });

  it.each([400, 401, 403, 404, 422, 501])("does not retry HTTP %i", async (status) => {
    server.use(
      http.post(`${BASE}events`, () =>
        HttpResponse.json({ error: "bad", token: "s3cr3t-token" }, { status }),
      ),
    );
    const error = await sinkError(
      client().request({ method: "POST", path: "events", json: {}, schema }),
    );
    expect(error).toMatchObject({
      sink: "vendor",
      reason: "http_status",
      status,
      retryable: false,
    });
    expect(server.calls).toHaveLength(1);
    expect(error.responseBody).not.toContain("s3cr3t-token");
    expect(error.message).not.toContain("s3cr3t-token");
  });

  it("gives up after the retries with a retryable error carrying Retry-After", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        () => new HttpResponse(null, { status: 503, headers: { "retry-after": "0" } }),
      ),
    );
    const error = await sinkError(
      client().request({ method: "POST", path: "events", json: {}, schema }),
    );
    expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: 0 });
    expect(server.calls).toHaveLength(4);
  });

  it("stops when a Retry-After wait would overrun the time budget", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        () => new HttpResponse(null, { status: 429, headers: { "retry-after": "60" } }),
      ),
    );
    const error = await sinkError(
      client({ retry: { retries: 5, minTimeoutMs: 1, maxElapsedMs: 2_000 } }).request({
        method: "POST",
        path: "events",
        json: {},
        schema,
      }),
    );
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 60_000 });
    expect(server.calls).toHaveLength(1);
  });

  it("ends with a timeout error when the time budget is exhausted", async () => {
    server.use(
      http.post(`${BASE}events`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return HttpResponse.json({ ok: true });
      }),
    );
    const error = await sinkError(
      client({ timeoutMs: 50, retry: { retries: 10, minTimeoutMs: 1, maxElapsedMs: 300 } }).request(
        {
          method: "POST",
          path: "events",
          json: {},
          schema,
        },
      ),
    );
    expect(error).toMatchObject({ reason: "timeout", retryable: true });
  });

  it("aborts when the caller's signal fires", async () => {
    server.use(http.post(`${BASE}events`, () => new HttpResponse(null, { status: 503 })));
    const controller = new AbortController();
    const pending = client({
      retry: { retries: 10, minTimeoutMs: 200, maxElapsedMs: 10_000 },
    }).request({
      method: "POST",
      path: "events",
      json: {},
      schema,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const error = await sinkError(pending);
    expect(error.reason).toBe("aborted");
    expect(error.retryable).toBe(false);
    expect(server.calls.length).toBeLessThanOrEqual(2);
  });

  it("rejects an invalid response body with a typed, non-retryable error", async () => {
    server.use(http.post(`${BASE}events`, () => HttpResponse.json({ ok: "yes" })));
    const error = await sinkError(
      client().request({ method: "POST", path: "events", json: {}, schema }),
    );
    expect(error).toMatchObject({ reason: "invalid_response", retryable: false, status: 200 });
    expect(server.calls).toHaveLength(1);
  });

  it("retries a vendor error marked retryable by interpret()", async () => {
    server.use(
      http.post(
        `${BASE}events`,
        respondInSequence(
          () => HttpResponse.json({ ok: false }),
          () => HttpResponse.json({ ok: true }),
        ),
      ),
    );
    const response = await client().request({
      method: "POST",
      path: "events",
      json: {},
      schema,
      interpret: (data) =>
        data.ok
          ? undefined
          : new SinkError("busy", { sink: "vendor", reason: "vendor_error", retryable: true }),
    });
    expect(response.attempts).toBe(2);
  });

  it("treats a network failure as retryable", async () => {
    server.use(http.post(`${BASE}events`, () => HttpResponse.error()));
    const error = await sinkError(
      client({ retry: { retries: 1, minTimeoutMs: 1 } }).request({
        method: "POST",
        path: "events",
        json: {},
        schema,
      }),
    );
    expect(error).toMatchObject({ reason: "network", retryable: true });
    expect(server.calls).toHaveLength(2);
  });
});

describe("createHttpClient hygiene", () => {
  it("never keeps the request (and its credentials) in an error's cause", async () => {
    const { inspect } = await import("node:util");
    server.use(
      http.post(`${BASE}events`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return HttpResponse.json({ ok: true });
      }),
    );
    const error = await sinkError(
      client({ timeoutMs: 20, retry: { retries: 0 } }).request({
        method: "POST",
        path: "events",
        json: {},
        schema,
      }),
    );
    expect(error.reason).toBe("timeout");
    expect(inspect(error, { depth: 10 })).not.toContain("s3cr3t-token");
  });

  it.each([
    ["https://api.vendor.test/v1", "events"],
    ["https://api.vendor.test/v1/", "/events"],
    ["https://api.vendor.test/v1", "/events"],
  ])("joins base %s and path %s as base/path", async (baseUrl, path) => {
    server.use(
      http.post("https://api.vendor.test/v1/events", () => HttpResponse.json({ ok: true })),
    );
    await client({ baseUrl }).request({ method: "POST", path, json: {}, schema });
    expect(server.calls.map((call) => call.url)).toEqual(["https://api.vendor.test/v1/events"]);
  });
});
