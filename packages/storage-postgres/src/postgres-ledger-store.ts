import {
  type Commission,
  type LedgerStore,
  type StoredCommission,
  storageJson,
} from "@revtrace/core";
import { inTransaction } from "./pg-transaction.js";
import type { PgPoolLike } from "./pg-types.js";

/** A stored entry: the JSON written for it (read back as written, future fields included), with its position. */
const toCommission = (row: Record<string, unknown>): StoredCommission => ({
  ...(row.data as Commission),
  seq: Number(row.seq),
});

/**
 * The ledger in one append-only table (a trigger refuses UPDATE, DELETE and TRUNCATE). Appends take a
 * SHARE ROW EXCLUSIVE lock on the table: appenders queue (readers do not), so `seq` is assigned as
 * max + 1, gapless, and entries commit in `seq` order.
 */
export function createPostgresLedgerStore(pool: PgPoolLike, schema: string): LedgerStore {
  const table = `${schema}.commissions`;
  return {
    async appendCommissions(entries) {
      if (entries.length === 0) return [];
      // Serialized before the transaction: an entry JSON cannot hold fails without taking the lock.
      const datas = entries.map((c, i) => storageJson(c, `entries.${i}`));
      return inTransaction(pool, async (client) => {
        await client.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
        const keys = entries.map((c) => c.key);
        const existing = await client.query(
          `SELECT key FROM ${table} WHERE key = ANY($1::text[])`,
          [keys],
        );
        const seen = new Set(existing.rows.map((row) => row.key as string));
        const fresh: Commission[] = [];
        const json: string[] = [];
        for (const [i, c] of entries.entries()) {
          if (seen.has(c.key)) continue;
          seen.add(c.key);
          fresh.push(c);
          json.push(datas[i] as string);
        }
        if (fresh.length === 0) return [];
        const last = await client.query(`SELECT coalesce(max(seq), 0) AS seq FROM ${table}`);
        const first = Number(last.rows[0]?.seq) + 1;
        // What a read gives back (JSON: Dates as strings, no undefined fields), as on every engine.
        const added = fresh.map(
          (_, i): StoredCommission => ({
            ...(JSON.parse(json[i] as string) as Commission),
            seq: first + i,
          }),
        );
        const column = <T>(pick: (c: StoredCommission) => T) => added.map(pick);
        await client.query(
          `INSERT INTO ${table} (seq, key, partner_id, program_id, kind, amount, currency, transaction_id,
             refund_transaction_id, subscription_id, customer_id, occurred_at, note, base_amount, base_currency,
             payable_at, payout_id, data)
           SELECT s, k, pa, pr, ki, am, cu, tr, rf, su, cs, oc, no, ba, bc, pb, po, d::json
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
             $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[],
             $14::bigint[], $15::text[], $16::bigint[], $17::text[], $18::text[])
             AS t(s, k, pa, pr, ki, am, cu, tr, rf, su, cs, oc, no, ba, bc, pb, po, d)`,
          [
            column((c) => c.seq),
            column((c) => c.key),
            column((c) => c.partnerId),
            column((c) => c.programId),
            column((c) => c.kind),
            column((c) => c.amount.amount),
            column((c) => c.amount.currency),
            column((c) => c.transactionId),
            column((c) => c.refundTransactionId),
            column((c) => c.subscriptionId),
            column((c) => c.customerId),
            column((c) => c.occurredAt),
            column((c) => c.note),
            column((c) => c.baseAmount?.amount ?? null),
            column((c) => c.baseAmount?.currency ?? null),
            column((c) => c.payableAt ?? null),
            column((c) => c.payoutId ?? null),
            json,
          ],
        );
        return added;
      });
    },
    async listCommissions({ partnerId, afterSeq = 0, limit } = {}) {
      const { rows } =
        partnerId === undefined
          ? await pool.query(
              `SELECT seq, data FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [afterSeq, limit ?? null],
            )
          : await pool.query(
              `SELECT seq, data FROM ${table} WHERE partner_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
              [partnerId, afterSeq, limit ?? null],
            );
      return rows.map(toCommission);
    },
    async getCommission(key) {
      const { rows } = await pool.query(`SELECT seq, data FROM ${table} WHERE key = $1`, [key]);
      return rows[0] ? toCommission(rows[0]) : null;
    },
  };
}
