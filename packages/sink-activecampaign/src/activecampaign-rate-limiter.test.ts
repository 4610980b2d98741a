import { afterEach, describe, expect, it, vi } from "vitest";
import { createInProcessRateLimiter } from "./activecampaign-rate-limiter.js";

/** The most grants in any window of `ms` (a grant at t and one at t + ms are in different windows). */
function maxInWindow(times: readonly number[], ms: number): number {
  let most = 0;
  for (let i = 0; i < times.length; i++) {
    const start = times[i] as number;
    most = Math.max(most, times.filter((t) => t >= start && t < start + ms).length);
  }
  return most;
}

describe("createInProcessRateLimiter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

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

  it("never lets 6 go in any window, even when its timers fire late (a blocked event loop)", async () => {
    // Real timers, a short window: the loop is blocked while slots fall due, so their timers fire
    // late together; a limiter that records planned times (p-throttle's strict mode) then lets the
    // late ones and the next on-time ones bunch up in one window.
    const limiter = createInProcessRateLimiter({ limit: 5, intervalMs: 200, marginMs: 10 });
    const granted: number[] = [];
    const all = Promise.all(
      Array.from({ length: 20 }, () => limiter.acquire().then(() => granted.push(Date.now()))),
    );
    await new Promise((resolve) => setTimeout(resolve, 190));
    const blockedUntil = Date.now() + 150;
    while (Date.now() < blockedUntil) {
      // busy: no timer can fire
    }
    await all;
    expect(granted).toHaveLength(20);
    expect(maxInWindow(granted, 200)).toBeLessThanOrEqual(5);
  });

  it("a waiter that gives up takes no slot; the next waiter gets it", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = createInProcessRateLimiter({ limit: 1, intervalMs: 1000, marginMs: 0 });
    await limiter.acquire();
    const controller = new AbortController();
    const gaveUp = limiter.acquire(controller.signal);
    let next = -1;
    const waiting = limiter.acquire().then(() => (next = Date.now()));
    controller.abort(new Error("stop"));
    await expect(gaveUp).rejects.toThrow("stop");
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(next).toBe(1000);
  });

  it("counts a slot from its reported start; an unreported grant keeps its grant time", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = createInProcessRateLimiter({ limit: 1, intervalMs: 1000, marginMs: 0 });
    const granted: number[] = [];
    const take = () => limiter.acquire().then(() => granted.push(Date.now()));
    await take();
    await vi.advanceTimersByTimeAsync(300);
    limiter.started(); // the first request really left at 300
    const second = take();
    await vi.advanceTimersByTimeAsync(2000);
    await second; // not reported started: the third counts from its grant
    const third = take();
    await vi.advanceTimersByTimeAsync(2000);
    await third;
    expect(granted).toEqual([0, 1300, 2300]);
  });

  it("a start reported after its slot left the window takes a new slot from then", async () => {
    vi.useFakeTimers({ now: 0 });
    const limiter = createInProcessRateLimiter({ limit: 1, intervalMs: 1000, marginMs: 0 });
    await limiter.acquire();
    await vi.advanceTimersByTimeAsync(1500);
    limiter.started();
    let next = -1;
    const waiting = limiter.acquire().then(() => (next = Date.now()));
    await vi.advanceTimersByTimeAsync(2000);
    await waiting;
    expect(next).toBe(2500);
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
