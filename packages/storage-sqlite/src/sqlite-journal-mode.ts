import type { DatabaseSync } from "node:sqlite";
import { StorageError } from "@revtrace/core";

/**
 * Puts the database in WAL mode and checks SQLite's answer: `PRAGMA journal_mode = WAL` does not
 * fail when WAL is unavailable, it answers the mode it kept (`delete` on a VFS without shared memory,
 * as on some network file systems). The engine's guarantees rest on WAL (readers alongside the writer,
 * and `synchronous: "NORMAL"` being safe against a process crash only in WAL, see
 * https://www.sqlite.org/pragma.html#pragma_synchronous), so any other answer fails the open rather
 * than running with weaker guarantees behind a warning nobody reads. A private `:memory:` database
 * answers `memory` (it has no file to share or recover): accepted.
 *
 * @throws StorageError (`engine: "sqlite"`) naming the mode SQLite kept.
 */
export function useWalJournal(db: DatabaseSync, path: string): void {
  const row = db.prepare("PRAGMA journal_mode = WAL").get() as
    | { journal_mode?: unknown }
    | undefined;
  const mode = String(row?.journal_mode).toLowerCase();
  if (mode === "wal" || (path === ":memory:" && mode === "memory")) return;
  throw new StorageError(
    `sqlite storage: cannot open the database: WAL was requested and SQLite kept journal_mode "${mode}" (WAL needs a file system with shared memory: put the file on a local disk)`,
    { engine: "sqlite" },
  );
}
