import { storageJson, type Touchpoint, type TouchpointStore } from "@revtrace/core";
import type { PgPoolLike } from "./pg-types.js";

const DEFAULT_LIMIT = 1000;

/** Touchpoints as JSON, indexed by (visitor, time, id) for the range queries. */
export function createPostgresTouchpointStore(pool: PgPoolLike, schema: string): TouchpointStore {
  const table = `${schema}.touchpoints`;
  return {
    async addTouchpoints(touchpoints) {
      if (touchpoints.length === 0) return;
      // Serialized before anything is sent: a value JSON cannot hold is invalid input (400).
      const data = touchpoints.map((tp, i) => storageJson(tp, `touchpoints.${i}`));
      // One statement for the whole batch: arrays unnested in order; a repeated id keeps the first.
      await pool.query(
        `INSERT INTO ${table} (id, anonymous_id, occurred_at, data)
         SELECT id, anonymous_id, occurred_at, data::json
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY
           AS t(id, anonymous_id, occurred_at, data, n)
         ORDER BY n
         ON CONFLICT (id) DO NOTHING`,
        [
          touchpoints.map((tp) => tp.id),
          touchpoints.map((tp) => tp.anonymousId),
          touchpoints.map((tp) => tp.occurredAt),
          data,
        ],
      );
    },
    async getTouchpoint(id) {
      const { rows } = await pool.query(`SELECT data FROM ${table} WHERE id = $1`, [id]);
      return rows[0] ? (rows[0].data as Touchpoint) : null;
    },
    async listTouchpoints({ anonymousIds, range, limit = DEFAULT_LIMIT }) {
      if (anonymousIds.length === 0) return [];
      const { rows } = await pool.query(
        `SELECT data FROM ${table}
         WHERE anonymous_id = ANY($1::text[]) AND occurred_at BETWEEN $2 AND $3
         ORDER BY occurred_at, id LIMIT $4`,
        [anonymousIds, range.from, range.to, limit],
      );
      return rows.map((row) => row.data as Touchpoint);
    },
  };
}
