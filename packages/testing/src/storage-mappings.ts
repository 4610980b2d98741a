/**
 * The `MappingStore` part of the storage conformance suite, registered by `runStorageConformance`:
 * namespaced get / put / put-if-absent / compare-and-set / delete, exactly one winner among racing
 * conditional writes (on one connection and, when the engine can open a second one, across two), and
 * the shared input rules.
 *
 * @module
 */
import { type Storage, StorageError } from "@revtrace/core";
import { describe, expect, it } from "vitest";

/** What the mapping cases need from the suite that registers them. */
export interface MappingConformanceContext {
  /** A fresh, migrated storage (closed by the suite). */
  open(): Promise<Storage>;
  /** Two storages on one database (only called from `crossConnection` tests). */
  openPair(): Promise<[Storage, Storage]>;
  /** Registers a test that needs two connections, only when the engine can open them. */
  crossConnection(title: string, fn: () => Promise<void>): void;
  /** How many calls race in the concurrency tests. */
  concurrency: number;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** Registers the mapping cases (a vitest `describe` block) inside `runStorageConformance`. */
export function describeMappingConformance(context: MappingConformanceContext): void {
  const { open, openPair, crossConnection, concurrency } = context;

  describe("mappings", () => {
    it("returns null for an unknown key and keeps namespaces apart", async () => {
      const s = await open();
      expect(await s.getMapping("kiflo.customer", "cus_1")).toBeNull();
      await s.putMapping("kiflo.customer", "cus_1", "42");
      expect(await s.getMapping("kiflo.customer", "cus_1")).toBe("42");
      expect(await s.getMapping("kiflo.lead", "cus_1")).toBeNull();
      expect(await s.getMapping("kiflo.customer", "cus_2")).toBeNull();
      // A separator inside a namespace or key never makes two pairs collide.
      await s.putMapping("a:b", "c", "first");
      await s.putMapping("a", "b:c", "second");
      expect(await s.getMapping("a:b", "c")).toBe("first");
      expect(await s.getMapping("a", "b:c")).toBe("second");
    });

    it("overwrites with putMapping and round-trips any storable text exactly", async () => {
      const s = await open();
      const value = JSON.stringify({ id: 7, note: "“quotes” ünïcödé 🚀", empty: "" });
      await s.putMapping("ns", "k", "old");
      await s.putMapping("ns", "k", value);
      expect(await s.getMapping("ns", "k")).toBe(value);
      await s.putMapping("ns", "", "");
      expect(await s.getMapping("ns", "")).toBe("");
      const long = "x".repeat(100_000);
      await s.putMapping("ns", "long", long);
      expect(await s.getMapping("ns", "long")).toBe(long);
    });

    it("stores with putMappingIfAbsent only when the key has no value", async () => {
      const s = await open();
      expect(await s.putMappingIfAbsent("ns", "k", "first")).toBe(true);
      expect(await s.putMappingIfAbsent("ns", "k", "second")).toBe(false);
      expect(await s.getMapping("ns", "k")).toBe("first");
      // An empty string is a value, not an absence.
      expect(await s.putMappingIfAbsent("ns", "empty", "")).toBe(true);
      expect(await s.putMappingIfAbsent("ns", "empty", "x")).toBe(false);
      expect(await s.getMapping("ns", "empty")).toBe("");
    });

    it("replaces only the expected value, never an absent key", async () => {
      const s = await open();
      expect(await s.replaceMapping("ns", "k", "a", "b")).toBe(false);
      expect(await s.getMapping("ns", "k")).toBeNull();
      await s.putMapping("ns", "k", "a");
      expect(await s.replaceMapping("ns", "k", "other", "b")).toBe(false);
      expect(await s.getMapping("ns", "k")).toBe("a");
      expect(await s.replaceMapping("ns", "k", "a", "b")).toBe(true);
      expect(await s.getMapping("ns", "k")).toBe("b");
      expect(await s.replaceMapping("ns", "k", "a", "c")).toBe(false);
      expect(await s.getMapping("ns", "k")).toBe("b");
      expect(await s.replaceMapping("ns", "k", "b", "b")).toBe(true);
    });

    it("deletes a key and says whether it had a value", async () => {
      const s = await open();
      await s.putMapping("ns", "k", "v");
      await s.putMapping("other", "k", "w");
      expect(await s.deleteMapping("ns", "k")).toBe(true);
      expect(await s.deleteMapping("ns", "k")).toBe(false);
      expect(await s.getMapping("ns", "k")).toBeNull();
      expect(await s.getMapping("other", "k")).toBe("w");
      expect(await s.putMappingIfAbsent("ns", "k", "again")).toBe(true);
    });

    it("refuses unstorable input with a StorageError and writes nothing", async () => {
      const s = await open();
      const invalid = [
        () => s.putMapping("ns", "k\u0000", "v"),
        () => s.putMapping("ns", "k", "\ud800"),
        () => s.putMappingIfAbsent("ns\u0000", "k", "v"),
        () => s.replaceMapping("ns", "k", "v", "\udc00"),
        () => s.getMapping("ns", 7 as unknown as string),
        () => s.deleteMapping(undefined as unknown as string, "k"),
      ];
      for (const call of invalid) {
        const error = await rejection(call());
        expect(StorageError.isInstance(error)).toBe(true);
        expect((error as StorageError).invalidInput).toBe(true);
        expect((error as Error).message).not.toContain("\u0000");
      }
      expect(await s.getMapping("ns", "k")).toBeNull();
    });

    const ifAbsentRace = async (storages: readonly Storage[]) => {
      const results = await Promise.all(
        range(concurrency).map((i) =>
          (storages[i % storages.length] as Storage).putMappingIfAbsent("race", "k", `v${i}`),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await (storages[0] as Storage).getMapping("race", "k")).toBe(`v${winner}`);
    };

    const replaceRace = async (storages: readonly Storage[]) => {
      await (storages[0] as Storage).putMapping("race", "cas", "start");
      const results = await Promise.all(
        range(concurrency).map((i) =>
          (storages[i % storages.length] as Storage).replaceMapping(
            "race",
            "cas",
            "start",
            `v${i}`,
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await (storages[0] as Storage).getMapping("race", "cas")).toBe(`v${winner}`);
    };

    it("has exactly one winner among concurrent putMappingIfAbsent calls", async () => {
      await ifAbsentRace([await open()]);
    });

    it("has exactly one winner among concurrent replaceMapping calls", async () => {
      await replaceRace([await open()]);
    });

    crossConnection("has one putMappingIfAbsent winner across two connections", async () => {
      await ifAbsentRace(await openPair());
    });

    crossConnection("has one replaceMapping winner across two connections", async () => {
      await replaceRace(await openPair());
    });
  });
}
