import {
  type Commission,
  type LedgerStore,
  type StoredCommission,
  storageJson,
} from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

/** A stored entry: what JSON gives back for the entry, with its position. */
const stored = (data: string, seq: number): StoredCommission => ({
  ...(JSON.parse(data) as Commission),
  seq,
});

/**
 * The ledger in one append-only table (triggers refuse UPDATE and DELETE). `seq` is the rowid: with
 * rows never deleted and one writer at a time, it is gapless and in commit order. Each row keeps the
 * whole entry as JSON (read back as it was written, future fields included) beside columns for SQL
 * reporting.
 */
export function createSqliteLedgerStore(connection: SqliteConnection): LedgerStore {
  const { statement, write } = connection;
  return {
    appendCommissions(entries) {
      if (entries.length === 0) return Promise.resolve([]);
      const datas = entries.map((c, i) => storageJson(c, `entries.${i}`));
      return write(() => {
        const insert = statement(
          `INSERT INTO commissions (key, partner_id, program_id, kind, amount, currency, transaction_id,
             refund_transaction_id, subscription_id, customer_id, occurred_at, note, base_amount,
             base_currency, payable_at, payout_id, data)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO NOTHING RETURNING seq`,
        );
        const added: StoredCommission[] = [];
        for (const [i, c] of entries.entries()) {
          const data = datas[i] as string;
          const row = insert.get(
            c.key,
            c.partnerId,
            c.programId,
            c.kind,
            c.amount.amount,
            c.amount.currency,
            c.transactionId,
            c.refundTransactionId,
            c.subscriptionId,
            c.customerId,
            c.occurredAt,
            c.note,
            c.baseAmount?.amount ?? null,
            c.baseAmount?.currency ?? null,
            c.payableAt ?? null,
            c.payoutId ?? null,
            data,
          ) as { seq: number } | undefined;
          if (row) added.push(stored(data, row.seq));
        }
        return added;
      });
    },
    async listCommissions({ partnerId, afterSeq = 0, limit = -1 } = {}) {
      const rows = (
        partnerId === undefined
          ? statement("SELECT seq, data FROM commissions WHERE seq > ? ORDER BY seq LIMIT ?").all(
              afterSeq,
              limit,
            )
          : statement(
              "SELECT seq, data FROM commissions WHERE partner_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            ).all(partnerId, afterSeq, limit)
      ) as { seq: number; data: string }[];
      return rows.map((row) => stored(row.data, row.seq));
    },
    async getCommission(key) {
      const row = statement("SELECT seq, data FROM commissions WHERE key = ?").get(key) as
        | { seq: number; data: string }
        | undefined;
      return row ? stored(row.data, row.seq) : null;
    },
  };
}
