/**
 * @revtrace/storage-sqlite: every revtrace storage interface on an embedded SQLite database, through
 * Node's built-in `node:sqlite`. The default engine: one file, no server, no native addon.
 *
 * @module
 */
export {
  MIGRATIONS_DIR,
  readSqliteMigrations,
  type SqliteMigration,
} from "./sqlite-migrations.js";
export {
  type ResolvedSqliteStorageOptions,
  type SqliteStorageOptions,
  SqliteStorageOptionsSchema,
} from "./sqlite-options.js";
export { createSqliteStorage } from "./sqlite-storage.js";
