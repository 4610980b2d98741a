import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { StorageError } from "@revtrace/core";
import { afterAll, describe, expect, it } from "vitest";
import { useWalJournal } from "../src/sqlite-journal-mode.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-sqlite-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the journal_mode answer", () => {
  it("is WAL on a local file", () => {
    const db = new DatabaseSync(join(dir, "local.db"));
    useWalJournal(db, join(dir, "local.db"));
    expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  it("may be `memory` for a private in-memory database", () => {
    const db = new DatabaseSync(":memory:");
    expect(() => useWalJournal(db, ":memory:")).not.toThrow();
    db.close();
  });

  it("fails the open with a StorageError when SQLite keeps another mode", () => {
    // A VFS without shared memory (`unix-none`): SQLite does not fail the pragma, it answers the
    // journal mode it kept ("delete"), as on a network file system.
    const url = pathToFileURL(join(dir, "no-shm.db"));
    url.searchParams.set("vfs", "unix-none");
    const db = new DatabaseSync(url);
    let error: unknown;
    try {
      useWalJournal(db, url.pathname);
    } catch (e) {
      error = e;
    }
    db.close();
    expect(StorageError.isInstance(error), String(error)).toBe(true);
    expect((error as StorageError).engine).toBe("sqlite");
    expect((error as StorageError).httpStatus).toBe(503);
    expect((error as Error).message).toBe(
      'sqlite storage: cannot open the database: WAL was requested and SQLite kept journal_mode "delete" (WAL needs a file system with shared memory: put the file on a local disk)',
    );
  });
});
