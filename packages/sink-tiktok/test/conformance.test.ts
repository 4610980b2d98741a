/** The TikTok sink against the vendor-neutral sink conformance suite of `@revtrace/testing`. */
import { runSinkConformance } from "@revtrace/testing/sink";
import { HttpResponse } from "msw";
import { createTikTokSink, TIKTOK_DEFAULT_BASE_URL, USER_AGENT } from "../src/index.js";
import { syntheticPurchases } from "./fixtures/conversions.js";

const TOKEN = "tt-conformance-secret-token";
const NOW = Date.UTC(2026, 2, 1, 12);

const eventIds = (body: unknown): string[] =>
  ((body as { data?: Array<{ event_id?: unknown }> }).data ?? []).map((event) =>
    String(event.event_id),
  );

runSinkConformance({
  name: "tiktok",
  endpoint: `${TIKTOK_DEFAULT_BASE_URL}event/track/`,
  createSink: () =>
    createTikTokSink({
      accessToken: TOKEN,
      pixelCode: "C4CONFORMANCEPIXEL01",
      now: () => NOW,
      retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    }),
  items: () => syntheticPurchases(3, NOW - 60_000),
  dedupeIdOf: (conversion) => conversion.id,
  vendor: {
    dedupeIds: eventIds,
    accept: () =>
      HttpResponse.json({ code: 0, message: "OK", request_id: "req-conformance", data: {} }),
    // TikTok refuses the whole request with 40002 and names the offending event (spec §5, §6).
    reject: (_body, detail) =>
      HttpResponse.json({
        code: 40002,
        message: `Batch.0.user: ${detail}`,
        request_id: "req-bad",
        data: {},
      }),
  },
  secrets: [TOKEN],
  userAgent: USER_AGENT,
});
