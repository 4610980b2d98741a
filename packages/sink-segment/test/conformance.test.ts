/** The Segment sink against the vendor-neutral sink conformance suite of `@revtrace/testing`. */
import { runSinkConformance } from "@revtrace/testing/sink";
import { HttpResponse } from "msw";
import { createSegmentSink, type SegmentBatchRequest, USER_AGENT } from "../src/index.js";
import { syntheticPurchases } from "./fixtures/conversions.js";

const KEY = "seg-conformance-secret-write-key";
const NOW = Date.UTC(2026, 2, 1, 12);

runSinkConformance({
  name: "segment",
  endpoint: "https://api.segment.io/v1/batch",
  // One track per purchase (no identify), so each item carries exactly one messageId.
  createSink: () =>
    createSegmentSink({
      writeKey: KEY,
      identifyWithEvents: false,
      now: () => NOW,
      retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    }),
  items: () => syntheticPurchases(3, NOW - 60_000),
  dedupeIdOf: (conversion) => `${conversion.id}:track`,
  vendor: {
    dedupeIds: (body) => ((body as SegmentBatchRequest).batch ?? []).map((m) => m.messageId),
    accept: () => HttpResponse.json({ success: true }),
    // Segment refuses a request whose content it cannot take with a 400 (spec §5).
    reject: (_body, detail) =>
      HttpResponse.json(
        { success: false, message: `invalid message: ${detail}`, code: "invalid_request" },
        { status: 400 },
      ),
  },
  secrets: [KEY, Buffer.from(`${KEY}:`).toString("base64")],
  userAgent: USER_AGENT,
});
