import {
  type InboxEvent,
  type InboxStore,
  parseOutboxId,
  type QuarantinedBody,
  storageJson,
} from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";
import { insertOutboxItems, outboxPayloads } from "./sqlite-outbox-store.js";

interface EventRow {
  seq: number;
  key: string;
  source: string;
  type: string;
  received_at: number;
  raw_body: Uint8Array;
  event: string;
  duplicates: number;
}

interface QuarantineRow {
  id: number;
  source: string;
  received_at: number;
  raw_body: Uint8Array;
  content_type: string | null;
  error: string;
  resolved_at: number | null;
}

/** Raw bodies are stored as their UTF-8 bytes: well-formed text round-trips exactly. */
const encode = (text: string) => Buffer.from(text, "utf8");
const decode = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

const EVENT_COLUMNS = `seq, key, source, type, received_at, raw_body, event,
  (SELECT count(*) FROM inbox_duplicates AS d WHERE d.key = e.key) AS duplicates`;

const toEvent = (row: EventRow): InboxEvent => ({
  key: row.key,
  source: row.source,
  type: row.type,
  receivedAt: row.received_at,
  rawBody: decode(row.raw_body),
  event: JSON.parse(row.event),
  seq: row.seq,
  duplicates: row.duplicates,
});

const toBody = (row: QuarantineRow): QuarantinedBody => ({
  id: String(row.id),
  source: row.source,
  receivedAt: row.received_at,
  rawBody: decode(row.raw_body),
  contentType: row.content_type,
  error: JSON.parse(row.error),
  resolvedAt: row.resolved_at,
});

/**
 * The inbox in three tables. An ingest is one write of the connection's group commit: concurrent
 * webhooks share one transaction (each in its own savepoint) and each resolves after the COMMIT.
 * Everything is converted before the write is queued, so a value that cannot be stored fails alone.
 */
export function createSqliteInboxStore(connection: SqliteConnection): InboxStore {
  const { statement, write } = connection;
  return {
    ingest(input, work) {
      const event = storageJson(input.event, "event.event");
      const payloads = outboxPayloads(work, "work");
      const rawBody = encode(input.rawBody);
      return write(() => {
        const claimed = statement(
          `INSERT INTO inbox_events (key, source, type, received_at, raw_body, event)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        ).run(input.key, input.source, input.type, input.receivedAt, rawBody, event);
        if (claimed.changes === 0) {
          statement("INSERT INTO inbox_duplicates (key, received_at) VALUES (?, ?)").run(
            input.key,
            input.receivedAt,
          );
          return { duplicate: true };
        }
        insertOutboxItems(connection, work, payloads, input.receivedAt);
        return { duplicate: false };
      });
    },
    async getInboxEvent(key) {
      const row = statement(`SELECT ${EVENT_COLUMNS} FROM inbox_events AS e WHERE key = ?`).get(
        key,
      ) as EventRow | undefined;
      return row ? toEvent(row) : null;
    },
    async listInboxEvents({ afterSeq = 0, source, limit }) {
      const rows = (source === undefined
        ? statement(
            `SELECT ${EVENT_COLUMNS} FROM inbox_events AS e WHERE seq > ? ORDER BY seq LIMIT ?`,
          ).all(afterSeq, limit)
        : statement(
            `SELECT ${EVENT_COLUMNS} FROM inbox_events AS e WHERE source = ? AND seq > ? ORDER BY seq LIMIT ?`,
          ).all(source, afterSeq, limit)) as unknown as EventRow[];
      return rows.map(toEvent);
    },
    quarantine(body) {
      const error = storageJson(body.error, "body.error");
      const rawBody = encode(body.rawBody);
      return write(() => {
        const row = statement(
          `INSERT INTO inbox_quarantine (source, received_at, raw_body, content_type, error)
           VALUES (?, ?, ?, ?, ?) RETURNING id`,
        ).get(body.source, body.receivedAt, rawBody, body.contentType, error) as { id: number };
        return String(row.id);
      });
    },
    async listQuarantine({ afterId = "0", includeResolved = false, limit }) {
      const rows = (includeResolved
        ? statement("SELECT * FROM inbox_quarantine WHERE id > ? ORDER BY id LIMIT ?")
        : statement(
            "SELECT * FROM inbox_quarantine WHERE id > ? AND resolved_at IS NULL ORDER BY id LIMIT ?",
          )
      ).all(Number(afterId), limit) as unknown as QuarantineRow[];
      return rows.map(toBody);
    },
    resolveQuarantine(id, now) {
      const n = parseOutboxId(id);
      if (n === null) return Promise.resolve(false);
      return write(
        () =>
          statement(
            "UPDATE inbox_quarantine SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL",
          ).run(now, n).changes === 1,
      );
    },
  };
}
