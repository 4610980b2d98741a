/**
 * review-g: core's deliverInBatches now keeps what it settled when a later request fails as a whole
 * (fb14d3b), but the Segment sink cuts a send into packed batches itself (segment-sink.ts:249,
 * packBatches) and calls deliverInBatches once per packed batch (segment-sink.ts:181), each with a
 * single request. When the second packed batch's request fails as a whole, that call has settled
 * nothing and rethrows, and sendMapped lets the throw end the whole send: the conversions Segment
 * already accepted in the first request are reported as failed with the error (dead-lettered when it
 * is not retryable, resent when it is). The review-f defect of TikTok, still present in Segment.
 * Fails on 61fce2b.
 */
import type { ItemResult } from "@revtrace/core";
import { respondInSequence, useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createSegmentSink } from "../src/index.js";
import { syntheticPurchases } from "./fixtures/conversions.js";

const US = "https://api.segment.io/v1/batch";
const NOW = Date.UTC(2026, 2, 1, 12);
const server = useMockServer();

describe("review-g: a later Segment batch fails after an earlier one was accepted", () => {
  it.each([
    ["401 (write key refused)", () => HttpResponse.json({ success: false }, { status: 401 })],
    ["503 after the retries", () => new HttpResponse("unavailable", { status: 503 })],
    ["HTTP 200 with an HTML body", () => new HttpResponse("<html>proxy</html>", { status: 200 })],
  ])("%s: the accepted conversions stay delivered", async (_label, second) => {
    server.use(
      http.post(
        US,
        respondInSequence(() => HttpResponse.json({ success: true }), second),
      ),
    );
    const sink = createSegmentSink({
      writeKey: "seg-write-key-123",
      now: () => NOW,
      identifyWithEvents: false,
      maxBatchMessages: 2,
      retry: { retries: 0 },
    });
    const items = syntheticPurchases(4, NOW - 60_000);
    const outcome = await sink.send(items as never).then(
      (results: readonly ItemResult[]) => results.map((r) => r.status),
      (error: unknown) => `thrown: ${String((error as Error).message)}`,
    );
    expect(server.calls).toHaveLength(2);
    // Segment accepted conversions 0 and 1 in the first request
    expect(outcome).toEqual(["delivered", "delivered", "rejected", "rejected"]);
  });
});
