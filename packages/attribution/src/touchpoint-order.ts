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

/** A non-empty string id and a safe integer time >= 0 (`Number.isSafeInteger(t) && t >= 0`). */
function isValid(touchpoint: Touchpoint): boolean {
  const { id, occurredAt } = touchpoint;
  return (
    typeof id === "string" &&
    id.length > 0 &&
    typeof occurredAt === "number" &&
    occurredAt >= 0 &&
    occurredAt <= Number.MAX_SAFE_INTEGER &&
    Math.floor(occurredAt) === occurredAt
  );
}

/** The touchpoints a conversion can credit, and those left out before any model runs. */
export interface PreparedTouchpoints {
  /** Valid, distinct, not after the conversion, in time order. */
  valid: Touchpoint[];
  /**
   * `valid` is sorted by time. Only a touchpoint whose time is not a number (it is junk) can make
   * {@link compareTouchpoints} inconsistent and leave `valid` partly unordered.
   */
  ordered: boolean;
  /** Left out, in time order. */
  excluded: ExcludedTouchpoint[];
}

const NONE: ExcludedTouchpoint[] = [];

function exclude(touchpoint: Touchpoint, reason: ExclusionReason): ExcludedTouchpoint {
  return { touchpointId: String(touchpoint.id), occurredAt: touchpoint.occurredAt, reason };
}

/** Longest list the fast path sorts (by insertion); longer ones take the general path. */
const FAST_MAX = 24;
/** Sort keys of the fast path; taken while in use, so a re-entrant call gets its own. */
let scratch: Float64Array | null = new Float64Array(FAST_MAX);

/**
 * The usual case in one pass over the input: no `isJunk`, every touchpoint valid and not after the
 * conversion. Each time is read once into `keys`, the copy is insertion-sorted on them (equal times
 * fall back to {@link compareTouchpoints}, so the order is the same), and the result is checked for
 * duplicates. `null` when any of that does not hold: the general path decides.
 */
function prepareClean(
  conversionAt: number,
  touchpoints: readonly Touchpoint[],
  keys: Float64Array,
): Touchpoint[] | null {
  const n = touchpoints.length;
  for (let i = 0; i < n; i++) {
    const touchpoint = touchpoints[i] as Touchpoint;
    if (!isValid(touchpoint) || touchpoint.occurredAt > conversionAt) return null;
    keys[i] = touchpoint.occurredAt;
  }
  const list = touchpoints.slice();
  let ties = false;
  for (let i = 1; i < n; i++) {
    const item = list[i] as Touchpoint;
    const time = keys[i] as number;
    let j = i - 1;
    for (; j >= 0; j--) {
      const other = keys[j] as number;
      if (other < time) break;
      if (other === time) {
        ties = true;
        if (compareTouchpoints(list[j] as Touchpoint, item) <= 0) break;
      }
      list[j + 1] = list[j] as Touchpoint;
      keys[j + 1] = other;
    }
    list[j + 1] = item;
    keys[j + 1] = time;
  }
  if (ties) {
    for (let i = 1; i < n; i++) {
      if (keys[i] === keys[i - 1] && (list[i] as Touchpoint).id === (list[i - 1] as Touchpoint).id)
        return null;
    }
  }
  return list;
}

/** Sorts and filters `touchpoints` for a conversion at `conversionAt`. Does not modify the input. */
export function prepareTouchpoints(
  conversionAt: number,
  touchpoints: readonly Touchpoint[],
  isJunk: ((touchpoint: Touchpoint) => boolean) | undefined,
): PreparedTouchpoints {
  if (isJunk === undefined && touchpoints.length <= FAST_MAX) {
    const keys = scratch ?? new Float64Array(FAST_MAX);
    scratch = null;
    let clean: Touchpoint[] | null;
    try {
      clean = prepareClean(conversionAt, touchpoints, keys);
    } finally {
      scratch = keys;
    }
    if (clean !== null) return { valid: clean, ordered: true, excluded: NONE };
  }
  const sorted = sortTouchpoints(touchpoints.slice());
  // `valid` stays the sorted array itself until the first exclusion (the usual case has none).
  let valid = sorted;
  let excluded = NONE;
  let previous: Touchpoint | undefined;
  let ordered = true;
  for (let i = 0; i < sorted.length; i++) {
    const touchpoint = sorted[i] as Touchpoint;
    if (typeof touchpoint.occurredAt !== "number") ordered = false;
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
  return { valid, ordered, excluded };
}
