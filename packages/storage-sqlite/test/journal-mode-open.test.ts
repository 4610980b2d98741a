/**
 * `createSqliteStorage` on a file where SQLite refuses WAL: `node:sqlite` is wrapped so that a path
 * ending in `no-shm.db` opens through the `unix-none` VFS (no shared memory), where SQLite answers
 * `PRAGMA journal_mode = WAL` with "delete", as on a file system without shared memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { StorageError } from "@revtrace/core";
import { afterAll, expect, it, vi } from "vitest";
import { createSqliteStorage } from "../src/index.js";

vi.mock("node:sqlite", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:sqlite")>();
  class DatabaseSync extends real.DatabaseSync {
    constructor(path: string | URL, options?: ConstructorParameters<typeof real.DatabaseSync>[1]) {
      if (typeof path === "string" && path.endsWith("no-shm.db")) {
        const url = pathToFileURL(path);
        url.searchParams.set("vfs", "unix-none");
        super(url, options);
      } else super(path, options);
    }
  }
  return { ...real, DatabaseSync };
});

const dir = mkdtempSync(join(tmpdir(), "revtrace-sqlite-wal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("refuses to open a file SQLite keeps out of WAL mode, with the StorageError that says so", () => {
  let error: unknown;
  try {
    createSqliteStorage({ path: join(dir, "no-shm.db") });
  } catch (e) {
    error = e;
  }
  expect(StorageError.isInstance(error), String(error)).toBe(true);
  expect((error as StorageError).engine).toBe("sqlite");
  expect((error as Error).message).toMatch(
    /^sqlite storage: cannot open the database: WAL was requested and SQLite kept journal_mode "delete"/,
  );
  // The same directory, through the default VFS, opens in WAL mode.
  const storage = createSqliteStorage({ path: join(dir, "local.db") });
  return storage.close();
});
