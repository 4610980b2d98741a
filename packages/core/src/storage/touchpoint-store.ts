import type { Touchpoint } from "../model/touchpoint.js";

/** A time range over epoch milliseconds; both ends inclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Stores touchpoints and answers the attribution engine's range queries. */
export interface TouchpointStore {
  /** Stores touchpoints; idempotent by `id` (a touchpoint already stored is left as it is). */
  addTouchpoints(touchpoints: readonly Touchpoint[]): Promise<void>;
  /** One touchpoint by id, or `null`. */
  getTouchpoint(id: string): Promise<Touchpoint | null>;
  /**
   * Touchpoints of any of `anonymousIds` with `from <= occurredAt <= to`, ordered by `occurredAt`, then
   * `id` in code-point order (the byte order of UTF-8: `"B" < "a"`). At most `limit`
   * (default 1000) rows, the earliest first. No ids → no rows.
   */
  listTouchpoints(query: {
    anonymousIds: readonly string[];
    range: TimeRange;
    limit?: number;
  }): Promise<Touchpoint[]>;
}
