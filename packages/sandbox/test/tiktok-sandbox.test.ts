/** The TikTok emulator through its msw handlers: contract validation, answers, recording, failures. */
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, describe, expect, it } from "vitest";
import { createTikTokSandbox, type TikTokSandboxOptions } from "../src/index.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const TOKEN = "sandbox-token";
const PIXEL = "C4PIXEL";
const NOW = Date.UTC(2026, 2, 1, 12);
const NOW_S = NOW / 1000;
const HASH = "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f";

let clock = NOW;
const options: TikTokSandboxOptions = {
  credentials: [{ accessToken: TOKEN, pixelCodes: [PIXEL] }],
  partnerNames: ["RevtracePartner"],
  now: () => clock,
};
const tiktok = createTikTokSandbox(options);
const server = useMockServer(...tiktok.handlers());

beforeEach(() => {
  clock = NOW;
  tiktok.reset();
});

function event(overrides: Record<string, unknown> = {}) {
  return {
    event: "Purchase",
    event_time: NOW_S - 60,
    event_id: "ev_1",
    user: { email: HASH, ttclid: "E.C.P.abc", ip: "203.0.113.7", user_agent: "UA/1" },
    properties: {
      value: 19.99,
      currency: "USD",
      contents: [{ content_id: "plan", price: 19.99, quantity: 1 }],
    },
    page: { url: "https://example.com/?ttclid=E.C.P.abc" },
    ...overrides,
  };
}

