/**
 * The injectable clock. Every component that needs "now" takes one, so tests and replays are
 * deterministic.
 *
 * @module
 */

/** Returns the current time in epoch milliseconds. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();

/**
 * Waits `ms` milliseconds; rejects with `signal.reason` as soon as `signal` aborts (at once when it
 * already has). For retry waits and rate-limit pauses that a shutdown must be able to cut short.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
