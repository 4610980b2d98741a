import { describe, expect, it } from "vitest";
import { createInProcessRateLimiter } from "./activecampaign-rate-limiter.js";

describe("createInProcessRateLimiter", () => {
  it("lets `limit` starts through at once and holds the next", async () => {
    const limiter = createInProcessRateLimiter({ limit: 3, intervalMs: 60_000, marginMs: 0 });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    let fourth = false;
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal).then(() => (fourth = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fourth).toBe(false);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });

  it("rejects an already aborted signal at once, and bad options with a ConfigError", async () => {
    const limiter = createInProcessRateLimiter();
    const controller = new AbortController();
    controller.abort(new Error("early"));
    await expect(limiter.acquire(controller.signal)).rejects.toThrow("early");
    expect(() => createInProcessRateLimiter({ limit: 0, intervalMs: -1 })).toThrow(
      expect.objectContaining({ name: "ConfigError", fields: ["limit", "intervalMs"] }),
    );
  });
});
