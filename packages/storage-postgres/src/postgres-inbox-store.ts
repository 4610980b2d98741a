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
import type { PgClientLike, PgPoolLike } from "./pg-types.js";
import type { OutboxRow } from "./postgres-outbox-store.js";

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

  /**
   * Ingests `group` in ONE statement (its own transaction: one round trip, no BEGIN/COMMIT): the
   * data-modifying CTEs claim the keys, record the duplicates and enqueue the winners' work together,
   * so a group is all stored or not at all. Results in `group` order.
   */
  const ingestGroup = async (
    db: PgPoolLike | PgClientLike,
    group: readonly PendingIngest[],
  ): Promise<IngestResult[]> => {
    // The first ingest of a key in the group is its candidate; later ones are duplicates of it.
    const candidates = new Map<string, PendingIngest>();
    for (const pending of group)
      if (!candidates.has(pending.input.key)) candidates.set(pending.input.key, pending);
    const owners: string[] = [];
    const work: OutboxRow[] = [];
    for (const [key, pending] of candidates) {
      pending.work.forEach((item, i) => {
        owners.push(key);
        work.push({ item, payload: pending.payloads[i] as string, now: pending.input.receivedAt });
      });
    }
    const { rows } = await db.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[], $6::text[], $7::boolean[])
           AS x(k, so, ty, r, b, e, candidate)
       ), claimed AS (
         INSERT INTO ${events} (key, source, type, received_at, raw_body, event)
         SELECT k, so, ty, r, b, e::json FROM input WHERE candidate
         ORDER BY k COLLATE "C"
         ON CONFLICT (key) DO NOTHING
         RETURNING key
       ), duplicate AS (
         INSERT INTO ${duplicates} (key, received_at)
         SELECT k, r FROM input WHERE NOT (candidate AND k IN (SELECT key FROM claimed))
       ), enqueued AS (
         INSERT INTO ${outbox} (sink, idempotency_key, payload, status, attempts, available_at, created_at, updated_at)
         SELECT sink, ik, payload::json, 'pending', 0, available_at, created_at, created_at
         FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[]) WITH ORDINALITY
           AS w(owner, sink, ik, payload, available_at, created_at, n)
         WHERE owner IN (SELECT key FROM claimed)
         ORDER BY sink, ik, n
         ON CONFLICT (sink, idempotency_key) DO NOTHING
       )
       SELECT key FROM claimed`,
      [
        group.map((p) => p.input.key),
        group.map((p) => p.input.source),
        group.map((p) => p.input.type),
        group.map((p) => p.input.receivedAt),
        group.map((p) => p.rawBody),
        group.map((p) => p.event),
        group.map((p) => candidates.get(p.input.key) === p),
        owners,
        work.map((row) => row.item.sink),
        work.map((row) => row.item.idempotencyKey),
        work.map((row) => row.payload),
        work.map((row) => row.item.availableAt ?? row.now),
        work.map((row) => row.now),
      ],
    );
    const won = new Set(rows.map((row) => row.key as string));
    return group.map((p) => ({
      duplicate: !(won.has(p.input.key) && candidates.get(p.input.key) === p),
    }));
  };

  const queue: PendingIngest[] = [];
  let committing = false;
  let scheduled = false;

  const commit = async (group: PendingIngest[]) => {
    try {
      const results = await ingestGroup(pool, group);
      for (const [i, pending] of group.entries()) pending.resolve(results[i] as IngestResult);
    } catch (error) {
      if (group.length === 1) {
        (group[0] as PendingIngest).reject(error);
        return;
      }
      await Promise.all(
        group.map((pending) =>
          ingestGroup(pool, [pending]).then(
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
