/**
 * A request-rate limiter shared by every process that uses one PostgreSQL database: a sliding-window
 * log (the start times of the last `limit` requests, per key) kept in one row and changed only under
 * a transaction-scoped advisory lock. A request may start when fewer than `limit` requests started
 * in the last `intervalMs + marginMs`, by the database's clock, which every process shares. Unlike a
 * token bucket it never allows a burst above `limit` in any window, and unlike a reservation
 * schedule the time recorded is when the request really starts, so a process that stalls cannot
 * make a window hold one request too many. Each process polls with one connection at a time; its
 * other waiters queue in memory. A `pause(ms)` (the vendor's `Retry-After` for the account) is kept
 * in the same row, by the database's clock, and holds the starts of every process until it ends.
 *
 * @module
 */
import { parseOptions, type RateLimiter, StorageError } from "@revtrace/core";
import { z } from "zod";
import { describePgError } from "./pg-errors.js";
import type { PgClientLike, PgPoolLike } from "./pg-types.js";
import { PostgresConnectionOptionsSchema, SchemaNameSchema } from "./postgres-options.js";
import { createPgPool, type OwnedPool } from "./postgres-pool.js";

/** Options of {@link createPostgresRateLimiter}. */
export const PostgresRateLimiterOptionsSchema = PostgresConnectionOptionsSchema.extend({
  /** What is limited, e.g. `activecampaign:acme` (one key per vendor account). */
  key: z.string().min(1).max(200),
  /** Requests per window. @default 5 */
  limit: z.number().int().min(1).max(1000).default(5),
  /** The window, milliseconds. @default 1000 */
  intervalMs: z.number().int().min(1).default(1000),
  /**
   * Added to the window: allowance for the time between the grant and the request's arrival. Across
   * processes that time varies more than within one (a grant in one process, a slow first request in
   * another), so the default is wider than the in-process limiter's. @default 250
   */
  marginMs: z.number().int().min(0).default(250),
  /** Schema of the `revtrace_rate_limits` table (created when missing). @default "public" */
  schema: SchemaNameSchema.default("public"),
  /** Size of the pool created from `connectionString`. @default 2 */
  poolSize: z.number().int().positive().default(2),
});
export type PostgresRateLimiterOptions = z.input<typeof PostgresRateLimiterOptionsSchema>;

/** A cross-process {@link RateLimiter}; `close()` ends the pool it created (never a given one). */
export interface PostgresRateLimiter extends RateLimiter {
  close(): Promise<void>;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function failure(message: string, error: unknown): StorageError {
  const detail = describePgError(error);
  return new StorageError(`postgres rate limiter: ${message}${detail ? ` (${detail})` : ""}`, {
    engine: "postgres",
    cause: error,
  });
}

/**
 * Creates the limiter. Throws `ConfigError` on bad options; `acquire` rejects with a `StorageError`
 * when the database fails, and with the signal's reason on abort.
 *
 * @example
 * const limiter = createPostgresRateLimiter({ connectionString, key: "activecampaign:acme" });
 * const sink = createActiveCampaignSink({ ..., rateLimiter: limiter });
 */
export function createPostgresRateLimiter(
  options: PostgresRateLimiterOptions,
): PostgresRateLimiter {
  const settings = parseOptions(
    PostgresRateLimiterOptionsSchema.refine(
      (o) => o.pool !== undefined || o.connectionString !== undefined,
      { message: "pool or connectionString is required", path: ["connectionString"] },
    ),
    options,
    "Postgres rate limiter options",
  );
  const owned: OwnedPool | undefined = settings.pool
    ? undefined
    : createPgPool(settings.connectionString as string, settings.poolSize, settings.logger, {
        connectionTimeoutMillis: settings.connectTimeoutMs,
      });
  const pool: PgPoolLike = settings.pool ?? (owned as OwnedPool);
  const table = `"${settings.schema}".revtrace_rate_limits`;
  const windowMs = settings.intervalMs + settings.marginMs;
  const { key, limit } = settings;
  let created: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function inTransaction<T>(work: (client: PgClientLike) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  function ensureTable(): Promise<void> {
    created ??= inTransaction(async (client) => {
      // Concurrent CREATE TABLE IF NOT EXISTS can still collide: serialize them.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `revtrace:ddl:${table}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${settings.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (key text PRIMARY KEY, grants double precision[] NOT NULL)`,
      );
      // Tables created before pauses existed get the column (epoch ms by the database's clock).
      await client.query(
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS paused_until double precision`,
      );
    }).catch((error: unknown) => {
      created = undefined;
      throw failure("could not create its table", error);
    });
    return created;
  }

  const lockKey = (client: PgClientLike) =>
    client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`revtrace:rate:${key}`]);
  const NOW_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::double precision";

  /** One try: grants a start now (answers 0) or answers how long to wait. */
  function tryOnce(): Promise<number> {
    return inTransaction(async (client) => {
      await lockKey(client);
      const { rows } = await client.query(
        `SELECT ${NOW_MS} AS now, l.grants, l.paused_until
         FROM (SELECT 1) AS one LEFT JOIN ${table} AS l ON l.key = $1`,
        [key],
      );
      const now = Number(rows[0]?.now);
      const pausedUntil = Number(rows[0]?.paused_until ?? 0);
      if (pausedUntil > now) return Math.ceil(pausedUntil - now);
      const grants = ((rows[0]?.grants as number[] | null) ?? [])
        .map(Number)
        .filter((at) => at > now - windowMs);
      if (grants.length >= limit) {
        const oldest = grants[grants.length - limit] as number;
        return Math.max(1, Math.ceil(oldest + windowMs - now));
      }
      grants.push(now);
      await client.query(
        `INSERT INTO ${table} (key, grants) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET grants = EXCLUDED.grants`,
        [key, grants.slice(-limit)],
      );
      return 0;
    });
  }

  async function poll(signal: AbortSignal | undefined): Promise<void> {
    await ensureTable();
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      if (closed) throw failure("used after close()", undefined);
      let wait: number;
      try {
        wait = await tryOnce();
      } catch (error) {
        throw StorageError.isInstance(error) ? error : failure("could not take a slot", error);
      }
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      // One poller per process; the others wait their turn here (an abort leaves the line at once).
      const turn = queue.then(() => poll(signal));
      queue = turn.catch(() => {});
      if (!signal) return turn;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        turn.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
      });
    },
    async pause(ms) {
      if (!Number.isFinite(ms) || ms <= 0) return;
      await ensureTable();
      try {
        await inTransaction(async (client) => {
          await lockKey(client);
          await client.query(
            `INSERT INTO ${table} AS l (key, grants, paused_until) VALUES ($1, '{}', ${NOW_MS} + $2)
             ON CONFLICT (key) DO UPDATE
             SET paused_until = greatest(coalesce(l.paused_until, 0), EXCLUDED.paused_until)`,
            [key, ms],
          );
        });
      } catch (error) {
        throw failure("could not record a pause", error);
      }
    },
    async close() {
      closed = true;
      await queue;
      await owned?.end();
    },
  };
}
