/**
 * @revtrace/storage-memory: every revtrace storage interface in process memory.
 *
 * @module
 */
export { createMemoryStorage } from "./memory-storage.js";
