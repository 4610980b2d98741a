import type { MappingStore } from "@revtrace/core";

/** Namespaced key → value mappings in a `Map` (strings are immutable: no copies needed). */
export function createMemoryMappingStore(): MappingStore {
  const values = new Map<string, string>();
  const keyOf = (namespace: string, key: string) => `${namespace}\u0000${key}`;
  return {
    async getMapping(namespace, key) {
      return values.get(keyOf(namespace, key)) ?? null;
    },
    async putMappingIfAbsent(namespace, key, value) {
      const k = keyOf(namespace, key);
      if (values.has(k)) return false;
      values.set(k, value);
      return true;
    },
    async replaceMapping(namespace, key, expected, value) {
      const k = keyOf(namespace, key);
      if (values.get(k) !== expected) return false;
      values.set(k, value);
      return true;
    },
    async putMapping(namespace, key, value) {
      values.set(keyOf(namespace, key), value);
    },
    async deleteMapping(namespace, key) {
      return values.delete(keyOf(namespace, key));
    },
  };
}
