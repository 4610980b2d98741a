import type { ResourceVersionStore } from "@revtrace/core";
import type { PgPoolLike } from "./pg-types.js";

/**
 * Last applied `resource_version` per resource; an upsert that only moves forward. An equal version
 * updates the row to the same value, so it counts as applied (only an older one is stale).
 */
export function createPostgresResourceVersionStore(
  pool: PgPoolLike,
  schema: string,
): ResourceVersionStore {
  const table = `${schema}.resource_versions`;
  return {
    async getResourceVersion(type, id) {
      const { rows } = await pool.query(
        `SELECT version FROM ${table} WHERE resource_type = $1 AND resource_id = $2`,
        [type, id],
      );
      return rows[0] ? Number(rows[0].version) : null;
    },
    async advanceResourceVersion(type, id, version) {
      // The conflicting row is locked and its version re-read, so concurrent advances end at the max.
      const result = await pool.query(
        `INSERT INTO ${table} AS current (resource_type, resource_id, version) VALUES ($1, $2, $3)
         ON CONFLICT (resource_type, resource_id) DO UPDATE SET version = excluded.version
         WHERE excluded.version >= current.version`,
        [type, id, version],
      );
      return result.rowCount === 1;
    },
  };
}
