import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortSmall, uniqueSmall } from "./small-arrays.js";

describe("sortSmall and uniqueSmall", () => {
  it("sort exactly like Array#sort, stably, at every size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 5 }), n: fc.nat() }), { maxLength: 40 }),
        (items) => {
          const byK = (a: { k: number }, b: { k: number }) => a.k - b.k;
          const copy = items.slice();
          expect(sortSmall(copy, byK)).toBe(copy);
          expect(copy).toEqual(items.slice().sort(byK));
        },
      ),
    );
  });

  it("keep the first of each item, in order, at every size", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 40 }), (items) => {
        expect(uniqueSmall(items)).toEqual([...new Set(items)]);
      }),
    );
  });
});
