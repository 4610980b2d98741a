/**
 * The one pass every model shares: drop junk, duplicates and touchpoints after the conversion, and put
 * the rest in a total order (time, then id) so results never depend on the input order.
 *
 * @module
 */
import { sortSmall, type Touchpoint } from "@revtrace/core";
import type { ExcludedTouchpoint, ExclusionReason } from "./attribution-result.js";

/**
 * Total order of valid touchpoints (see {@link isValid}): `occurredAt`, then `id`, then (only for two
 * different objects with the same time and id) their JSON text.
 */
export function compareTouchpoints(a: Touchpoint, b: Touchpoint): number {
  const ta = a.occurredAt;
  const tb = b.occurredAt;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.id < b.id) return -1;
  if (a.id > b.id) return 1;
  if (a === b) return 0;
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/** Sorts in place by {@link compareTouchpoints} (insertion sort for the usual short paths). */
export function sortTouchpoints(list: Touchpoint[]): Touchpoint[] {
  return sortSmall(list, compareTouchpoints);
}

/** A safe integer time >= 0 (epoch ms). */
function isValidTime(time: unknown): time is number {
  return typeof time === "number" && Number.isSafeInteger(time) && time >= 0;
}

/** A non-empty string id and a valid time; anything else is junk. */
function isValid(touchpoint: Touchpoint): boolean {
  const { id } = touchpoint;
  return typeof id === "string" && id.length > 0 && isValidTime(touchpoint.occurredAt);
}

/** Sort key of a junk time (`undefined`, `NaN`, a string, ...): its type, then its text. */
function junkTimeKey(time: unknown): string {
  return `${typeof time}:${typeof time === "object" ? JSON.stringify(time) : String(time)}`;
}

/**
 * Total order of left-out touchpoints: those with an invalid time first (by id, then type and text of
 * the time), then by time, id and reason.
 */
export function compareExcluded(a: ExcludedTouchpoint, b: ExcludedTouchpoint): number {
  const va = isValidTime(a.occurredAt);
  if (va !== isValidTime(b.occurredAt)) return va ? 1 : -1;
  if (va && a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  if (a.touchpointId !== b.touchpointId) return a.touchpointId < b.touchpointId ? -1 : 1;
  if (!va) {
    const ka = junkTimeKey(a.occurredAt);
    const kb = junkTimeKey(b.occurredAt);
    if (ka !== kb) return ka < kb ? -1 : 1;
  }
  return a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0;
}

/** The touchpoints a conversion can credit, and those left out before any model runs. */
export interface PreparedTouchpoints {
  /** Valid, distinct, not after the conversion, in time order ({@link compareTouchpoints}). */
  valid: Touchpoint[];
  /** Left out, in {@link compareExcluded} order. */
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
    if (clean !== null) return { valid: clean, excluded: NONE };
  }
  // Invalid touchpoints are set aside before sorting: their times do not compare.
  const sorted: Touchpoint[] = [];
  let excluded = NONE;
  for (const touchpoint of touchpoints) {
    if (isValid(touchpoint)) sorted.push(touchpoint);
    else {
      if (excluded === NONE) excluded = [];
      excluded.push(exclude(touchpoint, "junk"));
    }
  }
  sortTouchpoints(sorted);
  // `valid` stays the sorted array itself until the first exclusion (the usual case has none).
  let valid = sorted;
  let previous: Touchpoint | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const touchpoint = sorted[i] as Touchpoint;
    let reason: ExclusionReason | null = null;
    if (isJunk?.(touchpoint) === true) reason = "junk";
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
  if (excluded.length > 1) excluded.sort(compareExcluded);
  return { valid, excluded };
}
