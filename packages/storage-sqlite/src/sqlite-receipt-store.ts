import type { Receipt, ReceiptStore } from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

interface ReceiptRow {
  key: string;
  type: string;
  received_at: number;
}

/** Receipts keyed by their primary key: `INSERT … ON CONFLICT DO NOTHING` lets the first claim win. */
export function createSqliteReceiptStore(connection: SqliteConnection): ReceiptStore {
  const { statement, write } = connection;
  return {
    claimReceipt(receipt: Receipt) {
      return write(
        () =>
          statement(
            "INSERT INTO receipts (key, type, received_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
          ).run(receipt.key, receipt.type, receipt.receivedAt).changes === 1,
      );
    },
    async getReceipt(key) {
      const row = statement("SELECT key, type, received_at FROM receipts WHERE key = ?").get(key) as
        | ReceiptRow
        | undefined;
      return row ? { key: row.key, type: row.type, receivedAt: row.received_at } : null;
    },
  };
}
