import { parseOptions } from "@revtrace/core";
import { z } from "zod";

/** Options of {@link createSqliteStorage}. */
export const SqliteStorageOptionsSchema = z.object({
  /** The database file (created when missing), or `":memory:"` for a private in-memory database. */
  path: z.string().min(1),
  /**
   * SQLite's `synchronous` setting. `FULL` syncs the WAL on every commit, so a commit survives power
   * loss; `NORMAL` survives a crash of the process but may lose the last commits on an OS crash or
   * power loss, and is faster.
   * @default "FULL"
   */
  synchronous: z.enum(["FULL", "NORMAL"]).default("FULL"),
  /**
   * How long a write waits for another connection's (or process's) write lock before failing, in
   * milliseconds. The wait blocks the event loop, as every `node:sqlite` call does.
   * @default 5000
   */
  busyTimeoutMs: z.number().int().nonnegative().default(5_000),
  /**
   * Group commit: the writes issued during one event-loop turn share one transaction (each in its own
   * savepoint, so one failing write does not fail the others), and each call resolves only after that
   * transaction committed. Off: one transaction per write.
   * @default true
   */
  groupCommit: z.boolean().default(true),
  /**
   * How often a background thread checkpoints the WAL (copies committed pages into the database
   * file), in milliseconds, so the writer's commits do not pay for it; `0` leaves checkpoints to
   * SQLite's own `wal_autocheckpoint` inside commits. Not used for `":memory:"`.
   * @default 200
   */
  checkpointIntervalMs: z.number().int().nonnegative().default(200),
});

/** Options of {@link createSqliteStorage} as the caller writes them. */
export type SqliteStorageOptions = z.input<typeof SqliteStorageOptionsSchema>;
/** Options with their defaults applied. */
export type ResolvedSqliteStorageOptions = z.output<typeof SqliteStorageOptionsSchema>;

/** Validates options; throws `ConfigError` naming the offending fields, never their values. */
export function parseSqliteStorageOptions(options: unknown): ResolvedSqliteStorageOptions {
  return parseOptions(SqliteStorageOptionsSchema, options, "SQLite storage options");
}
