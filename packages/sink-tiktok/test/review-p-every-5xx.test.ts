/**
 * Review p: shared/specs/tiktok-events-api.md §6, "HTTP 5xx, 429, network error/timeout | transport
 * failure | **yes**". Every 5xx is retried, 501 and 505 included (core's default keeps those
 * permanent).
 */
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createTikTokSink } from "../src/index.js";
import { syntheticPurchases } from "./fixtures/conversions.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const NOW = Date.UTC(2026, 2, 1, 12);
const server = useMockServer();

describe("review-p: TikTok retries every 5xx", () => {
  it.each([501, 505])("retries HTTP %i and then delivers", async (status) => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(
          () => new HttpResponse("<html>nginx</html>", { status }),
          () => HttpResponse.json({ code: 0, message: "OK", request_id: "req-ok", data: {} }),
        ),
      ),
    );
    const sink = createTikTokSink({
      accessToken: "tt-secret-token-abc",
      pixelCode: "C4PIXEL0000000000001",
      now: () => NOW,
      retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    });
    const purchases = syntheticPurchases(1, NOW - 60_000);
    const results = await sink.send(purchases);
    expect(results.map((r) => r.status)).toEqual(["delivered"]);
    expect(server.calls).toHaveLength(2);
  });
});
