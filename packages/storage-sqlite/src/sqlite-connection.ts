import { DatabaseSync, type StatementSync } from "node:sqlite";
import { type Checkpointer, SAFETY_NET_PAGES, startCheckpointer } from "./sqlite-checkpointer.js";
import { useWalJournal } from "./sqlite-journal-mode.js";
import type { ResolvedSqliteStorageOptions } from "./sqlite-options.js";

/** One open database: cached prepared statements and the write path (see `groupCommit`). */
export interface SqliteConnection {
  readonly db: DatabaseSync;
  /** A prepared statement, prepared once per connection. */
  statement(sql: string): StatementSync;
  /**
   * Runs `op` (synchronous; it must not await) inside a write transaction and resolves with its result
   * once the transaction committed (`durability: "commit"`, the default: the op runs in the turn's
   * group commit). With `"apply"` (and group commit on), `op` runs at once, in a savepoint of the
   * write transaction it opens or joins, and resolves then: its effects are visible to every later
   * read and write of this connection and become durable with the turn's COMMIT. That transaction holds
   * SQLite's write lock until the turn ends: another connection to the file in the same thread waits
   * up to `busyTimeoutMs`.
   */
  write<T>(op: () => T, durability?: WriteDurability): Promise<T>;
  /** Commits pending writes now, then closes the database (and stops its checkpointer). Idempotent. */
  close(): Promise<void>;
}

/** When a write resolves: once committed (durable), or once applied (see `SqliteConnection.write`). */
export type WriteDurability = "commit" | "apply";

interface Pending {
  op: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Opens `options.path` with WAL (or fails: see `useWalJournal`), the chosen `synchronous` level and a busy timeout. */
export function openSqliteConnection(options: ResolvedSqliteStorageOptions): SqliteConnection {
  const db = new DatabaseSync(options.path, { enableForeignKeyConstraints: true });
  try {
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
    // WAL lets readers run while one writer commits (`:memory:` databases keep their own journal).
    useWalJournal(db, options.path);
    db.exec(`PRAGMA synchronous = ${options.synchronous}`);
  } catch (error) {
    db.close();
    throw error;
  }
  let checkpointer: Checkpointer | null = null;
  if (options.checkpointIntervalMs > 0 && options.path !== ":memory:") {
    db.exec(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    checkpointer = startCheckpointer(options.path, options.checkpointIntervalMs);
  }

  const statements = new Map<string, StatementSync>();
  const statement = (sql: string) => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };

  let queue: Pending[] = [];
  let scheduled = false;
  /** True while writes applied at once (`"apply"`) hold the write transaction open for the flush. */
  let applying = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
  const attempt = (op: () => unknown): Outcome => {
    try {
      return { ok: true, value: op() };
    } catch (error) {
      return { ok: false, error };
    }
  };

  /**
   * One IMMEDIATE transaction for the whole batch. A lone write that fails rolls the transaction
   * back; in a larger batch each write runs in a savepoint, so a failing one is undone alone.
   */
  const runBatch = (batch: readonly Pending[]): Outcome[] => {
    // Joins the transaction of the writes applied at once in this turn, if any (never rolled back
    // whole then: those writes were answered already).
    const joined = applying;
    applying = false;
    if (!joined) db.exec("BEGIN IMMEDIATE");
    try {
      if (batch.length === 1 && !joined) {
        const outcome = attempt((batch[0] as Pending).op);
        db.exec(outcome.ok ? "COMMIT" : "ROLLBACK");
        return [outcome];
      }
      const outcomes = batch.map((pending) => {
        db.exec("SAVEPOINT write");
        const outcome = attempt(pending.op);
        if (!outcome.ok) db.exec("ROLLBACK TO write");
        db.exec("RELEASE write");
        return outcome;
      });
      db.exec("COMMIT");
      return outcomes;
    } catch (error) {
      try {
        db.exec("ROLLBACK");
      } catch {
        // SQLite already rolled back (it does on some errors): nothing left to undo.
      }
      throw error;
    }
  };

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    // Nothing queued, but writes applied at once wait for this COMMIT: runBatch commits them alone.
    if (batch.length === 0 && !applying) return;
    let outcomes: Outcome[];
    try {
      outcomes = runBatch(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  };

  /** Runs `op` now in the open write transaction (opening it), in a savepoint of its own. */
  const applyNow = (op: () => unknown): unknown => {
    if (!applying) {
      db.exec("BEGIN IMMEDIATE");
      applying = true;
      schedule();
    }
    db.exec("SAVEPOINT write");
    try {
      const value = op();
      db.exec("RELEASE write");
      return value;
    } catch (error) {
      try {
        db.exec("ROLLBACK TO write");
        db.exec("RELEASE write");
      } catch {
        // SQLite rolled the whole transaction back (SQLITE_FULL, an I/O error, ...).
      }
      if (!db.isTransaction) applying = false;
      throw error;
    }
  };

  let open = true;
  return {
    db,
    statement,
    write<T>(op: () => T, durability: WriteDurability = "commit") {
      if (durability === "apply" && options.groupCommit) {
        try {
          return Promise.resolve(applyNow(op) as T);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
        if (!options.groupCommit) flush();
        else schedule();
      });
    },
    async close() {
      if (!open) return;
      open = false;
      flush();
      // The thread's connection closes first, so this one is the last: as without the thread, its
      // close checkpoints the WAL and removes the -wal and -shm files before close() resolves.
      await checkpointer?.stop();
      db.close();
    },
  };
}
