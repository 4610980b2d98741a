import type { MappingStore } from "@revtrace/core";
import type { PgPoolLike } from "./pg-types.js";

/** Namespaced key → value mappings; conditional writes are single statements (atomic). */
export function createPostgresMappingStore(pool: PgPoolLike, schema: string): MappingStore {
  const table = `${schema}.mappings`;
  return {
    async getMapping(namespace, key) {
      const { rows } = await pool.query(
        `SELECT value FROM ${table} WHERE namespace = $1 AND key = $2`,
        [namespace, key],
      );
      return rows[0] ? String(rows[0].value) : null;
    },
    async putMappingIfAbsent(namespace, key, value) {
      const result = await pool.query(
        `INSERT INTO ${table} (namespace, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [namespace, key, value],
      );
      return result.rowCount === 1;
    },
    async replaceMapping(namespace, key, expected, value) {
      // The row is locked by the UPDATE and re-checked, so of concurrent replaces one wins.
      const result = await pool.query(
        `UPDATE ${table} SET value = $3 WHERE namespace = $1 AND key = $2 AND value = $4`,
        [namespace, key, value, expected],
      );
      return result.rowCount === 1;
    },
    async putMapping(namespace, key, value) {
      await pool.query(
        `INSERT INTO ${table} (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        [namespace, key, value],
      );
    },
    async deleteMapping(namespace, key) {
      const result = await pool.query(`DELETE FROM ${table} WHERE namespace = $1 AND key = $2`, [
        namespace,
        key,
      ]);
      return result.rowCount === 1;
    },
  };
}
