/**
 * Review p: `retry.every5xx`. Core's default keeps 501/505 permanent (Segment spec §5: "5xx except
 * 501, 505"); sinks whose vendor spec calls every 5xx retryable (ActiveCampaign §1, TikTok §6, Kiflo
 * §1) turn it on.
 */
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpClient, isRetryableStatus } from "../src/http/http-client.js";
import { RetryPolicySchema } from "../src/transport-options.js";

const BASE = "https://api.vendor.test/v1/";
const server = useMockServer();
const schema = z.object({ ok: z.boolean() });

const client = (every5xx: boolean | undefined) =>
  createHttpClient({
    name: "vendor",
    baseUrl: BASE,
    userAgent: "@revtrace/test/1.2.3",
    retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2, maxElapsedMs: 5_000, every5xx },
  });

describe("retry.every5xx (review p)", () => {
  it("keeps 501 and 505 permanent by default and retryable with every5xx", () => {
    for (const status of [501, 505]) {
      expect(isRetryableStatus(status)).toBe(false);
      expect(isRetryableStatus(status, { every5xx: true })).toBe(true);
    }
    for (const status of [500, 502, 503, 504, 511, 408, 429]) {
      expect(isRetryableStatus(status)).toBe(true);
      expect(isRetryableStatus(status, { every5xx: true })).toBe(true);
    }
    for (const status of [400, 401, 404, 422]) {
      expect(isRetryableStatus(status, { every5xx: true })).toBe(false);
    }
  });

  it.each([501, 505])("retries HTTP %i with every5xx and then succeeds", async (status) => {
    server.use(
      http.post(
        `${BASE}events`,
        respondInSequence(
          () => new HttpResponse(null, { status }),
          () => HttpResponse.json({ ok: true }),
        ),
      ),
    );
    const response = await client(true).request({ method: "POST", path: "events", schema });
    expect(response.attempts).toBe(2);
  });

  it.each([false, undefined])("does not retry HTTP 501 with every5xx %s", async (every5xx) => {
    server.use(http.post(`${BASE}events`, () => new HttpResponse(null, { status: 501 })));
    await expect(
      client(every5xx).request({ method: "POST", path: "events", schema }),
    ).rejects.toMatchObject({ status: 501, retryable: false });
    expect(server.calls).toHaveLength(1);
  });

  it("accepts every5xx in a sink's retry option", () => {
    expect(RetryPolicySchema.parse({ every5xx: true })).toEqual({ every5xx: true });
    expect(RetryPolicySchema.safeParse({ every5xx: "yes" }).success).toBe(false);
  });
});
