import {
  type InboxEvent,
  type InboxEventInput,
  type InboxStore,
  type IngestResult,
  type OutboxItemInput,
  parseOutboxId,
  type QuarantinedBody,
  storageJson,
} from "@revtrace/core";
import { inTransaction } from "./pg-transaction.js";
import type { PgClientLike, PgPoolLike } from "./pg-types.js";
import { insertOutboxRows, type OutboxRow } from "./postgres-outbox-store.js";

/** Most ingests committed in one transaction. */
const MAX_GROUP = 500;

/** An ingest waiting for its group's commit, converted already. */
interface PendingIngest {
  input: InboxEventInput;
  work: readonly OutboxItemInput[];
  event: string;
  rawBody: Buffer;
  payloads: string[];
  resolve(result: IngestResult): void;
  reject(error: unknown): void;
}

const toEvent = (row: Record<string, unknown>): InboxEvent => ({
  key: row.key as string,
  source: row.source as string,
  type: row.type as string,
  receivedAt: Number(row.received_at),
  rawBody: (row.raw_body as Buffer).toString("utf8"),
  event: row.event,
  seq: Number(row.seq),
  duplicates: Number(row.duplicates),
});

const toBody = (row: Record<string, unknown>): QuarantinedBody => ({
  id: String(row.id),
  source: row.source as string,
  receivedAt: Number(row.received_at),
  rawBody: (row.raw_body as Buffer).toString("utf8"),
  contentType: row.content_type as string | null,
  error: row.error as QuarantinedBody["error"],
  resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
});

/**
 * The inbox in three tables, with group commit: the ingests issued while a group is committing (or
 * during one event-loop turn) share the next transaction, and each resolves after its COMMIT. Keys
 * and outbox pairs are inserted in sorted order, so groups of several processes never deadlock on
 * each other; exactly one ingest of a key wins (its unique index; a conflicting insert waits for the
 * other transaction's outcome). When a group fails, its ingests are retried one per transaction, so
 * one that cannot be stored fails alone.
 */
