/** The Segment emulator through its msw handlers: limits, what is dropped after a 200, dedupe, failures. */
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createSegmentSandbox, SEGMENT_LIMITS } from "../src/index.js";

const URL_BATCH = "https://api.segment.io/v1/batch";
const KEY = "sandbox-write-key";
const NOW = Date.UTC(2026, 2, 1, 12);

const segment = createSegmentSandbox({ now: () => NOW, writeKeys: { [KEY]: "us", eukey: "eu" } });
useMockServer(...segment.handlers());

beforeEach(() => segment.reset());

const auth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

function post(body: unknown, init: { key?: string; raw?: string; type?: string } = {}) {
  return fetch(URL_BATCH, {
    method: "POST",
    headers: {
      authorization: auth(init.key ?? KEY),
      "content-type": init.type ?? "application/json",
    },
    body: init.raw ?? JSON.stringify(body),
  });
}

const track = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: "track",
  messageId,
  userId: "cus_1",
  event: "Order Completed",
  properties: { revenue: 49 },
  timestamp: "2026-03-01T11:00:00.000Z",
  ...extra,
});

describe("Segment emulator", () => {
  it("records accepted messages and answers {success: true}", async () => {
    const response = await post({ batch: [track("m1")], sentAt: "2026-03-01T12:00:00.000Z" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
    expect(segment.recorded).toEqual([
      {
        receivedAt: NOW,
        writeKey: KEY,
        sentAt: "2026-03-01T12:00:00.000Z",
        message: track("m1"),
      },
    ]);
  });

  it("answers 400 to a body over 500 KB, a message over 32 KB, malformed JSON and a wrong content type", async () => {
    const huge = "x".repeat(SEGMENT_LIMITS.batchBytes);
    expect((await post({ batch: [track("a", { properties: { huge } })] })).status).toBe(400);
    const big = "x".repeat(SEGMENT_LIMITS.messageBytes);
    const response = await post({ batch: [track("b", { properties: { big } })] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      success: false,
      message: "Exceed payload limit",
      code: "invalid_request",
    });
    expect((await post(null, { raw: "{not json" })).status).toBe(400);
    expect((await post({ batch: [track("c")] }, { type: "text/plain" })).status).toBe(400);
    expect(segment.recorded).toHaveLength(0);
  });

  it("drops after a 200 what Segment drops: no ids, no event, duplicates, over 2,500, wrong region", async () => {
    await post({
      batch: [
        track("n1", { userId: undefined }),
        track("n2", { event: undefined }),
        track("d1"),
        track("d1"),
      ],
    });
    const tooMany = Array.from({ length: SEGMENT_LIMITS.batchMessages + 1 }, (_, i) => ({
      type: "identify",
      messageId: `i${i}`,
      anonymousId: "a",
    }));
    expect((await post({ batch: tooMany })).status).toBe(200);
    expect((await post({ batch: [track("eu1")] }, { key: "eukey" })).status).toBe(200);
    expect(segment.recorded.map((r) => r.message.messageId)).toEqual(["d1"]);
    const reasons = segment.dropped.map((d) => d.reason);
    expect(reasons.slice(0, 3)).toEqual([
      "no_user_anon_id",
      "missing_event",
      "duplicate_message_id",
    ]);
    expect(reasons.filter((r) => r === "too_many_messages")).toHaveLength(2_501);
    expect(reasons.at(-1)).toBe("wrong_region");
  });

  it("answers 200 without any write key (spec §5), and serves injected failures before validating", async () => {
    const bare = await fetch(URL_BATCH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ batch: [track("x")] }),
    });
    expect(bare.status).toBe(200);
    segment.failNext({ type: "http", status: 429, retryAfter: "2" });
    const limited = await post({ batch: [track("y")] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await post({ batch: [track("y")] })).status).toBe(200);
    expect(segment.recorded.map((r) => r.message.messageId)).toEqual(["y"]);
  });
});
