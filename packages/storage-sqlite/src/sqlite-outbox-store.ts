import {
  type OutboxItem,
  type OutboxItemInput,
  type OutboxStatus,
  type OutboxStore,
  outboxPayloadJson,
  parseOutboxId,
} from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

interface OutboxRow {
  id: number;
  sink: string;
  idempotency_key: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  available_at: number;
  lease_expires_at: number | null;
  lease_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

const toItem = (row: OutboxRow): OutboxItem => ({
  id: String(row.id),
  sink: row.sink,
  idempotencyKey: row.idempotency_key,
  payload: JSON.parse(row.payload),
  status: row.status,
  attempts: row.attempts,
  availableAt: row.available_at,
  leaseExpiresAt: row.lease_expires_at,
  leaseToken: row.lease_token,
  lastError: row.last_error,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Settles a lease: the update applies only while `token` is the item's current lease. */
const SETTLE = `UPDATE outbox SET status = ?, available_at = coalesce(?, available_at), last_error = coalesce(?, last_error),
  lease_token = NULL, lease_expires_at = NULL, updated_at = ?
  WHERE id = ? AND status = 'leased' AND lease_token = ?`;

const INSERT = `INSERT INTO outbox (sink, idempotency_key, payload, status, attempts, available_at, created_at, updated_at)
  VALUES (?, ?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (sink, idempotency_key) DO NOTHING`;

/**
 * The payloads of `items` as JSON text, converted before anything is written (a `StorageInputError`
 * naming `<path>.<i>.payload` for one JSON cannot hold).
 */
export function outboxPayloads(items: readonly OutboxItemInput[], path: string): string[] {
  return items.map((item, i) => outboxPayloadJson(item.payload, `${path}.${i}.payload`));
}

/** Inserts the new items (inside a write transaction); returns how many were new. */
export function insertOutboxItems(
  connection: SqliteConnection,
  items: readonly OutboxItemInput[],
  payloads: readonly string[],
  now: number,
): number {
  const insert = connection.statement(INSERT);
  let added = 0;
  items.forEach((item, i) => {
    added += Number(
      insert.run(
        item.sink,
        item.idempotencyKey,
        payloads[i] as string,
        item.availableAt ?? now,
        now,
        now,
      ).changes,
    );
  });
  return added;
}

/** The outbox in one table; claims and settlements are single statements inside write transactions. */
export function createSqliteOutboxStore(connection: SqliteConnection): OutboxStore {
  const { statement, write } = connection;

  const settle = (
    id: string,
    token: string,
    status: OutboxStatus,
    availableAt: number | null,
    error: string | null,
    now: number,
  ) => {
    const n = parseOutboxId(id);
    if (n === null) return Promise.resolve(false);
    return write(
      () => statement(SETTLE).run(status, availableAt, error, now, n, token).changes === 1,
    );
  };

  return {
    enqueue(items, now) {
      if (items.length === 0) return Promise.resolve(0);
      const payloads = outboxPayloads(items, "items");
      return write(() => insertOutboxItems(connection, items, payloads, now));
    },
    claim({ sink, limit, leaseMs, now }) {
      return write(() => {
        const rows = statement(
          `UPDATE outbox SET status = 'leased', attempts = attempts + 1, lease_token = lower(hex(randomblob(16))),
             lease_expires_at = ?, updated_at = ?
           WHERE id IN (
             SELECT id FROM outbox
             WHERE sink = ? AND status IN ('pending', 'leased')
               AND ((status = 'pending' AND available_at <= ?) OR (status = 'leased' AND lease_expires_at <= ?))
             ORDER BY available_at, id LIMIT ?)
           RETURNING *`,
        ).all(now + leaseMs, now, sink, now, now, limit) as unknown as OutboxRow[];
        return rows
          .map(toItem)
          .sort((a, b) => a.availableAt - b.availableAt || Number(a.id) - Number(b.id));
      });
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
      const order = "ORDER BY updated_at DESC, id DESC LIMIT ?";
      const rows = (sink === undefined
        ? statement(`SELECT * FROM outbox WHERE ${failures} ${order}`).all(limit)
        : statement(`SELECT * FROM outbox WHERE ${failures} AND sink = ? ${order}`).all(
            sink,
            limit,
          )) as unknown as OutboxRow[];
      return rows.map(toItem);
    },
    async getOutboxItem(id) {
      const n = parseOutboxId(id);
      if (n === null) return null;
      const row = statement("SELECT * FROM outbox WHERE id = ?").get(n) as OutboxRow | undefined;
      return row ? toItem(row) : null;
    },
  };
}
