import { storageJson } from "@revtrace/core";

/**
 * What storing `value` as JSON and reading it back gives, as the durable engines store records: the
 * same values come back, and the same values (a BigInt, a cycle) are refused, with a
 * `StorageInputError` naming `path` (an invalid-input `StorageError` once through the guard).
 */
export const jsonCopy = <T>(value: T, path: string): T => JSON.parse(storageJson(value, path)) as T;
