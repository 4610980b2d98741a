/**
 * The contract of a request-rate limiter shared by everything that talks to one rate-limited vendor
 * account (ActiveCampaign allows 5 requests a second per account, whatever the number of API keys or
 * processes). An HTTP client given a limiter acquires it before every attempt, retries included.
 * Implementations: in-process (a sink's default) or cross-process (`@revtrace/storage-postgres`'s
 * `createPostgresRateLimiter`).
 *
 * @module
 */

/** A rate: at most `limit` requests start in any window of `intervalMs` milliseconds. */
export interface RateLimit {
  /** Requests allowed per window (≥ 1). */
  readonly limit: number;
  /** The window, in milliseconds (≥ 1). */
  readonly intervalMs: number;
}

/** Paces request starts so that a {@link RateLimit} is never exceeded. */
export interface RateLimiter {
  /**
   * Resolves when one more request may start now, and counts it. Rejects with `signal.reason` when
   * the signal aborts while waiting (then nothing is counted, or the slot is simply left unused).
   */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * Holds every start for `ms` from now, in every process sharing this limiter: the vendor throttled
   * the whole account (a `Retry-After`). Optional: a limiter without it is paused only in the process
   * that saw the answer (its caller pauses itself); a cross-process limiter implements it, so the
   * other processes stop too. Never shortens a pause already running.
   */
  pause?(ms: number): Promise<void>;
  /** Releases what the limiter holds (timers, connections). Optional. */
  close?(): Promise<void>;
}
