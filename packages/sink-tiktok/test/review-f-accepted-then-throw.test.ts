/**
 * review-f: a send cut into several requests for one pixel, where TikTok accepted the first request
 * and a later one fails as a whole (a body that is not JSON from a proxy, a refused pixel). send()
 * throws one non-retryable SinkError for every item, so the events TikTok already accepted are
 * reported as failed and dead-lettered by the pipeline. The README counts exactly this as the old bug
 * ("750 events TikTok had accepted were lost with the throw") and, across pixels, already rejects
 * only the failing group's events; within one pixel the accepted batch is still lost.
 */
import type { ItemResult } from "@revtrace/core";
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createTikTokSink } from "../src/index.js";
import { syntheticPurchases } from "./fixtures/conversions.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const NOW = Date.UTC(2026, 2, 1, 12);
const server = useMockServer();

describe("review-f: a later request of one pixel fails after an earlier one was accepted", () => {
  it.each([
    [
      "HTTP 200 with an HTML body",
      () => new HttpResponse("<html>bad gateway</html>", { status: 200 }),
    ],
    ["code 40001", () => HttpResponse.json({ code: 40001, message: "No permission", data: {} })],
  ])("%s: the accepted events stay delivered", async (_label, second) => {
    server.use(
      http.post(
        URL_TRACK,
        respondInSequence(() => HttpResponse.json({ code: 0, message: "OK", data: {} }), second),
      ),
    );
    const sink = createTikTokSink({
      accessToken: "tt-token",
      pixelCode: "C4PIXEL",
      now: () => NOW,
      batchSize: 2,
      retry: { retries: 0 },
    });
    const items = syntheticPurchases(4, NOW - 60_000);
    const outcome = await sink.send(items).then(
      (results: readonly ItemResult[]) => results.map((r) => r.status),
      (error: unknown) => `thrown: ${String((error as Error).message)}`,
    );
    expect(server.calls).toHaveLength(2);
    // TikTok accepted items 0 and 1 in the first request
    expect(outcome).toEqual(["delivered", "delivered", "rejected", "rejected"]);
  });
});
