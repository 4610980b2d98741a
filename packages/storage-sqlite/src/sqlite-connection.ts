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
   * once the transaction committed.
   */
  write<T>(op: () => T): Promise<T>;
  /** Commits pending writes now, then closes the database (and stops its checkpointer). Idempotent. */
  close(): Promise<void>;
}

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
    db.exec("BEGIN IMMEDIATE");
    try {
      if (batch.length === 1) {
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
    if (batch.length === 0) return;
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

  let open = true;
  return {
    db,
    statement,
    write<T>(op: () => T) {
      return new Promise<T>((resolve, reject) => {
        queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
        if (!options.groupCommit) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
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
