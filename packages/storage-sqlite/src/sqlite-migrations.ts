import { readdirSync, readFileSync } from "node:fs";
import { StorageError } from "@revtrace/core";
import type { SqliteConnection } from "./sqlite-connection.js";

/** One SQL migration file, `NNNN_name.sql`. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with the package (`migrations/`, next to `src/` and `dist/`). */
export const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);

/** Reads the migration files of `dir` in version order. */
export function readSqliteMigrations(dir: URL = MIGRATIONS_DIR): SqliteMigration[] {
  return readdirSync(dir)
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((match) => match !== null)
    .map(([file, version, name]) => ({
      version: Number(version),
      name: name as string,
      sql: readFileSync(new URL(file as string, dir), "utf8"),
    }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies the migrations not applied yet, all in one IMMEDIATE transaction (so a second process
 * waits, then finds nothing to do), and records them in `revtrace_migrations`. Refuses a database
 * migrated by a newer version of this package.
 */
export function applySqliteMigrations(
  connection: SqliteConnection,
  migrations: readonly SqliteMigration[],
  now: number,
): Promise<void> {
  const { db } = connection;
  return connection.write(() => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS revtrace_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const applied = new Set(
      db
        .prepare("SELECT version FROM revtrace_migrations")
        .all()
        .map((row) => Number(row.version)),
    );
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new StorageError(
        `The database schema is at version ${newest}, newer than this package knows (${known}); upgrade @revtrace/storage-sqlite`,
        { engine: "sqlite" },
      );
    }
    const record = db.prepare(
      "INSERT INTO revtrace_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, now);
    }
  });
}
