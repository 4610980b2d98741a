/**
 * Backoff jitter of the core HTTP client: the waits before retries, with an injected random source.
 * Before the fix the waits were exactly 500 ms, 1 s, 2 s (p-retry with `randomize: false`).
 */
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { backoffDelay, createHttpClient, type RetryPolicy } from "../src/http/http-client.js";

const BASE = "https://api.vendor.test/v1/";
const server = useMockServer();
const schema = z.object({ ok: z.boolean() });

/** The waits reported to onRetry for a request answered 503 until the retries run out. */
async function waits(retry: RetryPolicy, draws: number[]): Promise<number[]> {
  server.use(http.post(`${BASE}events`, () => new HttpResponse(null, { status: 503 })));
  const delays: number[] = [];
  let next = 0;
  const client = createHttpClient({
    name: "vendor",
    baseUrl: BASE,
    userAgent: "@revtrace/test/1.2.3",
    retry,
    random: () => draws[next++ % draws.length] as number,
    onRetry: ({ delayMs }) => delays.push(delayMs),
  });
  await client.request({ method: "POST", path: "events", json: {}, schema }).catch(() => {});
  return delays;
}

describe("retry jitter", () => {
  it("equal jitter by default: half the exponential backoff kept, half drawn", async () => {
    // Backoffs 8, 16, 32 ms; draws 0, 0.5, 0.999 → 4 + 0, 8 + 4, 16 + 15.984 (rounded up).
    const delays = await waits(
      { retries: 3, minTimeoutMs: 8, maxTimeoutMs: 1_000 },
      [0, 0.5, 0.999],
    );
    expect(delays).toEqual([4, 12, 32]);
    expect(server.calls).toHaveLength(4);
  });

  it("differs between clients drawing different numbers (no synchronized retries)", async () => {
    const policy = { retries: 2, minTimeoutMs: 20, maxTimeoutMs: 1_000 };
    const low = await waits(policy, [0.1]);
    server.resetHandlers();
    const high = await waits(policy, [0.9]);
    expect(low).toEqual([11, 22]);
    expect(high).toEqual([19, 38]);
  });

  it("full jitter draws the whole wait; none waits the exact backoff", async () => {
    expect(
      await waits({ retries: 3, minTimeoutMs: 10, maxTimeoutMs: 1_000, jitter: "full" }, [0.25]),
    ).toEqual([3, 5, 10]);
    server.resetHandlers();
    expect(
      await waits({ retries: 3, minTimeoutMs: 10, maxTimeoutMs: 1_000, jitter: "none" }, [0.25]),
    ).toEqual([10, 20, 40]);
  });

  it("backoffDelay: capped at maxTimeoutMs, bounded whatever the random source answers", () => {
    const policy = { minTimeoutMs: 500, maxTimeoutMs: 10_000, jitter: "equal" as const };
    expect([1, 2, 3].map((retry) => backoffDelay(retry, policy, () => 0.5))).toEqual([
      375, 750, 1_500,
    ]);
    expect(backoffDelay(10, policy, () => 0.999_999)).toBe(10_000);
    expect(backoffDelay(10, policy, () => 0)).toBe(5_000);
    expect(backoffDelay(1, policy, () => 7)).toBe(500);
    expect(backoffDelay(1, policy, () => -1)).toBe(250);
    expect(backoffDelay(1, { ...policy, jitter: "none" }, () => 0.1)).toBe(500);
    for (let i = 0; i < 200; i++) {
      const wait = backoffDelay(2, { ...policy, jitter: "full" });
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(1_000);
    }
  });
});
