/**
 * The storage ceiling of the ingest benchmarks: the bare Fastify routes of `server.ts` plus, by hand,
 * the durable write the pipeline's ingest performs, and nothing else (no authentication, no
 * validation, no normalization, no pipeline): per request, one row holding the raw body and the JSON
 * text of the parsed body, and one work-queue row, group-committed (one transaction per event-loop
 * turn on SQLite, a savepoint per request; one statement per group on PostgreSQL, the next group
 * gathering while one commits), each request answered after its commit. No engine can store those
 * rows faster than this, so the ratio of a pipeline row to its ceiling is the share of the time the
 * pipeline's own code leaves to the storage, and a target above the ceiling's own ratio to bare
 * cannot be reached by any pipeline that stores the same rows.
 *
 * It stores the parsed body's JSON where the pipeline stores its normalized event (for the webhook
 * fixture 4.7 KB against 2.4 KB): the row spills to overflow pages either way, and the two measured
 * within the run-to-run noise (a few %).
 */
import { hash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { FastifyInstance } from "fastify";

/** One request's rows: the event row's key, raw body and event JSON. */
interface Rows {
  key: string;
  raw: Buffer;
  event: string;
}

/** Writes groups of rows; `write` resolves once its group committed. */
type GroupWriter = (rows: Rows) => Promise<void>;

/** SQLite (WAL) with the pipeline's settings: one transaction per event-loop turn. */
function sqliteWriter(path: string, synchronous: "NORMAL" | "FULL"): GroupWriter {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE events (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,
    raw_body BLOB NOT NULL, event TEXT NOT NULL)`);
  db.exec(`CREATE TABLE work (id INTEGER PRIMARY KEY, key TEXT NOT NULL, payload TEXT NOT NULL)`);
  const insertEvent = db.prepare(
    "INSERT INTO events (key, raw_body, event) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
  );
  const insertWork = db.prepare("INSERT INTO work (key, payload) VALUES (?, ?)");
  let queue: { rows: Rows; done: () => void }[] = [];
  const flush = () => {
    const group = queue;
    queue = [];
    db.exec("BEGIN IMMEDIATE");
    for (const { rows } of group) {
      db.exec("SAVEPOINT write");
      if (insertEvent.run(rows.key, rows.raw, rows.event).changes === 1) {
        insertWork.run(rows.key, JSON.stringify({ key: rows.key }));
      }
      db.exec("RELEASE write");
    }
    db.exec("COMMIT");
    for (const { done } of group) done();
  };
  return (rows) =>
    new Promise<void>((done) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ rows, done });
    });
}

/** `pg` is CommonJS without bundled types: loaded through `require`, typed by what is used. */
interface PgPool {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}
const pg = createRequire(import.meta.url)("pg") as {
  Pool: new (options: { connectionString: string; max: number }) => PgPool;
};

/** PostgreSQL: one statement per group; the next group gathers while one commits. */
async function postgresWriter(connectionString: string, schema: string): Promise<GroupWriter> {
  const pool = new pg.Pool({ connectionString, max: 2 });
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.query(`CREATE SCHEMA ${schema}`);
  await pool.query(`CREATE TABLE ${schema}.events (seq bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE, raw_body bytea NOT NULL, event json NOT NULL)`);
  await pool.query(`CREATE TABLE ${schema}.work (id bigserial PRIMARY KEY, key text NOT NULL,
    payload json NOT NULL)`);
  let queue: { rows: Rows; done: (error?: unknown) => void }[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      const rows = group.map((g) => g.rows);
      try {
        await pool.query(
          `WITH claimed AS (
             INSERT INTO ${schema}.events (key, raw_body, event)
             SELECT * FROM unnest($1::text[], $2::bytea[], $3::json[])
             ON CONFLICT (key) DO NOTHING RETURNING key
           )
           INSERT INTO ${schema}.work (key, payload)
           SELECT key, json_build_object('key', key) FROM claimed`,
          [rows.map((r) => r.key), rows.map((r) => r.raw), rows.map((r) => r.event)],
        );
        for (const { done } of group) done();
      } catch (error) {
        for (const { done } of group) done(error);
      }
    }
    writing = false;
  };
  return (rows) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ rows, done: (error) => (error ? reject(error) : resolve()) });
      if (!writing) setImmediate(() => void flush());
    });
}

/** Registers the ceiling's webhook and collect routes on `app` (which parses nothing else). */
export async function registerCeiling(
  app: FastifyInstance,
  engine: "sqlite-normal" | "sqlite-full" | "postgres",
  dir: string,
  pgSchema: string,
): Promise<void> {
  const write =
    engine === "postgres"
      ? await postgresWriter(
          process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
          `${pgSchema}_ceiling`,
        )
      : sqliteWriter(
          join(dir, `ceiling-${engine}-${process.pid}.db`),
          engine === "sqlite-full" ? "FULL" : "NORMAL",
        );
  // Both content types are read as bytes (the raw body to store) and parsed as JSON, as bare does.
  const parse = (_request: unknown, body: Buffer, done: (e: Error | null, v?: unknown) => void) => {
    try {
      done(null, { raw: body, json: JSON.parse(body.toString("utf8")) });
    } catch (error) {
      done(error as Error);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, parse);
  app.addContentTypeParser("text/plain", { parseAs: "buffer" }, parse);
  app.post("/webhooks/chargebee", async (request, reply) => {
    const { raw, json } = request.body as { raw: Buffer; json: { id: string } };
    await write({ key: `chargebee:${json.id}`, raw, event: JSON.stringify(json) });
    return reply.code(200).send({ ok: true, duplicate: false });
  });
  app.post("/rt/collect", async (request, reply) => {
    const { raw, json } = request.body as { raw: Buffer; json: unknown };
    // keyed as the pipeline keys a batch: its time, then a digest of the body
    const digest = hash("sha256", raw, "base64url").slice(0, 32);
    const key = `tracker:collect_${Date.now().toString(36).padStart(11, "0")}_${digest}`;
    await write({ key, raw, event: JSON.stringify(json) });
    return reply.code(204).send();
  });
}
