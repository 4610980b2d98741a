/**
 * Retry delays: exponential backoff with "equal jitter" (half the delay fixed, half random), capped,
 * and never shorter than what the vendor asked for (`Retry-After` → `retryAfterMs`). Pure: the random
 * source is passed in.
 *
 * @module
 */

/** How retries are spaced. */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseDelayMs: number;
  /** Largest delay computed from the attempt count (a vendor's `retryAfterMs` may exceed it). */
  maxDelayMs: number;
}

/**
 * The delay before retrying after `attempts` attempts (1 after the first failure):
 * `d = min(max, base × 2^(attempts−1))`, then `d/2 + random × d/2`, and at least `retryAfterMs`.
 */
export function retryDelay(
  policy: BackoffPolicy,
  attempts: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 40));
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.round(capped / 2 + Math.min(Math.max(random(), 0), 1) * (capped / 2));
  return Math.max(jittered, retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0);
}
