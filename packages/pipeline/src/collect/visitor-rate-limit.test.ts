import { describe, expect, it } from "vitest";
import { createVisitorRateLimit } from "./visitor-rate-limit.js";

describe("createVisitorRateLimit", () => {
  it("allows `requests` per window, then says when the window ends", () => {
    const limit = createVisitorRateLimit({ requests: 2, windowMs: 1_000 });
    expect(limit.take("v", 0)).toEqual({ allowed: true });
    expect(limit.take("v", 10)).toEqual({ allowed: true });
    expect(limit.take("v", 400)).toEqual({ allowed: false, retryAfterMs: 600 });
    expect(limit.take("other", 400)).toEqual({ allowed: true });
    expect(limit.take("v", 1_000)).toEqual({ allowed: true });
  });

  it("a visitor that keeps sending stays limited while thousands of new ones pass", () => {
    // Before, the windows were dropped in the order they opened: a busy visitor's window, opened
    // first, was the first forgotten once `maxVisitors` others had come, and its limit started over.
    const limit = createVisitorRateLimit({ requests: 3, windowMs: 60_000, maxVisitors: 100 });
    for (let i = 0; i < 3; i++) expect(limit.take("busy", i).allowed).toBe(true);
    for (let i = 0; i < 5_000; i++) {
      expect(limit.take(`new-${i}`, 10).allowed).toBe(true);
      expect(limit.take("busy", 10).allowed).toBe(false);
    }
  });

  it("tracks at most maxVisitors windows: a visitor unseen since then starts a new window", () => {
    const limit = createVisitorRateLimit({ requests: 1, windowMs: 60_000, maxVisitors: 10 });
    expect(limit.take("first", 0).allowed).toBe(true);
    expect(limit.take("first", 0).allowed).toBe(false);
    for (let i = 0; i < 10; i++) limit.take(`other-${i}`, 0);
    expect(limit.take("first", 0).allowed).toBe(true);
  });
});
