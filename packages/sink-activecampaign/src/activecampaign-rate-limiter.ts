/**
 * The sink's default limiter: in-process, a sliding-window log of the times requests were really
 * let go. A request is let go only when fewer than `limit` were let go in the last
 * `intervalMs + marginMs`, and the time recorded is the moment it is let go (the HTTP client
 * dispatches it in the same turn of the event loop). Spec §1: 5 requests a second per account.
 *
 * A grant is not yet a start: on a busy event loop the continuation that sends the request can run
 * long after the grant, and a slot counted from the grant would then expire early and let the late
 * request bunch with the next window's. The sink therefore reports each real start
 * ({@link ActiveCampaignRateLimiter.started}, from its `fetch`): the oldest grant not yet started is
 * then counted from that moment instead (a slot only ever moves later, never earlier). A grant that
 * never starts (an abort) keeps its grant time.
 *
 * Why not p-throttle (the earlier default): its strict mode records the time a slot was planned
 * for, not the time its timer really fired; on a busy event loop timers fire late, and the
 * recorded log no longer matches what went out (7 requests were seen within one second). p-queue's
 * `interval` counts fixed windows, which allow up to twice the limit across a window boundary.
 *
 * @module
 */
import { parseOptions, type RateLimit, type RateLimiter } from "@revtrace/core";
import { z } from "zod";
import { ACTIVECAMPAIGN_RATE_LIMIT } from "./activecampaign-settings.js";

/** Options of {@link createInProcessRateLimiter}. */
export interface InProcessRateLimiterOptions extends Partial<RateLimit> {
  /** Added to `intervalMs` (allowance for network jitter between us and the vendor). @default 100 */
  marginMs?: number;
}

const OptionsSchema = z.strictObject({
  limit: z.number().int().min(1).default(ACTIVECAMPAIGN_RATE_LIMIT.limit),
  intervalMs: z.number().int().min(1).default(ACTIVECAMPAIGN_RATE_LIMIT.intervalMs),
  marginMs: z.number().int().min(0).default(100),
});

interface Waiter {
  grant(): void;
}

/** One slot of the log: when it counts from, and whether its request was reported started. */
interface Slot {
  at: number;
  started: boolean;
}

/** The in-process limiter: a {@link RateLimiter} that also counts slots from real request starts. */
export interface ActiveCampaignRateLimiter extends RateLimiter {
  /**
   * The request of a grant starts now: the oldest grant not yet reported started counts from now
   * (when its slot has already left the window, a new one counting from now is added).
   */
  started(): void;
}

/**
 * A {@link RateLimiter} for one process: every sink given the same instance shares its budget.
 * Throws `ConfigError` on bad options. Default: ActiveCampaign's 5 requests per second, + 100 ms
 * margin (at most 5 in any 1.1 s: 4.55 requests/s). Waiters are served first come, first served.
 */
export function createInProcessRateLimiter(
  options: InProcessRateLimiterOptions = {},
): ActiveCampaignRateLimiter {
  const { limit, intervalMs, marginMs } = parseOptions(
    OptionsSchema,
    options,
    "in-process rate limiter options",
  );
  const windowMs = intervalMs + marginMs;
  /** The slots still in the window (when their requests were let go, or really started). */
  const sent: Slot[] = [];
  const waiters: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Lets waiters go while the window has room; else waits (a timer) until its oldest entry leaves. */
  function pump(): void {
    timer = undefined;
    while (waiters.length > 0) {
      // Read the clock for every grant: a timer that fired late is judged by the real time.
      const now = Date.now();
      expire(now);
      if (sent.length >= limit) {
        const oldest = Math.min(...sent.map((slot) => slot.at));
        timer = setTimeout(pump, oldest + windowMs - now);
        return;
      }
      sent.push({ at: now, started: false });
      (waiters.shift() as Waiter).grant();
    }
  }

  /** Drops the slots that left the window (a slot moved later by `started` may outlive older ones). */
  function expire(now: number): void {
    for (let i = sent.length - 1; i >= 0; i--) {
      if (now - (sent[i] as Slot).at >= windowMs) sent.splice(i, 1);
    }
  }

  return {
    started() {
      const now = Date.now();
      expire(now);
      const slot = sent.find((s) => !s.started);
      if (slot) {
        slot.at = now;
        slot.started = true;
      } else {
        sent.push({ at: now, started: true });
      }
      // The window's oldest slot may have moved: a pending timer fires early and re-checks.
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          // A waiter that gives up takes no slot.
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          grant() {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
        if (timer === undefined) pump();
      });
    },
  };
}
