import { ConfigError, type Logger, parseOptions } from "@revtrace/core";
import { z } from "zod";
import type { PgPoolLike } from "./pg-types.js";

const isPool = (value: unknown): value is PgPoolLike =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as PgPoolLike).query === "function" &&
  typeof (value as PgPoolLike).connect === "function";

/** A PostgreSQL schema name revtrace can use without quoting surprises. */
export const SchemaNameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "lower-case letters, digits and underscores, at most 63");

/** Where to connect: an existing `pg` pool, or a connection string (revtrace then owns the pool). */
export const PostgresConnectionOptionsSchema = z.object({
  /**
   * A `pg` Pool (or anything with `query` and `connect`). revtrace never ends it: `close()` leaves
   * it to you.
   */
  pool: z.custom<PgPoolLike>(isPool, "a pg Pool (with query and connect)").optional(),
  /**
   * A connection string (`postgres://user:pass@host:5432/db`); revtrace creates the pool and ends it
   * on `close()`.
   */
  connectionString: z.string().min(1).optional(),
  /**
   * Size of the pool revtrace creates from `connectionString`.
   * @default 10
   */
  poolSize: z.number().int().positive().default(10),
  /**
   * How long one connection attempt of the pool revtrace creates may take (TCP, TLS and the server's
   * startup answer) before it fails with a `StorageError`: a firewall that drops packets, or another
   * service on the port that accepts and never answers, must not hang every call. `0`: no limit.
   * @default 10000
   */
  connectTimeoutMs: z.number().int().nonnegative().default(10_000),
  /** Receives pool errors (an idle connection dropped by the server, …). Silent by default. */
  logger: z
    .custom<Partial<Logger>>((value) => typeof value === "object" && value !== null)
    .optional(),
});

/** Options of {@link createPostgresStorage}. */
export const PostgresStorageOptionsSchema = PostgresConnectionOptionsSchema.extend({
  /**
   * The schema holding revtrace's tables; `migrate()` creates it. One database can hold several
   * revtrace installations in different schemas.
   * @default "revtrace"
   */
  schema: SchemaNameSchema.default("revtrace"),
  /**
   * How long `close()` waits for calls in flight (those waiting for a pool connection included)
   * before it rejects them with `StorageError` ("still running when close() stopped waiting; its
   * outcome is unknown") and ends the pool it created.
   * @default 10000
   */
  closeTimeoutMs: z.number().int().nonnegative().default(10_000),
});

/** Options of {@link createPostgresStorage} as the caller writes them. */
export type PostgresStorageOptions = z.input<typeof PostgresStorageOptionsSchema>;

/**
 * Validates options against `schema` with core's `parseOptions`, then requires exactly one of `pool`
 * and `connectionString`; throws `ConfigError` naming the offending fields, never their values.
 */
export function parseConnectionOptions<T extends { pool?: PgPoolLike; connectionString?: string }>(
  schema: z.ZodType<T>,
  options: unknown,
  what: string,
): T {
  const parsed = parseOptions(schema, options, `${what} options`);
  if ((parsed.pool === undefined) === (parsed.connectionString === undefined)) {
    throw new ConfigError(
      `Invalid ${what} options: give exactly one of pool and connectionString`,
      {
        fields: ["pool", "connectionString"],
      },
    );
  }
  return parsed;
}
