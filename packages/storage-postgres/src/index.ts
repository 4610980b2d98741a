/**
 * @revtrace/storage-postgres: every revtrace storage interface on PostgreSQL (through `pg`), safe for
 * several processes sharing one database, plus a pg-boss queue for multi-process delivery.
 *
 * @module
 */
export type { PgClientLike, PgPoolLike, PgQueryResult } from "./pg-types.js";
export {
  createPgBossQueue,
  type PgBossQueue,
  type PgBossQueueOptions,
  type QueueJob,
  type SendOptions,
  type WorkOptions,
} from "./pgboss-queue.js";
export {
  MIGRATIONS_DIR,
  type PostgresMigration,
  readPostgresMigrations,
} from "./postgres-migrations.js";
export { type PostgresStorageOptions, PostgresStorageOptionsSchema } from "./postgres-options.js";
export {
  createPostgresRateLimiter,
  type PostgresRateLimiter,
  type PostgresRateLimiterOptions,
  PostgresRateLimiterOptionsSchema,
} from "./postgres-rate-limiter.js";
export { createPostgresStorage } from "./postgres-storage.js";
