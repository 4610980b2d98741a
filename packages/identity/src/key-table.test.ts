import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyTable } from "./key-table.js";

describe("KeyTable", () => {
  it("numbers keys 0, 1, 2, … in order of first sight, by kind and value", () => {
    const table = new KeyTable(2);
    expect(table.intern(1, "a")).toBe(0);
    expect(table.intern(4, "a")).toBe(1); // same value, other kind: another key
    expect(table.intern(1, "b")).toBe(2);
    expect(table.intern(1, "a")).toBe(0);
    expect(table.size).toBe(3);
    expect([...table.kinds.subarray(0, 3)]).toEqual([1, 4, 1]);
    expect(table.values).toEqual(["a", "a", "b"]);
    expect(table.find(4, "a")).toBe(1);
    expect(table.find(4, "b")).toBe(-1);
    expect(table.find(0, "a")).toBe(-1);
  });

  it("finds every key again after growing far past its expected size", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.string({ maxLength: 6 })), {
          maxLength: 400,
        }),
        (keys) => {
          const table = new KeyTable(1);
          const ids = new Map<string, number>();
          for (const [kind, value] of keys) {
            const id = ids.get(`${kind}:${value}`) ?? ids.size;
            ids.set(`${kind}:${value}`, id);
            expect(table.intern(kind, value)).toBe(id);
          }
          expect(table.size).toBe(ids.size);
          for (const [kind, value] of keys) {
            const id = table.find(kind, value);
            expect(id).toBe(ids.get(`${kind}:${value}`));
            expect(table.kinds[id]).toBe(kind);
            expect(table.values[id]).toBe(value);
          }
        },
      ),
    );
  });
});
