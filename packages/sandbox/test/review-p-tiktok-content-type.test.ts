/**
 * Review p: TikTok spec §1 (shared/specs/tiktok-events-api.md) requires
 * `Content-Type: application/json`; §6: business errors are HTTP 200 with a non-zero `code`, 40000
 * being "invalid params". A `text/plain` body is refused that way and not recorded.
 */
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createTikTokSandbox } from "../src/index.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const TOKEN = "sandbox-token";
const PIXEL = "C4PIXEL";
const NOW = Date.UTC(2026, 2, 1, 12);

const tiktok = createTikTokSandbox({
  credentials: [{ accessToken: TOKEN, pixelCodes: [PIXEL] }],
  now: () => NOW,
});
useMockServer(...tiktok.handlers());

beforeEach(() => tiktok.reset());

const body = JSON.stringify({
  event_source: "web",
  event_source_id: PIXEL,
  data: [
    {
      event: "Purchase",
      event_time: NOW / 1000 - 60,
      event_id: "ev_1",
      user: { ip: "203.0.113.7", user_agent: "UA/1" },
      properties: { value: 1, currency: "USD" },
    },
  ],
});

async function post(contentType: string | undefined) {
  const headers: Record<string, string> = { "access-token": TOKEN };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const response = await fetch(URL_TRACK, { method: "POST", headers, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("TikTok emulator, Content-Type (review p)", () => {
  it.each(["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"])(
    "answers HTTP 200 with code 40000 for %s and records nothing",
    async (type) => {
      const answer = await post(type);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ code: 40000 });
      expect(tiktok.recorded).toHaveLength(0);
    },
  );

  it("accepts application/json, with or without a charset", async () => {
    expect((await post("application/json")).json).toMatchObject({ code: 0 });
    tiktok.reset();
    expect((await post("application/json; charset=utf-8")).json).toMatchObject({ code: 0 });
    expect(tiktok.recorded).toHaveLength(1);
  });
});
