import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonByteLength, splitBatches } from "./split-batches.js";

describe("splitBatches", () => {
  it("cuts by count, in order", () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    expect(splitBatches(items, { maxItems: 3 })).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(splitBatches([], { maxItems: 3 })).toEqual([]);
  });

  it("cuts by body bytes: overhead + items + one separator between two items", () => {
    const size = (item: string) => item.length;
    // overhead 10; "aaaa" (4) + "," + "bbbb" (4) = 19 <= 20; + "," + "cc" = 22 > 20.
    expect(
      splitBatches(
        ["aaaa", "bbbb", "cc", "d"],
        { maxItems: 100, maxBytes: 20, overheadBytes: 10 },
        size,
      ),
    ).toEqual([
      ["aaaa", "bbbb"],
      ["cc", "d"],
    ]);
  });

  it("gives an item too large even alone a batch of its own", () => {
    const size = (item: string) => item.length;
    expect(splitBatches(["a", "x".repeat(50), "b"], { maxItems: 10, maxBytes: 20 }, size)).toEqual([
      ["a"],
      ["x".repeat(50)],
      ["b"],
    ]);
  });

  it("measures JSON in UTF-8 bytes", () => {
    expect(jsonByteLength({ a: "é" })).toBe(Buffer.byteLength(JSON.stringify({ a: "é" })));
    expect(jsonByteLength("abc")).toBe(5);
    expect(jsonByteLength(undefined)).toBe(0);
  });

  it("refuses limits that cannot work", () => {
    expect(() => splitBatches([1], { maxItems: 0 })).toThrow(RangeError);
    expect(() => splitBatches([1], { maxItems: 1.5 })).toThrow(RangeError);
    expect(() => splitBatches([1], { maxItems: 1, maxBytes: 0 })).toThrow(RangeError);
    expect(() => splitBatches([1], { maxItems: 1, overheadBytes: -1 })).toThrow(RangeError);
  });

  it("property: keeps every item once, in order, and each batch within the limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 30 }),
        (items, maxItems, maxBytes, overheadBytes) => {
          const batches = splitBatches(items, { maxItems, maxBytes, overheadBytes });
          expect(batches.flat()).toEqual(items);
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(maxItems);
            const bytes =
              overheadBytes +
              batch.reduce((sum, item) => sum + jsonByteLength(item), 0) +
              batch.length -
              1;
            if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
          }
          // Greedy: a batch ends only when the next item would break a limit.
          for (let i = 0; i + 1 < batches.length; i++) {
            const batch = batches[i] as string[];
            const next = (batches[i + 1] as string[])[0] as string;
            const bytes =
              overheadBytes +
              [...batch, next].reduce((sum, item) => sum + jsonByteLength(item), 0) +
              batch.length;
            expect(batch.length === maxItems || bytes > maxBytes).toBe(true);
          }
        },
      ),
    );
  });
});
