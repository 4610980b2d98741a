import {
  checkStorageInput,
  createInFlightCalls,
  type DeferredCommitStorage,
  guardStorageMethods,
  type Storage,
  StorageError,
} from "@revtrace/core";
import { openSqliteConnection, type SqliteConnection } from "./sqlite-connection.js";
import { createSqliteIdentityStore } from "./sqlite-identity-store.js";
import { createSqliteInboxStore } from "./sqlite-inbox-store.js";
import { createSqliteLedgerStore } from "./sqlite-ledger-store.js";
import { createSqliteMappingStore } from "./sqlite-mapping-store.js";
import { applySqliteMigrations, readSqliteMigrations } from "./sqlite-migrations.js";
import { parseSqliteStorageOptions, type SqliteStorageOptions } from "./sqlite-options.js";
import { createSqliteOutboxStore } from "./sqlite-outbox-store.js";
import { createSqliteReceiptStore } from "./sqlite-receipt-store.js";
import { createSqliteResourceVersionStore } from "./sqlite-resource-version-store.js";
import { createSqliteTouchpointStore } from "./sqlite-touchpoint-store.js";

/** A short, data-free description of a `node:sqlite` error (its SQLite error text, not its message). */
function describeSqliteError(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { message, errstr, errcode } = error as {
    message?: unknown;
    errstr?: unknown;
    errcode?: unknown;
  };
  if (typeof message === "string" && message.includes("no such table")) {
    return "the schema is missing: run migrate() first";
  }
  return typeof errstr === "string" ? `${errstr} (SQLite error ${String(errcode)})` : undefined;
}

/**
 * Every storage interface on an embedded SQLite database, through Node's built-in `node:sqlite` (no
 * native addon). The database is opened at once (WAL mode); the schema is created only by
 * `migrate()`.
 *
 * Calls are synchronous underneath: they block the event loop for the time of the statement, which is
 * microseconds for these indexed queries. Writes are grouped per event-loop turn (see `groupCommit`)
 * and resolve after their commit.
 *
 * @throws ConfigError when an option is invalid (naming the field).
 * @throws StorageError when the file cannot be opened, or SQLite refuses WAL mode on it.
 * @example
 * const storage = createSqliteStorage({ path: "./revtrace.db" });
 * await storage.migrate();
 * await storage.claimReceipt({ key: "chargebee:ev_1", type: "payment_succeeded", receivedAt: Date.now() });
 */
export function createSqliteStorage(options: SqliteStorageOptions): Storage {
  const resolved = parseSqliteStorageOptions(options);
  let connection: ReturnType<typeof openSqliteConnection>;
  try {
    connection = openSqliteConnection(resolved);
  } catch (error) {
    // Already ours (WAL refused): it says why.
    if (StorageError.isInstance(error)) throw error;
    const detail = describeSqliteError(error);
    throw new StorageError(
      `sqlite storage: cannot open the database${detail ? `: ${detail}` : ""}`,
      {
        engine: "sqlite",
        cause: error,
      },
    );
  }
  let closed = false;
  const inFlight = createInFlightCalls("sqlite");
  let closing: Promise<void> | undefined;
  /** Every store over `on` (the connection, or its view whose writes resolve once applied). */
  const storesOver = <E extends Record<string, (...args: never[]) => Promise<unknown>>>(
    on: SqliteConnection,
    extra: E,
  ) =>
    guardStorageMethods(
      {
        ...extra,
        ...createSqliteIdentityStore(on),
        ...createSqliteTouchpointStore(on),
        ...createSqliteReceiptStore(on),
        ...createSqliteOutboxStore(on),
        ...createSqliteLedgerStore(on),
        ...createSqliteResourceVersionStore(on),
        ...createSqliteInboxStore(on),
        ...createSqliteMappingStore(on),
        migrate: () => applySqliteMigrations(connection, readSqliteMigrations(), Date.now()),
      },
      {
        engine: "sqlite",
        isClosed: () => closed,
        describe: describeSqliteError,
        validate: checkStorageInput,
        inFlight,
      },
    );
  const methods = storesOver(connection, {});
  const close = () => {
    // Calls made before close() finish first: reads are synchronous, writes wait at most for their
    // group's commit (the next event-loop turn), so the wait is short and needs no bound.
    closing ??= inFlight.drain(Number.POSITIVE_INFINITY).then(() => {
      closed = true;
      return connection.close();
    });
    return closing;
  };
  let deferred: DeferredCommitStorage | undefined;
  const deferredCommits = (): DeferredCommitStorage => {
    deferred ??= {
      ...storesOver(
        { ...connection, write: (op) => connection.write(op, "apply") },
        // A write that waits for its commit and writes nothing: the commit of the turn.
        { committed: () => connection.write(() => undefined) },
      ),
      engine: "sqlite",
      close,
      deferredCommits,
    };
    return deferred;
  };
  return { ...methods, engine: "sqlite", close, deferredCommits };
}
