/**
 * The account gate in front of a sink's rate limiter: ActiveCampaign's limit is per account (spec §1:
 * 5 requests a second, shared by every key), and so is its throttling: a 429 (or 503) carrying
 * `Retry-After` (spec §1 "Throttle response") holds every request of the account until that
 * deadline, not only the retry of the request that got it. The gate sees each answer as its headers
 * arrive (it wraps the sink's `fetch`), before the client has read the body, so a request waiting
 * behind the limiter cannot be let go in between; a request granted just before the pause and not
 * yet sent waits at the `fetch` and takes a fresh slot.
 *
 * A limiter shared by several processes (`createPostgresRateLimiter`) is told of the pause too
 * (`RateLimiter.pause`), so the account's other processes hold their requests as well; a request one
 * of them was granted before the pause reached the database may still leave.
 *
 * It also reports each real request start to a limiter that counts slots from starts
 * ({@link ActiveCampaignRateLimiter.started}).
 *
 * @module
 */
import { abortableSleep, parseRetryAfter, type RateLimiter } from "@revtrace/core";
import type { ActiveCampaignRateLimiter } from "./activecampaign-rate-limiter.js";

/** Statuses whose `Retry-After` pauses the account (spec §1: 429, and 503 seen when over the limit). */
const THROTTLE_STATUSES = new Set([429, 503]);

/** A limiter with the account's `Retry-After` pause, and the `fetch` that feeds it. */
export interface AccountGate {
  /** Waits for the pause to end, then for the limiter (again, if a pause came meanwhile). */
  readonly limiter: RateLimiter;
  /**
   * `base` (else the global `fetch`, looked up at call time) through the gate: reports each start,
   * holds a request during a pause, and starts a pause on a throttle answer.
   */
  fetch(base: typeof globalThis.fetch | undefined): typeof globalThis.fetch;
}

const gates = new WeakMap<RateLimiter, AccountGate>();

/** The gate of `limiter`: one per limiter, so the sinks that share a limiter share its pause. */
export function accountGate(limiter: RateLimiter): AccountGate {
  let gate = gates.get(limiter);
  if (!gate) {
    gate = createAccountGate(limiter);
    gates.set(limiter, gate);
  }
  return gate;
}

function createAccountGate(inner: RateLimiter): AccountGate {
  /** No request of the account leaves before this time (epoch ms). */
  let pausedUntil = 0;
  const started = (inner as Partial<ActiveCampaignRateLimiter>).started?.bind(inner);

  async function acquire(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const wait = pausedUntil - Date.now();
      if (wait > 0) await abortableSleep(wait, signal);
      await inner.acquire(signal);
      // Paused while waiting in line: this slot is left unused; wait for the deadline again.
      if (Date.now() >= pausedUntil) return;
    }
  }

  return {
    limiter: {
      acquire,
      ...(inner.close ? { close: () => inner.close?.() ?? Promise.resolve() } : {}),
    },
    fetch(base) {
      return async (input, init) => {
        const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
        if (Date.now() < pausedUntil) await acquire(signal ?? undefined);
        started?.();
        const response = await (base ?? globalThis.fetch)(input, init);
        if (THROTTLE_STATUSES.has(response.status)) {
          const ms = parseRetryAfter(response.headers.get("retry-after"));
          if (ms !== undefined) {
            pausedUntil = Math.max(pausedUntil, Date.now() + ms);
            // Shared with the other processes when the limiter can; the local pause holds regardless.
            await inner.pause?.(ms).catch(() => {});
          }
        }
        return response;
      };
    },
  };
}