export function createPostgresInboxStore(pool: PgPoolLike, schema: string): InboxStore {
  const events = `${schema}.inbox_events`;
  const duplicates = `${schema}.inbox_duplicates`;
  const quarantine = `${schema}.inbox_quarantine`;
  const outbox = `${schema}.outbox`;
  const columns = `seq, key, source, type, received_at, raw_body, event,
    (SELECT count(*) FROM ${duplicates} AS d WHERE d.key = e.key) AS duplicates`;

  /** Ingests `group` in the transaction of `client`; results in `group` order. */
  const ingestGroup = async (
    client: PgClientLike,
    group: readonly PendingIngest[],
  ): Promise<IngestResult[]> => {
    // The first ingest of a key in the group is its candidate; later ones are duplicates of it.
    const candidates = new Map<string, PendingIngest>();
    for (const pending of group)
      if (!candidates.has(pending.input.key)) candidates.set(pending.input.key, pending);
    const fresh = [...candidates.values()];
    const { rows } = await client.query(
      `INSERT INTO ${events} (key, source, type, received_at, raw_body, event)
       SELECT k, so, ty, r, b, e::json
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[], $6::text[])
         AS x(k, so, ty, r, b, e)
       ORDER BY k COLLATE "C"
       ON CONFLICT (key) DO NOTHING
       RETURNING key`,
      [
        fresh.map((p) => p.input.key),
        fresh.map((p) => p.input.source),
        fresh.map((p) => p.input.type),
        fresh.map((p) => p.input.receivedAt),
        fresh.map((p) => p.rawBody),
        fresh.map((p) => p.event),
      ],
    );
    const won = new Set(rows.map((row) => row.key as string));
    const winners = new Set(fresh.filter((p) => won.has(p.input.key)));
    const losers = group.filter((p) => !winners.has(p));
    if (losers.length > 0) {
      await client.query(
        `INSERT INTO ${duplicates} (key, received_at)
         SELECT * FROM unnest($1::text[], $2::bigint[])`,
        [losers.map((p) => p.input.key), losers.map((p) => p.input.receivedAt)],
      );
    }
    const work: OutboxRow[] = [];
    for (const pending of group) {
      if (!winners.has(pending)) continue;
      pending.work.forEach((item, i) => {
        work.push({ item, payload: pending.payloads[i] as string, now: pending.input.receivedAt });
      });
    }
    await insertOutboxRows(client, outbox, work, "ORDER BY sink, key, n");
    return group.map((p) => ({ duplicate: !winners.has(p) }));
  };

  const queue: PendingIngest[] = [];
  let committing = false;
  let scheduled = false;

  const commit = async (group: PendingIngest[]) => {
    try {
      const results = await inTransaction(pool, (client) => ingestGroup(client, group));
      for (const [i, pending] of group.entries()) pending.resolve(results[i] as IngestResult);
    } catch (error) {
      if (group.length === 1) {
        (group[0] as PendingIngest).reject(error);
        return;
      }
      await Promise.all(
        group.map((pending) =>
          inTransaction(pool, (client) => ingestGroup(client, [pending])).then(
            ([result]) => pending.resolve(result as IngestResult),
            pending.reject,
          ),
        ),
      );
    }
  };

  const run = async () => {
    scheduled = false;
    committing = true;
    try {
      await commit(queue.splice(0, MAX_GROUP));
    } finally {
      committing = false;
      schedule();
    }
  };

  /** Starts the next group after this turn, unless one is committing (it starts the next itself). */
  const schedule = () => {
    if (committing || scheduled || queue.length === 0) return;
    scheduled = true;
    setImmediate(run);
  };

  return {
    ingest(input, work) {
      const pending = {
        input,
        work,
        event: storageJson(input.event, "event.event"),
        rawBody: Buffer.from(input.rawBody, "utf8"),
        payloads: work.map((item, i) => storageJson(item.payload, `work.${i}.payload`)),
      };
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ ...pending, resolve, reject });
        schedule();
      });
    },
    async getInboxEvent(key) {
      const { rows } = await pool.query(`SELECT ${columns} FROM ${events} AS e WHERE key = $1`, [
        key,
      ]);
      return rows[0] ? toEvent(rows[0]) : null;
    },
    async listInboxEvents({ afterSeq = 0, source, limit }) {
      const { rows } =
        source === undefined
          ? await pool.query(
              `SELECT ${columns} FROM ${events} AS e WHERE seq > $1 ORDER BY seq LIMIT $2`,
              [afterSeq, limit],
            )
          : await pool.query(
              `SELECT ${columns} FROM ${events} AS e WHERE source = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
              [source, afterSeq, limit],
            );
      return rows.map(toEvent);
    },
    async quarantine(body) {
      const error = storageJson(body.error, "body.error");
      const { rows } = await pool.query(
        `INSERT INTO ${quarantine} (source, received_at, raw_body, content_type, error)
         VALUES ($1, $2, $3, $4, $5::json) RETURNING id`,
        [body.source, body.receivedAt, Buffer.from(body.rawBody, "utf8"), body.contentType, error],
      );
      return String(rows[0]?.id);
    },
    async listQuarantine({ afterId = "0", includeResolved = false, limit }) {
      const waiting = includeResolved ? "" : "AND resolved_at IS NULL";
      const { rows } = await pool.query(
        `SELECT * FROM ${quarantine} WHERE id > $1 ${waiting} ORDER BY id LIMIT $2`,
        [Number(afterId), limit],
      );
      return rows.map(toBody);
    },
    async resolveQuarantine(id, now) {
      const n = parseOutboxId(id);
      if (n === null) return false;
      const result = await pool.query(
        `UPDATE ${quarantine} SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL`,
        [now, n],
      );
      return result.rowCount === 1;
    },
  };
}
