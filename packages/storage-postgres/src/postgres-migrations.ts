import { readdirSync, readFileSync } from "node:fs";
import { StorageError } from "@revtrace/core";
import { inTransaction } from "./pg-transaction.js";
import type { PgPoolLike } from "./pg-types.js";

/** One SQL migration file, `NNNN_name.sql`. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with the package (`migrations/`, next to `src/` and `dist/`). */
export const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);

/** Reads the migration files of `dir` in version order. */
export function readPostgresMigrations(dir: URL = MIGRATIONS_DIR): PostgresMigration[] {
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

/** `"name"`: a quoted identifier (names are validated to `[a-z0-9_]` before they get here). */
export const quote = (name: string) => `"${name}"`;

/**
 * Creates `schema` and applies the migrations not applied yet, in one transaction holding a
 * transaction-level advisory lock on the schema's name: processes migrating at once run one after
 * the other, and the later ones find nothing to do. Refuses a schema migrated by a newer version of
 * this package.
 */
export async function applyPostgresMigrations(
  pool: PgPoolLike,
  schema: string,
  migrations: readonly PostgresMigration[],
  now: number,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `revtrace.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quote(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS revtrace_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)",
    );
    const { rows } = await client.query("SELECT version FROM revtrace_migrations");
    const applied = new Set(rows.map((row) => Number(row.version)));
    const newest = Math.max(0, ...applied);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new StorageError(
        `The database schema is at version ${newest}, newer than this package knows (${known}); upgrade @revtrace/storage-postgres`,
        { engine: "postgres" },
      );
    }
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(
        "INSERT INTO revtrace_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        [migration.version, migration.name, now],
      );
    }
  });
}
