import { createHash } from "node:crypto";
import { guardStorageMethods } from "@revtrace/core";
import { PgBoss } from "pg-boss";
import type { z } from "zod";
import { describePgError } from "./pg-errors.js";
import type { PgPoolLike } from "./pg-types.js";
import {
  PostgresConnectionOptionsSchema,
  parseConnectionOptions,
  SchemaNameSchema,
} from "./postgres-options.js";

/** Options of {@link createPgBossQueue}. */
export const PgBossQueueOptionsSchema = PostgresConnectionOptionsSchema.extend({
  /**
   * The schema pg-boss installs its tables into (created by `start()`).
   * @default "revtrace_queue"
   */
  schema: SchemaNameSchema.default("revtrace_queue"),
});

/** Options of {@link createPgBossQueue} as the caller writes them. */
export type PgBossQueueOptions = z.input<typeof PgBossQueueOptionsSchema>;

/** Options of one {@link PgBossQueue.send}. */
export interface SendOptions {
  /**
   * Idempotency key: a second send with the same key to the same queue is dropped (`send` then
   * resolves `null`) for as long as pg-boss keeps the first job.
   */
  key?: string;
  /** Earliest start, in milliseconds from now. @default 0 */
  startAfterMs?: number;
  /** Retries after a failed attempt (a handler that throws). @default 2 (pg-boss's default) */
  retryLimit?: number;
  /** Seconds between retries, doubled each time (with jitter). @default 0 (pg-boss's default) */
  retryDelaySeconds?: number;
}

/** Options of one {@link PgBossQueue.work}. */
export interface WorkOptions {
  /** Jobs handed to one handler call. @default 1 */
  batchSize?: number;
  /** Seconds between polls while the queue is empty. @default 2 (pg-boss's default) */
  pollingIntervalSeconds?: number;
}

/** A job as a handler sees it. */
export interface QueueJob<T> {
  id: string;
  queue: string;
  data: T;
  /** Attempts before this one that failed. */
  retryCount: number;
  /** Aborted when the job expires or the queue stops. */
  signal: AbortSignal;
}

/**
 * A job queue in PostgreSQL for delivery across several processes: any process can `send`, every
 * process running `work` on a queue takes its share, each job goes to one worker at a time, and a
 * handler that throws has its jobs retried.
 */
export interface PgBossQueue {
  /** Installs or upgrades pg-boss's schema (pg-boss serializes this itself) and starts maintenance. */
  start(): Promise<void>;
  /** Adds a job; resolves its id, or `null` when `options.key` was already sent. */
  send<T extends object>(queue: string, data: T, options?: SendOptions): Promise<string | null>;
  /**
   * Runs `handler` on the queue's jobs in this process until `stop()`. A handler that resolves
   * completes its jobs; one that throws fails them (retried up to `retryLimit`). Resolves the worker id.
   */
  work<T extends object>(
    queue: string,
    handler: (jobs: QueueJob<T>[]) => Promise<void>,
    options?: WorkOptions,
  ): Promise<string>;
  /** Stops the workers (waiting up to `timeoutMs` for running handlers) and maintenance. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** The underlying pg-boss instance, for what this surface does not cover. */
  readonly boss: PgBoss;
}

/** A UUID derived from the queue and key, so the same key always names the same job. */
function jobIdFor(queue: string, key: string): string {
  const hex = createHash("sha256").update(`${queue}\u0000${key}`).digest("hex");
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Creates a pg-boss queue on an existing `pg` pool (shared with the storage, or not) or a connection
 * string. Nothing is installed until `start()`.
 *
 * @throws ConfigError when an option is invalid, or when neither or both of `pool` and
 *   `connectionString` are given.
 * @example
 * const queue = createPgBossQueue({ pool });
 * await queue.start();
 * await queue.work("deliver", async (jobs) => { … });
 * await queue.send("deliver", { sink: "tiktok" }, { key: "tiktok:ev_1" });
 */
export function createPgBossQueue(options: PgBossQueueOptions): PgBossQueue {
  const resolved = parseConnectionOptions(PgBossQueueOptionsSchema, options, "pg-boss queue");
  const pool: PgPoolLike | undefined = resolved.pool;
  const boss = pool
    ? new PgBoss({
        schema: resolved.schema,
        db: { executeSql: (text, values) => pool.query(text, values) },
      })
    : new PgBoss({
        schema: resolved.schema,
        connectionString: resolved.connectionString as string,
        max: resolved.poolSize,
      });
  // pg-boss reports background failures (maintenance, polling) as events; unhandled, they would throw.
  boss.on("error", (error) => {
    resolved.logger?.error?.({ code: describePgError(error) }, "revtrace: pg-boss error");
  });

  const queues = new Map<string, Promise<void>>();
  const ensureQueue = (name: string) => {
    let created = queues.get(name);
    if (!created) {
      created = boss.createQueue(name);
      created.catch(() => queues.delete(name));
      queues.set(name, created);
    }
    return created;
  };

  let stopped = false;
  const methods = guardStorageMethods(
    {
      async start() {
        await boss.start();
      },
      async send(queue: string, data: object, sendOptions: SendOptions = {}) {
        await ensureQueue(queue);
        return boss.send(queue, data, {
          ...(sendOptions.key === undefined ? {} : { id: jobIdFor(queue, sendOptions.key) }),
          ...(sendOptions.startAfterMs
            ? { startAfter: new Date(Date.now() + sendOptions.startAfterMs) }
            : {}),
          ...(sendOptions.retryLimit === undefined ? {} : { retryLimit: sendOptions.retryLimit }),
          ...(sendOptions.retryDelaySeconds === undefined
            ? {}
            : { retryDelay: sendOptions.retryDelaySeconds, retryBackoff: true }),
        });
      },
      async work(
        queue: string,
        handler: (jobs: QueueJob<object>[]) => Promise<void>,
        workOptions: WorkOptions = {},
      ) {
        await ensureQueue(queue);
        return boss.work<object>(
          queue,
          {
            batchSize: workOptions.batchSize ?? 1,
            ...(workOptions.pollingIntervalSeconds === undefined
              ? {}
              : { pollingIntervalSeconds: workOptions.pollingIntervalSeconds }),
          },
          async (jobs) => {
            await handler(
              jobs.map((job) => ({
                id: job.id,
                queue,
                data: job.data,
                retryCount: job.retryCount,
                signal: job.signal,
              })),
            );
          },
        );
      },
    },
    { engine: "pg-boss", isClosed: () => stopped, describe: describePgError },
  );

  return {
    ...(methods as Pick<PgBossQueue, "start" | "send" | "work">),
    boss,
    async stop(timeoutMs = 30_000) {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: timeoutMs });
    },
  };
}