async function track(body: unknown, headers: Record<string, string> = { "access-token": TOKEN }) {
  const response = await fetch(URL_TRACK, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

const request = (data: unknown[], extra: Record<string, unknown> = {}) => ({
  event_source: "web",
  event_source_id: PIXEL,
  data,
  ...extra,
});

describe("TikTok sandbox: accepted requests", () => {
  it("answers code 0 with a request_id and records the events", async () => {
    const answer = await track(
      request([event(), event({ event_id: "ev_2" })], { test_event_code: "TEST1" }),
    );
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toEqual({
      code: 0,
      message: "OK",
      request_id: expect.stringMatching(/^20260301120000SANDBOX/),
      data: {},
    });
    expect(
      tiktok.recorded.map((r) => [r.pixelCode, r.testEventCode, r.duplicate, r.event.event_id]),
    ).toEqual([
      [PIXEL, "TEST1", false, "ev_1"],
      [PIXEL, "TEST1", false, "ev_2"],
    ]);
    expect(tiktok.requests).toEqual([
      {
        requestId: body.request_id,
        receivedAt: NOW,
        status: 200,
        code: 0,
        message: "OK",
        events: 2,
      },
    ]);
    expect(server.calls[0]?.headers["access-token"]).toBe(TOKEN);
  });

  it("flags events TikTok would deduplicate: same pixel, event and event_id within 48 h", async () => {
    await track(request([event()]));
    await track(request([event(), event({ event: "Subscribe" })]));
    clock = NOW + 48 * 3_600_000;
    await track(request([event({ event_time: Math.floor(clock / 1000) - 60 })]));
    expect(tiktok.recorded.map((r) => [r.event.event, r.duplicate])).toEqual([
      ["Purchase", false],
      ["Purchase", true],
      ["Subscribe", false],
      ["Purchase", false],
    ]);
  });
});

describe("TikTok sandbox: authentication and request limits", () => {
  it.each([
    [{}, 40104],
    [{ "access-token": `Bearer ${TOKEN}` }, 40105],
    [{ "access-token": "someone-else" }, 40105],
  ])("headers %j answer code %i", async (headers, code) => {
    const answer = await track(request([event()]), headers);
    expect(answer.status).toBe(200);
    expect(answer.json().code).toBe(code);
    expect(tiktok.recorded).toHaveLength(0);
  });

  it("refuses a pixel the token may not write to (40001)", async () => {
    expect((await track({ ...request([event()]), event_source_id: "OTHER" })).json().code).toBe(
      40001,
    );
  });

  it("refuses empty and oversized batches (40061)", async () => {
    expect((await track(request([]))).json().code).toBe(40061);
    const many = Array.from({ length: 1001 }, (_, i) => event({ event_id: `ev_${i}` }));
    expect((await track(request(many))).json()).toMatchObject({
      code: 40061,
      message: "Invalid batch size: 1001",
    });
    expect((await track(request(many.slice(0, 1000)))).json().code).toBe(0);
  });

  it("refuses an unregistered partner_name (40063), a non-JSON body (40000), other paths and methods", async () => {
    expect((await track(request([event()], { partner_name: "Unknown" }))).json().code).toBe(40063);
    expect((await track(request([event()], { partner_name: "RevtracePartner" }))).json().code).toBe(
      0,
    );
    expect((await track("{not json")).json().code).toBe(40000);
    expect(
      (await fetch("https://business-api.tiktok.com/open_api/v1.3/event/track", { method: "POST" }))
        .status,
    ).toBe(404);
    expect((await fetch(URL_TRACK)).status).toBe(405);
  });
});

describe("TikTok sandbox: the event contract", () => {
  it.each([
    [
      "event_time in milliseconds",
      { event_time: NOW },
      "Batch.0.event_time: must be Unix seconds, not milliseconds",
    ],
    [
      "event_time as a string",
      { event_time: String(NOW_S) },
      "Batch.0.event_time: Invalid input: expected number, received string",
    ],
    [
      "event_time in the future",
      { event_time: NOW_S + 3600 },
      "Batch.0.event_time: is in the future",
    ],
    [
      "event_time older than 28 days",
      { event_time: NOW_S - 29 * 86_400 },
      "Batch.0.event_time: is older than 28 days",
    ],
    [
      "a numeric event_id",
      { event_id: 123 },
      "Batch.0.event_id: Invalid input: expected string, received number",
    ],
    [
      "a hashed ttclid",
      { user: { ttclid: HASH } },
      "Batch.0.user.ttclid: ttclid must be sent as received, never hashed",
    ],
    [
      "a bad ip",
      { user: { ttclid: "x", ip: "999.1.1.1" } },
      "Batch.0.user.ip: must be an IPv4 or IPv6 address",
    ],
    [
      "value as a string",
      { properties: { value: "19.99", currency: "USD" } },
      "Batch.0.properties.value: Invalid input: expected number, received string",
    ],
    [
      "value without currency",
      { properties: { value: 5 } },
      "Batch.0.properties.currency: is required with value",
    ],
    [
      "an unsupported currency",
      { properties: { value: 5, currency: "XOF" } },
      "Batch.0.properties.currency: is not a currency TikTok supports",
    ],
    [
      "a numeric content_id",
      { properties: { contents: [{ content_id: 42 }] } },
      "Batch.0.properties.contents.0.content_id: Invalid input: expected string, received number",
    ],
    [
      "an unknown field (typo)",
      { properties: { contents_ids: ["a"] } },
      'Batch.0.properties: Unrecognized key: "contents_ids"',
    ],
    ["a page url that is not a URL", { page: { url: "pricing" } }, "Batch.0.page.url: Invalid URL"],
  ])("refuses %s with 40002 naming the field", async (_label, overrides, message) => {
    const answer = (
      await track(request([event(), event({ event_id: "ev_2", ...overrides })]))
    ).json();
    expect(answer.code).toBe(40002);
    expect(answer.message).toBe(message.replace("Batch.0", "Batch.1"));
    expect(tiktok.recorded).toHaveLength(0);
  });

  it.each([
    ["a raw email", { email: "alice@example.com" }, "Batch.0.user.email"],
    ["an upper-case digest", { email: HASH.toUpperCase() }, "Batch.0.user.email"],
    ["a raw phone in an array", { phone: [HASH, "+12133734253"] }, "Batch.0.user.phone"],
    ["a raw external_id", { external_id: "user_123" }, "Batch.0.user.external_id"],
    ["a raw first name", { first_name: "Alice" }, "Batch.0.user.first_name"],
  ])("refuses %s with 40062 (PII not hashed)", async (_label, user, path) => {
    const answer = (await track(request([event({ user })]))).json();
    expect(answer).toMatchObject({
      code: 40062,
      message: `${path}: must be SHA-256 hashed: 64 lowercase hex characters`,
    });
  });

  it("applies custom rules and names the refused event's index", async () => {
    tiktok.rejectEvents((e) => (e.event_id === "bad" ? "refused by test rule" : undefined));
    const answer = (await track(request([event(), event({ event_id: "bad" })]))).json();
    expect(answer).toMatchObject({ code: 40002, message: "Batch.1: refused by test rule" });
  });

  it("can refuse without naming the event (nameIndex: false), and still answers 40061 to an empty batch", async () => {
    tiktok.rejectEvents((e) => (e.event_id === "bad" ? "refused by test rule" : undefined), {
      nameIndex: false,
    });
    const answer = (await track(request([event(), event({ event_id: "bad" })]))).json();
    expect(answer).toMatchObject({ code: 40002, message: "Param error: refused by test rule" });
    expect((await track(request([]))).json().code).toBe(40061);
    expect(tiktok.recorded).toHaveLength(0);
  });
});

describe("TikTok sandbox: failure injection", () => {
  it("answers a queued body code, then recovers", async () => {
    tiktok.failNext({ type: "code", code: 40100 }, 2);
    expect((await track(request([event()]))).json()).toMatchObject({
      code: 40100,
      message: "Too many requests. Please retry in some time.",
    });
    expect((await track(request([event()]))).json().code).toBe(40100);
    expect((await track(request([event()]))).json().code).toBe(0);
    expect(tiktok.recorded).toHaveLength(1);
  });

  it("answers HTTP 5xx and 429 with Retry-After", async () => {
    tiktok.failNext({ type: "http", status: 502 });
    tiktok.failNext({
      type: "http",
      status: 429,
      retryAfter: "2",
      body: '{"code":40100,"message":"slow down"}',
    });
    const bad = await track(request([event()]));
    expect([bad.status, bad.headers.get("content-type"), bad.text.includes("nginx")]).toEqual([
      502,
      "text/html",
      true,
    ]);
    const limited = await track(request([event()]));
    expect([limited.status, limited.headers.get("retry-after"), limited.json().code]).toEqual([
      429,
      "2",
      40100,
    ]);
  });

  it("drops the connection, or answers too late for the client's timeout", async () => {
    tiktok.failNext({ type: "network" });
    await expect(track(request([event()]))).rejects.toThrow();
    // The default delay is 60 s: only the client's own timeout can end this request in time.
    tiktok.failNext({ type: "timeout" });
    await expect(
      fetch(URL_TRACK, { method: "POST", body: "{}", signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect(tiktok.requests.map((r) => [r.status, r.message])).toEqual([
      [0, "injected network"],
      [504, "injected timeout"],
    ]);
  });

  it("answers partial success (20001) and records only the events that passed", async () => {
    tiktok.failNext({ type: "partial", failedIndexes: [1] });
    const answer = (
      await track(request([event(), event({ event_id: "ev_2" }), event({ event_id: "ev_3" })]))
    ).json();
    expect(answer).toMatchObject({
      code: 20001,
      message: "Partial OK",
      data: { failed_events: [{ index: 1, message: "sandbox: injected failure" }] },
    });
    expect(tiktok.recorded.map((r) => r.event.event_id)).toEqual(["ev_1", "ev_3"]);
  });

  it("validates injected failures", () => {
    expect(() => tiktok.failNext({ type: "http", status: 200 } as never)).toThrow(
      "Invalid TikTok sandbox failure",
    );
    expect(() => createTikTokSandbox({ maxEventAgeDays: -1 })).toThrow(
      "Invalid TikTok sandbox options: maxEventAgeDays: ",
    );
    const error = (() => {
      try {
        createTikTokSandbox({
          credentials: [{ accessToken: "s3cr3t-token", pixelCodes: [""] }],
          origin: "not a url",
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toMatchObject({
      name: "ConfigError",
      fields: ["credentials.0.pixelCodes.0", "origin"],
    });
    expect(String((error as Error).message)).not.toContain("s3cr3t-token");
  });
});
