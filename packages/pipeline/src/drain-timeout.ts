/**
 * What `drain()` rejects with when its deadline passes before everything was processed and
 * delivered (a destination down or slow, retries waiting): the items are still queued, not lost.
 *
 * @module
 */

/** `drain()` ran out of time; `undelivered` items were still waiting, in flight or retrying. */
export class DrainTimeoutError extends Error {
  override readonly name = "DrainTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly undelivered: number,
  ) {
    super(`drain timed out after ${timeoutMs} ms with ${undelivered} items undelivered`);
  }
}
