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
