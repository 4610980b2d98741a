/**
 * Sorting and de-duplicating a few items (an identity link's keys, an attribution path's touchpoints)
 * without the allocations of the general tools: V8's `Array#sort` allocates its TimSort state on
 * every call (about 400 bytes, measured with the sampling heap profiler), and `[...new Set(items)]` a
 * set and an iterator. Hot paths make several such calls; at 80 k identity links a second those
 * bytes are garbage the collector pays for.
 *
 * @module
 */

/** Up to this many items, the insertion sort; above it, `Array#sort`. */
const SMALL = 24;

/** Sorts `items` in place by `compare` (stable, like `Array#sort`) and returns it. */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SMALL) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as T;
    let j = i - 1;
    while (j >= 0 && compare(items[j] as T, item) > 0) {
      items[j + 1] = items[j] as T;
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

/** The distinct items of `items`, in first-seen order (`[...new Set(items)]`). */
export function uniqueSmall<T>(items: readonly T[]): T[] {
  if (items.length > SMALL) return [...new Set(items)];
  const out: T[] = [];
  for (const item of items) if (!out.includes(item)) out.push(item);
  return out;
}
