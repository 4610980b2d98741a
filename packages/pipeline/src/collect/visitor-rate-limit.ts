/**
 * The collect endpoint's request limits: a fixed window per key (a visitor id, or a client address
 * key: `client-address.ts`), in memory, with a bounded number of tracked keys (core's `RecentMap`:
 * the keys seen least recently are dropped first, in O(1)). It protects the store from one script
 * gone wrong or one abuser; across processes each process counts its own.
 *
 * @module
 */
import { createRecentMap } from "@revtrace/core";

/** Tells whether a visitor may make one more request now, and how long to wait when not. */
export interface VisitorRateLimit {
  take(
    visitorId: string,
    now: number,
  ): { allowed: true } | { allowed: false; retryAfterMs: number };
}

export function createVisitorRateLimit(options: {
  requests: number;
  windowMs: number;
  maxVisitors?: number;
}): VisitorRateLimit {
  const maxVisitors = options.maxVisitors ?? 100_000;
  const windows = createRecentMap<string, { start: number; count: number }>(maxVisitors);
  return {
    take(visitorId, now) {
      let window = windows.get(visitorId);
      if (!window || now - window.start >= options.windowMs) {
        window = { start: now, count: 0 };
        windows.set(visitorId, window);
      }
      if (window.count >= options.requests) {
        return { allowed: false, retryAfterMs: window.start + options.windowMs - now };
      }
      window.count++;
      return { allowed: true };
    },
  };
}
