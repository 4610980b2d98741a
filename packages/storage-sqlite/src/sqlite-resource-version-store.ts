import type { ResourceVersionStore } from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

/**
 * Last applied `resource_version` per resource; an upsert that only moves forward. An equal version
 * updates the row to the same value, so it counts as applied (only an older one is stale).
 */
export function createSqliteResourceVersionStore(
  connection: SqliteConnection,
): ResourceVersionStore {
  const { statement, write } = connection;
  return {
    async getResourceVersion(type, id) {
      const row = statement(
        "SELECT version FROM resource_versions WHERE resource_type = ? AND resource_id = ?",
      ).get(type, id) as { version: number } | undefined;
      return row ? row.version : null;
    },
    advanceResourceVersion(type, id, version) {
      return write(
        () =>
          statement(
            `INSERT INTO resource_versions (resource_type, resource_id, version) VALUES (?, ?, ?)
             ON CONFLICT (resource_type, resource_id) DO UPDATE SET version = excluded.version
             WHERE excluded.version >= resource_versions.version`,
          ).run(type, id, version).changes === 1,
      );
    },
  };
}
