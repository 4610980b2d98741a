import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecentMap } from "./recent-map.js";

describe("createRecentMap", () => {
  it("keeps what was set, reads and deletes it", () => {
    const map = createRecentMap<string, number>(10);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).toBe(1);
    expect(map.get("c")).toBeUndefined();
    expect(map.size).toBe(2);
    expect(map.delete("a")).toBe(true);
    expect(map.delete("a")).toBe(false);
    expect(map.get("a")).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it("replaces a value in either generation without counting the key twice", () => {
    const map = createRecentMap<string, number>(4);
    map.set("a", 1);
    map.set("b", 2); // rotates: a, b are the previous generation
    map.set("a", 3);
    expect(map.get("a")).toBe(3);
    expect(map.size).toBe(2);
  });

  it("keeps nothing at capacity 0 and one entry at capacity 1", () => {
    const none = createRecentMap<string, number>(0);
    none.set("a", 1);
    expect(none.get("a")).toBeUndefined();
    expect(none.size).toBe(0);
    const one = createRecentMap<string, number>(1);
    one.set("a", 1);
    one.set("b", 2);
    expect(one.get("a")).toBeUndefined();
    expect(one.get("b")).toBe(2);
    expect(one.size).toBe(1);
  });

  it("refuses a capacity that is not a non-negative integer", () => {
    expect(() => createRecentMap(-1)).toThrow(RangeError);
    expect(() => createRecentMap(1.5)).toThrow(RangeError);
    expect(() => createRecentMap(Number.NaN)).toThrow(RangeError);
  });

  it("a read keeps an old entry that would have been dropped", () => {
    const fill = (read: boolean) => {
      const map = createRecentMap<number, number>(4);
      map.set(0, 0);
      map.set(1, 1); // [0, 1] becomes the previous generation
      map.set(2, 2);
      if (read) map.get(0); // 0 joins the current generation [2, 0]
      map.set(3, 3); // without the read: [2, 3] rotates and 0 goes with [0, 1]
      return map;
    };
    expect(fill(false).get(0)).toBeUndefined();
    expect(fill(true).get(0)).toBe(0);
    expect(fill(true).get(1)).toBeUndefined();
  });

  it("against a model: never over capacity, never stale, the last ceil(capacity / 2) used kept", () => {
    type Op = { kind: "set" | "get" | "delete"; key: number; value: number };
    const op = fc.record({
      kind: fc.constantFrom("set", "get", "delete") as fc.Arbitrary<Op["kind"]>,
      key: fc.integer({ min: 0, max: 30 }),
      value: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(op, { maxLength: 300 }),
        (capacity, ops) => {
          const map = createRecentMap<number, number>(capacity);
          const values = new Map<number, number>(); // the last value set of every key not deleted
          let recent: number[] = []; // keys by last use (set, or a get that found them), oldest first
          const use = (key: number) => {
            recent = [...recent.filter((k) => k !== key), key];
          };
          const mustKeep = () => recent.slice(-Math.ceil(capacity / 2));
          for (const { kind, key, value } of ops) {
            if (kind === "set") {
              map.set(key, value);
              values.set(key, value);
              if (capacity > 0) use(key);
            } else if (kind === "delete") {
              const kept = mustKeep().includes(key);
              const deleted = map.delete(key);
              if (kept) expect(deleted).toBe(true);
              if (!values.has(key)) expect(deleted).toBe(false);
              values.delete(key);
              recent = recent.filter((k) => k !== key);
            } else {
              const got = map.get(key);
              if (mustKeep().includes(key)) expect(got).toBe(values.get(key));
              if (got === undefined) {
                recent = recent.filter((k) => k !== key);
              } else {
                expect(got).toBe(values.get(key));
                use(key);
              }
            }
            expect(map.size).toBeLessThanOrEqual(capacity);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
