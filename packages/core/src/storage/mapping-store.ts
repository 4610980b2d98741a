/**
 * A small durable key → value map, in namespaces, for consumers that must remember ids a vendor cannot
 * look up for them (Kiflo has no search by email or custom property, so its sink keeps
 * `chargebee customer id → kiflo customer id` itself), and for claims that several processes race
 * for. Values are opaque strings (JSON when they have structure); the store never interprets them.
 *
 * @module
 */

/** Namespaced key → value mappings with atomic conditional writes. */
export interface MappingStore {
  /** The value of `key` in `namespace`, or `null`. */
  getMapping(namespace: string, key: string): Promise<string | null>;
  /**
   * Stores `value` when `key` has none (atomically). Returns `true` when it was stored, `false` when a
   * value already existed (which is left unchanged): of concurrent calls for one key, exactly one wins.
   */
  putMappingIfAbsent(namespace: string, key: string, value: string): Promise<boolean>;
  /**
   * Replaces the value of `key` with `value` only when it is currently `expected` (compare-and-set).
   * Returns `true` when replaced; `false` when the key is absent or holds something else.
   */
  replaceMapping(namespace: string, key: string, expected: string, value: string): Promise<boolean>;
  /** Stores `value` for `key`, whatever was there. */
  putMapping(namespace: string, key: string, value: string): Promise<void>;
  /** Removes `key`; `true` when it had a value. */
  deleteMapping(namespace: string, key: string): Promise<boolean>;
}

/** The methods of a {@link MappingStore}. */
const MAPPING_METHODS = [
  "getMapping",
  "putMappingIfAbsent",
  "replaceMapping",
  "putMapping",
  "deleteMapping",
] as const;

/**
 * True when `value` has every method of a {@link MappingStore} (any revtrace `Storage` has them): the
 * check options schemas run on a sink's `store` option.
 */
export function isMappingStore(value: unknown): value is MappingStore {
  return (
    typeof value === "object" &&
    value !== null &&
    MAPPING_METHODS.every((m) => typeof (value as Record<string, unknown>)[m] === "function")
  );
}
