/**
 * The sink's default limiter: in-process, p-throttle's strict algorithm (every window of
 * `intervalMs` holds at most `limit` request starts, not just fixed windows), with a small safety
 * margin so that network jitter between the start and ActiveCampaign's clock cannot make a window
 * hold one request too many. Spec §1: 5 requests a second per account.
 *
 * @module
 */
import { parseOptions, type RateLimit, type RateLimiter } from "@revtrace/core";
import pThrottle from "p-throttle";
import { z } from "zod";
import { ACTIVECAMPAIGN_RATE_LIMIT } from "./activecampaign-settings.js";

/** Options of {@link createInProcessRateLimiter}. */
export interface InProcessRateLimiterOptions extends Partial<RateLimit> {
  /** Added to `intervalMs` (jitter allowance). @default 50 */
  marginMs?: number;
}

const OptionsSchema = z.strictObject({
  limit: z.number().int().min(1).default(ACTIVECAMPAIGN_RATE_LIMIT.limit),
  intervalMs: z.number().int().min(1).default(ACTIVECAMPAIGN_RATE_LIMIT.intervalMs),
  marginMs: z.number().int().min(0).default(50),
});

/**
 * A {@link RateLimiter} for one process: every sink given the same instance shares its budget.
 * Throws `ConfigError` on bad options. Default: ActiveCampaign's 5 requests per second (+ 50 ms margin: 4.76 requests/s at most).
 */
export function createInProcessRateLimiter(options: InProcessRateLimiterOptions = {}): RateLimiter {
  const { limit, intervalMs, marginMs } = parseOptions(
    OptionsSchema,
    options,
    "in-process rate limiter options",
  );
  const slot = pThrottle({ limit, interval: intervalMs + marginMs, strict: true })(async () => {});
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (!signal) return slot();
      // p-throttle aborts only as a whole; a waiter that gives up leaves its slot unused.
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        slot().then(
          () => {
            signal.removeEventListener("abort", onAbort);
            resolve();
          },
          (error: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(error);
          },
        );
      });
    },
  };
}
