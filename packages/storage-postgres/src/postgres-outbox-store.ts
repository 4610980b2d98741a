import {
  type OutboxItem,
  type OutboxItemInput,
  type OutboxStatus,
  type OutboxStore,
  outboxPayloadJson,
  parseOutboxId,
} from "@revtrace/core";
import type { PgClientLike, PgPoolLike } from "./pg-types.js";

const toItem = (row: Record<string, unknown>): OutboxItem => ({
  id: String(row.id),
  sink: row.sink as string,
  idempotencyKey: row.idempotency_key as string,
  payload: row.payload,
  status: row.status as OutboxStatus,
  attempts: Number(row.attempts),
  availableAt: Number(row.available_at),
  leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
  leaseToken: row.lease_token as string | null,
  lastError: row.last_error as string | null,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const claimOrder = (a: OutboxItem, b: OutboxItem) =>
  a.availableAt - b.availableAt || Number(a.id) - Number(b.id);

/** One item to insert: its payload as JSON text, and the time it is enqueued at. */
export interface OutboxRow {
  item: OutboxItemInput;
  payload: string;
  now: number;
}

/**
 * Inserts `rows` in one statement, skipping known `(sink, idempotencyKey)` pairs (the first of a pair
 * within `rows`, in `order`, wins); returns how many were new. `order` orders the unnested rows, whose
 * columns are `sink`, `key` and `n` (the position in `rows`).
 */
export async function insertOutboxRows(
  db: PgPoolLike | PgClientLike,
  table: string,
  rows: readonly OutboxRow[],
  order: "ORDER BY n" | "ORDER BY sink, key, n",
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO ${table} (sink, idempotency_key, payload, status, attempts, available_at, created_at, updated_at)
     SELECT sink, key, payload::json, 'pending', 0, available_at, created_at, created_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY
       AS t(sink, key, payload, available_at, created_at, n)
     ${order}
     ON CONFLICT (sink, idempotency_key) DO NOTHING`,
    [
      rows.map((row) => row.item.sink),
      rows.map((row) => row.item.idempotencyKey),
      rows.map((row) => row.payload),
      rows.map((row) => row.item.availableAt ?? row.now),
      rows.map((row) => row.now),
    ],
  );
  return result.rowCount ?? 0;
}

/**
 * The outbox in one table. A claim locks the due rows it takes with `FOR UPDATE SKIP LOCKED`, so
 * claimers in other transactions skip them instead of waiting, and leases them in the same statement.
 */
export function createPostgresOutboxStore(pool: PgPoolLike, schema: string): OutboxStore {
  const table = `${schema}.outbox`;

  /** Settles a lease: the update applies only while `token` is the item's current lease. */
  const settle = async (
    id: string,
    token: string,
    status: OutboxStatus,
    availableAt: number | null,
    error: string | null,
    now: number,
  ) => {
    const n = parseOutboxId(id);
    if (n === null) return false;
    const result = await pool.query(
      `UPDATE ${table} SET status = $1, available_at = coalesce($2, available_at),
         last_error = coalesce($3, last_error), lease_token = NULL, lease_expires_at = NULL, updated_at = $4
       WHERE id = $5 AND status = 'leased' AND lease_token = $6`,
      [status, availableAt, error, now, n, token],
    );
    return result.rowCount === 1;
  };

  return {
    async enqueue(items, now) {
      if (items.length === 0) return 0;
      const rows = items.map((item, i) => ({
        item,
        payload: outboxPayloadJson(item.payload, `items.${i}.payload`),
        now,
      }));
      return insertOutboxRows(pool, table, rows, "ORDER BY n");
    },
    async claim({ sink, limit, leaseMs, now }) {
      const { rows } = await pool.query(
        `WITH due AS (
           SELECT id FROM ${table}
           WHERE sink = $1 AND status IN ('pending', 'leased')
             AND ((status = 'pending' AND available_at <= $2) OR (status = 'leased' AND lease_expires_at <= $2))
           ORDER BY available_at, id
           LIMIT $3
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${table} AS o SET status = 'leased', attempts = o.attempts + 1,
           lease_token = gen_random_uuid()::text, lease_expires_at = $4, updated_at = $2
         FROM due WHERE o.id = due.id
         RETURNING o.*`,
        [sink, now, limit, now + leaseMs],
      );
      return rows.map(toItem).sort(claimOrder);
    },
    ack(id, token, now) {
      return settle(id, token, "delivered", null, null, now);
    },
    retry(id, token, { error, availableAt, now }) {
      return settle(id, token, "pending", availableAt, error, now);
    },
    deadLetter(id, token, { error, now }) {
      return settle(id, token, "dead", null, error, now);
    },
    async listFailures({ sink, limit }) {
      const failures = "last_error IS NOT NULL AND status <> 'delivered'";
      const order = "ORDER BY updated_at DESC, id DESC";
      const { rows } =
        sink === undefined
          ? await pool.query(`SELECT * FROM ${table} WHERE ${failures} ${order} LIMIT $1`, [limit])
          : await pool.query(
              `SELECT * FROM ${table} WHERE ${failures} AND sink = $1 ${order} LIMIT $2`,
              [sink, limit],
            );
      return rows.map(toItem);
    },
    async getOutboxItem(id) {
      const n = parseOutboxId(id);
      if (n === null) return null;
      const { rows } = await pool.query(`SELECT * FROM ${table} WHERE id = $1`, [n]);
      return rows[0] ? toItem(rows[0]) : null;
    },
  };
}
