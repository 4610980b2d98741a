/** `beforeRetry`: a look between the attempts of a request that is not idempotent. */
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SinkError } from "../src/errors.js";
import { createHttpClient } from "../src/http/http-client.js";

const BASE = "https://api.vendor.test/v1/";
const server = useMockServer();
const schema = z.object({ id: z.number() });
const client = () =>
  createHttpClient({
    name: "vendor",
    baseUrl: BASE,
    userAgent: "@revtrace/test/1.2.3",
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
  });

describe("createHttpClient beforeRetry", () => {
  it("runs before every retry (never before the first attempt) with the last error", async () => {
    server.use(
      http.post(
        `${BASE}things`,
        respondInSequence(
          () => new HttpResponse(null, { status: 502 }),
          () => new HttpResponse(null, { status: 503 }),
          () => HttpResponse.json({ id: 7 }),
        ),
      ),
    );
    const seen: Array<[number, number | undefined]> = [];
    const response = await client().request({
      method: "POST",
      path: "things",
      json: {},
      schema,
      beforeRetry: async ({ attempt, error }) => {
        seen.push([attempt, error.status]);
        return undefined;
      },
    });
    expect(response.data).toEqual({ id: 7 });
    expect(response.attempts).toBe(3);
    expect(seen).toEqual([
      [2, 502],
      [3, 503],
    ]);
  });

  it("stops retrying when it answers false, failing with the last error", async () => {
    server.use(http.post(`${BASE}things`, () => new HttpResponse(null, { status: 503 })));
    let calls = 0;
    const error = await client()
      .request({
        method: "POST",
        path: "things",
        json: {},
        schema,
        beforeRetry: async () => {
          calls++;
          return false;
        },
      })
      .catch((e: unknown) => e);
    expect(SinkError.isInstance(error)).toBe(true);
    expect((error as SinkError).status).toBe(503);
    expect((error as SinkError).retryable).toBe(true);
    expect(calls).toBe(1);
    expect(server.calls).toHaveLength(1);
  });

  it("treats a SinkError it throws as a failed attempt", async () => {
    server.use(
      http.post(
        `${BASE}things`,
        respondInSequence(
          () => new HttpResponse(null, { status: 500 }),
          () => HttpResponse.json({ id: 1 }),
        ),
      ),
    );
    let calls = 0;
    const response = await client().request({
      method: "POST",
      path: "things",
      json: {},
      schema,
      beforeRetry: async () => {
        calls++;
        if (calls === 1) {
          throw new SinkError("vendor: look failed", {
            sink: "vendor",
            reason: "network",
            retryable: true,
          });
        }
        return undefined;
      },
    });
    expect(response.data).toEqual({ id: 1 });
    expect(calls).toBe(2);
    expect(server.calls).toHaveLength(2);
  });
});
