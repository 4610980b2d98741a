/**
 * The one pass every model shares: drop junk, duplicates and touchpoints after the conversion, and put
 * the rest in a total order (time, then id) so results never depend on the input order.
 *
 * @module
 */
import type { Touchpoint } from "@revtrace/core";
import type { ExcludedTouchpoint, ExclusionReason } from "./attribution-result.js";

/**
 * Total order of touchpoints: `occurredAt`, then `id`, then (only for two different objects with the
 * same time and id) their JSON text. Invalid timestamps sort first.
 */
export function compareTouchpoints(a: Touchpoint, b: Touchpoint): number {
  const ta = a.occurredAt;
  const tb = b.occurredAt;
  if (ta < tb) return -1;
  if (ta > tb) return 1;
  if (ta !== tb) {
    // At least one is NaN.
    const na = Number.isNaN(ta);
    if (na !== Number.isNaN(tb)) return na ? -1 : 1;
  }
  if (a.id < b.id) return -1;
  if (a.id > b.id) return 1;
  if (a === b) return 0;
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** Sorts in place by {@link compareTouchpoints} (insertion sort for the usual short paths). */
export function sortTouchpoints(list: Touchpoint[]): Touchpoint[] {
  const n = list.length;
  if (n > 24) return list.sort(compareTouchpoints);
  for (let i = 1; i < n; i++) {
    const item = list[i] as Touchpoint;
    let j = i - 1;
    while (j >= 0 && compareTouchpoints(list[j] as Touchpoint, item) > 0) {
      list[j + 1] = list[j] as Touchpoint;
      j--;
    }
    list[j + 1] = item;
  }
  return list;
}

function isValid(touchpoint: Touchpoint): boolean {
  return (
    typeof touchpoint.id === "string" &&
    touchpoint.id.length > 0 &&
    Number.isSafeInteger(touchpoint.occurredAt) &&
    touchpoint.occurredAt >= 0
  );
}

/** The touchpoints a conversion can credit, and those left out before any model runs. */
export interface PreparedTouchpoints {
  /** Valid, distinct, not after the conversion, in time order. */
  valid: Touchpoint[];
  /** Left out, in time order. */
  excluded: ExcludedTouchpoint[];
}

const NONE: ExcludedTouchpoint[] = [];

function exclude(touchpoint: Touchpoint, reason: ExclusionReason): ExcludedTouchpoint {
  return { touchpointId: String(touchpoint.id), occurredAt: touchpoint.occurredAt, reason };
}

/** Sorts and filters `touchpoints` for a conversion at `conversionAt`. Does not modify the input. */
export function prepareTouchpoints(
  conversionAt: number,
  touchpoints: readonly Touchpoint[],
  isJunk: ((touchpoint: Touchpoint) => boolean) | undefined,
): PreparedTouchpoints {
  const sorted = sortTouchpoints(touchpoints.slice());
  // `valid` stays the sorted array itself until the first exclusion (the usual case has none).
  let valid = sorted;
  let excluded = NONE;
  let previous: Touchpoint | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const touchpoint = sorted[i] as Touchpoint;
    let reason: ExclusionReason | null = null;
    if (!isValid(touchpoint) || isJunk?.(touchpoint) === true) reason = "junk";
    else if (touchpoint.occurredAt > conversionAt) reason = "after_conversion";
    // Sorted by time then id, so a repeated touchpoint (same id and time) follows the one kept.
    else if (
      previous !== undefined &&
      previous.occurredAt === touchpoint.occurredAt &&
      previous.id === touchpoint.id
    ) {
      reason = "duplicate";
    }
    if (reason === null) {
      if (valid !== sorted) valid.push(touchpoint);
      previous = touchpoint;
    } else {
      if (valid === sorted) valid = sorted.slice(0, i);
      if (excluded === NONE) excluded = [];
      excluded.push(exclude(touchpoint, reason));
    }
  }
  return { valid, excluded };
}
