import {
  checkStorageInput,
  createInFlightCalls,
  guardStorageMethods,
  type Storage,
} from "@revtrace/core";
import { describePgError } from "./pg-errors.js";
import type { PgPoolLike } from "./pg-types.js";
import { createPostgresIdentityStore } from "./postgres-identity-store.js";
import { createPostgresInboxStore } from "./postgres-inbox-store.js";
import { createPostgresLedgerStore } from "./postgres-ledger-store.js";
import { createPostgresMappingStore } from "./postgres-mapping-store.js";
import { applyPostgresMigrations, quote, readPostgresMigrations } from "./postgres-migrations.js";
import {
  type PostgresStorageOptions,
  PostgresStorageOptionsSchema,
  parseConnectionOptions,
} from "./postgres-options.js";
import { createPostgresOutboxStore } from "./postgres-outbox-store.js";
import { createPgPool } from "./postgres-pool.js";
import { createPostgresReceiptStore } from "./postgres-receipt-store.js";
import { createPostgresResourceVersionStore } from "./postgres-resource-version-store.js";
import { createPostgresTouchpointStore } from "./postgres-touchpoint-store.js";

/**
 * Every storage interface on PostgreSQL, through `pg`. Several processes can share one database:
 * receipt claims and ledger keys are unique constraints, outbox claims lock rows with
 * `FOR UPDATE SKIP LOCKED` under leases, and `migrate()` serializes on an advisory lock.
 *
 * Nothing is created until `migrate()` runs. Tables live in `schema` (default `revtrace`).
 *
 * @throws ConfigError when an option is invalid (naming the field), or when neither or both of
 *   `pool` and `connectionString` are given.
 * @example
 * import pg from "pg";
 * const storage = createPostgresStorage({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await storage.migrate();
 */
export function createPostgresStorage(options: PostgresStorageOptions): Storage {
  const resolved = parseConnectionOptions(
    PostgresStorageOptionsSchema,
    options,
    "PostgreSQL storage",
  );
  const owned = resolved.pool
    ? undefined
    : createPgPool(resolved.connectionString as string, resolved.poolSize, resolved.logger, {
        connectionTimeoutMillis: resolved.connectTimeoutMs,
      });
  const pool = (resolved.pool ?? owned) as PgPoolLike;
  const schema = quote(resolved.schema);
  let closed = false;
  const inFlight = createInFlightCalls("postgres");
  let closing: Promise<void> | undefined;
  const methods = guardStorageMethods(
    {
      ...createPostgresIdentityStore(pool, schema),
      ...createPostgresTouchpointStore(pool, schema),
      ...createPostgresReceiptStore(pool, schema),
      ...createPostgresOutboxStore(pool, schema),
      ...createPostgresLedgerStore(pool, schema),
      ...createPostgresResourceVersionStore(pool, schema),
      ...createPostgresInboxStore(pool, schema),
      ...createPostgresMappingStore(pool, schema),
      migrate: () =>
        applyPostgresMigrations(pool, resolved.schema, readPostgresMigrations(), Date.now()),
    },
    {
      engine: "postgres",
      isClosed: () => closed,
      describe: describePgError,
      validate: checkStorageInput,
      inFlight,
    },
  );
  return {
    ...methods,
    engine: "postgres",
    close() {
      closing ??= (async () => {
        // New calls are refused from here; those in flight (waiting for a connection included) run
        // on, for at most closeTimeoutMs, before the pool ends under them.
        const settled = await inFlight.drain(resolved.closeTimeoutMs);
        closed = true;
        if (!owned) return;
        // A call still running holds its connection until its query returns; ending waits for that,
        // so after a timeout the pool ends in the background (its calls were rejected already).
        if (settled) await owned.end();
        else owned.end().catch(() => {});
      })();
      return closing;
    },
  };
}
