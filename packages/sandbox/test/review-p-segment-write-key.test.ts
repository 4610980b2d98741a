/**
 * Review p: Segment's answer to a missing or wrong write key. shared/specs/segment-http-api.md §5:
 * "200 for all requests except oversize payloads and invalid JSON (400)", and a 200 "does not mean
 * every message was accepted". So the emulator answers 200 and drops the messages, which tests can
 * observe in `dropped` (reason `invalid_write_key`).
 */
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createSegmentSandbox } from "../src/index.js";

const URL_BATCH = "https://api.segment.io/v1/batch";
const KEY = "sandbox-write-key";

const segment = createSegmentSandbox({ now: () => 0, writeKeys: { [KEY]: "us" } });
useMockServer(...segment.handlers());

beforeEach(() => segment.reset());

const auth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
const message = (messageId: string) => ({
  type: "track",
  messageId,
  userId: "cus_1",
  event: "Order Completed",
});

function post(headers: Record<string, string>, body: unknown) {
  return fetch(URL_BATCH, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("Segment emulator, write key (review p)", () => {
  it("answers 200 {success: true} without a write key and stores nothing", async () => {
    const response = await post({}, { batch: [message("a"), message("b")] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true });
    expect(segment.recorded).toEqual([]);
    expect(segment.dropped.map((d) => d.reason)).toEqual([
      "invalid_write_key",
      "invalid_write_key",
    ]);
    expect(segment.requests.map((r) => r.status)).toEqual([200]);
  });

  it("answers 200 for an unknown write key and drops its messages as invalid_write_key", async () => {
    const response = await post({ authorization: auth("not-a-key") }, { batch: [message("c")] });
    expect(response.status).toBe(200);
    expect(segment.recorded).toEqual([]);
    expect(segment.dropped.map((d) => d.reason)).toEqual(["invalid_write_key"]);
  });

  it("still answers 400 for invalid JSON or an oversized message without a write key", async () => {
    const malformed = await fetch(URL_BATCH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    const big = { ...message("d"), properties: { blob: "x".repeat(33 * 1024) } };
    expect((await post({}, { batch: [big] })).status).toBe(400);
  });

  it("records messages sent with a known key in the body instead of Basic auth", async () => {
    expect((await post({}, { batch: [message("e")], writeKey: KEY })).status).toBe(200);
    expect(segment.recorded.map((r) => r.writeKey)).toEqual([KEY]);
  });
});
