import { storageJson, type Touchpoint, type TouchpointStore } from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

const DEFAULT_LIMIT = 1000;

/** Touchpoints as JSON, indexed by (visitor, time, id) for the range queries. */
export function createSqliteTouchpointStore(connection: SqliteConnection): TouchpointStore {
  const { statement, write } = connection;
  return {
    addTouchpoints(touchpoints) {
      if (touchpoints.length === 0) return Promise.resolve();
      const data = touchpoints.map((tp, i) => storageJson(tp, `touchpoints.${i}`));
      return write(() => {
        const insert = statement(
          "INSERT INTO touchpoints (id, anonymous_id, occurred_at, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        );
        touchpoints.forEach((tp, i) => {
          insert.run(tp.id, tp.anonymousId, tp.occurredAt, data[i] as string);
        });
      });
    },
    async getTouchpoint(id) {
      const row = statement("SELECT data FROM touchpoints WHERE id = ?").get(id) as
        | { data: string }
        | undefined;
      return row ? (JSON.parse(row.data) as Touchpoint) : null;
    },
    async listTouchpoints({ anonymousIds, range, limit = DEFAULT_LIMIT }) {
      if (anonymousIds.length === 0) return [];
      // The ids travel as one JSON array parameter, so one prepared statement serves any count.
      const rows = statement(
        `SELECT data FROM touchpoints
         WHERE anonymous_id IN (SELECT value FROM json_each(?)) AND occurred_at BETWEEN ? AND ?
         ORDER BY occurred_at, id LIMIT ?`,
      ).all(JSON.stringify(anonymousIds), range.from, range.to, limit) as { data: string }[];
      return rows.map((row) => JSON.parse(row.data) as Touchpoint);
    },
  };
}
