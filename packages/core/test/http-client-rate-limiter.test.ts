/** The HTTP client's rate limiter hook: every attempt, retries included, waits for a slot. */
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { expect, it } from "vitest";
import { z } from "zod";
import { SinkError } from "../src/errors.js";
import { createHttpClient } from "../src/http/http-client.js";
import type { RateLimiter } from "../src/rate-limiter.js";

const BASE = "https://api.vendor.test/v1/";
const server = useMockServer();

function client(rateLimiter: RateLimiter) {
  return createHttpClient({
    name: "vendor",
    baseUrl: BASE,
    userAgent: "@revtrace/test/1.2.3",
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
    rateLimiter,
  });
}

it("acquires the limiter before every attempt, retries included", async () => {
  let n = 0;
  server.use(
    http.get(`${BASE}x`, () =>
      n++ < 2
        ? new HttpResponse(null, { status: 429, headers: { "retry-after": "0" } })
        : HttpResponse.json({ ok: true }),
    ),
  );
  const order: string[] = [];
  const limiter: RateLimiter = {
    acquire: async () => {
      order.push(`acquire:${n}`);
    },
  };
  const response = await client(limiter).request({
    method: "GET",
    path: "x",
    schema: z.object({ ok: z.boolean() }),
  });
  expect(response.attempts).toBe(3);
  expect(order).toEqual(["acquire:0", "acquire:1", "acquire:2"]);
});

it("turns an abort while waiting into the aborted SinkError, without a request", async () => {
  const limiter: RateLimiter = {
    acquire: (signal) =>
      new Promise((_resolve, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason)),
      ),
  };
  const controller = new AbortController();
  const pending = client(limiter).request({
    method: "GET",
    path: "x",
    schema: z.unknown(),
    signal: controller.signal,
  });
  controller.abort(new Error("stop"));
  const error = await pending.catch((e: unknown) => e);
  expect(SinkError.isInstance(error) && [error.reason, error.retryable]).toEqual([
    "aborted",
    false,
  ]);
  expect(server.calls).toHaveLength(0);
});

it("reports a failing limiter as a retryable SinkError", async () => {
  const limiter: RateLimiter = { acquire: () => Promise.reject(new Error("db down")) };
  const error = await client(limiter)
    .request({ method: "GET", path: "x", schema: z.unknown() })
    .catch((e: unknown) => e);
  expect(SinkError.isInstance(error) && error.retryable).toBe(true);
});
