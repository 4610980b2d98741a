import type { ReceiptStore } from "@revtrace/core";
import type { PgPoolLike } from "./pg-types.js";

/** Receipts keyed by their primary key: `INSERT … ON CONFLICT DO NOTHING` lets exactly one claim win. */
export function createPostgresReceiptStore(pool: PgPoolLike, schema: string): ReceiptStore {
  const table = `${schema}.receipts`;
  return {
    async claimReceipt(receipt) {
      const result = await pool.query(
        `INSERT INTO ${table} (key, type, received_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
        [receipt.key, receipt.type, receipt.receivedAt],
      );
      return result.rowCount === 1;
    },
    async getReceipt(key) {
      const { rows } = await pool.query(
        `SELECT key, type, received_at FROM ${table} WHERE key = $1`,
        [key],
      );
      const row = rows[0];
      return row
        ? { key: row.key as string, type: row.type as string, receivedAt: Number(row.received_at) }
        : null;
    },
  };
}
