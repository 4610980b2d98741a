/**
 * The standalone server over real local HTTP (node:http on 127.0.0.1, a free port): this file uses no
 * msw on purpose, the server itself is what is tested.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../src/index.js";

const NOW = Date.UTC(2026, 2, 1, 12);
const HASH = "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f";
let sandbox: SandboxServer;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, tiktok: { now: () => NOW } });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.tiktok.reset());

const body = {
  event_source: "web",
  event_source_id: "C4PIXEL",
  data: [{ event: "Lead", event_time: NOW / 1000 - 5, event_id: "lead_1", user: { email: HASH } }],
};

function track(signal?: AbortSignal) {
  return fetch(`${sandbox.vendors.tiktok}/open_api/v1.3/event/track/`, {
    method: "POST",
    headers: { "content-type": "application/json", "access-token": "demo-token" },
    body: JSON.stringify(body),
    signal,
  });
}

describe("startSandbox", () => {
  it("serves TikTok under /tiktok and records accepted events", async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await track();
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ code: 0, message: "OK" });
    expect(sandbox.recorded.tiktok.map((r) => r.event.event_id)).toEqual(["lead_1"]);
    const recorded = await (await fetch(`${sandbox.url}/_sandbox/tiktok/recorded`)).json();
    expect(recorded).toEqual([
      expect.objectContaining({ pixelCode: "C4PIXEL", duplicate: false, event: body.data[0] }),
    ]);
    expect(await (await fetch(sandbox.url)).json()).toEqual({
      vendors: {
        tiktok: `${sandbox.url}/tiktok`,
        activecampaign: `${sandbox.url}/activecampaign`,
        segment: `${sandbox.url}/segment`,
      },
    });
  });

  it("takes failures through the control endpoint: rate limit, 5xx, dropped connection, timeout", async () => {
    const inject = (failure: unknown, times?: number) =>
      fetch(`${sandbox.url}/_sandbox/tiktok/failures`, {
        method: "POST",
        body: JSON.stringify({ failure, times }),
      });
    expect((await inject({ type: "code", code: 40100 })).status).toBe(204);
    expect(await (await track()).json()).toMatchObject({ code: 40100 });
    await inject({ type: "http", status: 503, retryAfter: "1" });
    const unavailable = await track();
    expect([unavailable.status, unavailable.headers.get("retry-after")]).toEqual([503, "1"]);
    await inject({ type: "network" });
    await expect(track()).rejects.toThrow();
    // The default delay is 60 s: only the client's own timeout can end this request in time.
    await inject({ type: "timeout" });
    await expect(track(AbortSignal.timeout(50))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(sandbox.tiktok.requests.at(-1)).toMatchObject({
      status: 504,
      message: "injected timeout",
    });
    expect((await inject({ type: "nonsense" })).status).toBe(400);
    expect((await track()).status).toBe(200);
  });

  it("refuses bad options with a ConfigError naming the fields", async () => {
    await expect(startSandbox({ port: 70_000, maxBodyBytes: 0 })).rejects.toMatchObject({
      name: "ConfigError",
      fields: ["port", "maxBodyBytes"],
    });
  });

  it("resets, answers 404 for unknown vendors and 413 for oversized bodies", async () => {
    await track();
    expect((await fetch(`${sandbox.url}/_sandbox/tiktok/reset`, { method: "POST" })).status).toBe(
      204,
    );
    expect(sandbox.recorded.tiktok).toHaveLength(0);
    expect((await fetch(`${sandbox.url}/nowhere/x`)).status).toBe(404);
    const small = await startSandbox({ maxBodyBytes: 10 });
    try {
      const answer = await fetch(`${small.vendors.tiktok}/open_api/v1.3/event/track/`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(answer.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
