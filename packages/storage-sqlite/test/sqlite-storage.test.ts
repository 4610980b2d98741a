import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ConfigError, StorageError, type Touchpoint } from "@revtrace/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createSqliteStorage, readSqliteMigrations } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-sqlite-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `db-${n++}.db`);

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );

const tables = (path: string) => {
  const raw = new DatabaseSync(path);
  const names = raw
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
  raw.close();
  return names;
};

const touchpoint = (id: string, occurredAt: number): Touchpoint => ({
  id,
  anonymousId: "anon",
  occurredAt,
  clickIds: {},
  utm: {},
  channel: "direct",
});

describe("createSqliteStorage options", () => {
  it.each([
    [{}, ["path"]],
    [{ path: "" }, ["path"]],
    [{ path: "x.db", synchronous: "OFF" }, ["synchronous"]],
    [{ path: "x.db", busyTimeoutMs: -1, groupCommit: "yes" }, ["busyTimeoutMs", "groupCommit"]],
  ])("rejects %j naming the fields", (options, fields) => {
    let error: unknown;
    try {
      createSqliteStorage(options as never);
    } catch (e) {
      error = e;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).fields).toEqual(fields);
  });

  it("fails with StorageError when the file cannot be opened", () => {
    expect(() => createSqliteStorage({ path: join(dir, "missing-dir", "x.db") })).toThrow(
      StorageError,
    );
  });
});

describe("migrations", () => {
  it("ship as SQL files listed in the package's files", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      files: string[];
    };
    expect(pkg.files).toContain("migrations");
    const migrations = readSqliteMigrations();
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, "initial"],
      [2, "inbox"],
      [3, "mappings"],
      [4, "identity_edge_order"],
    ]);
    expect(migrations[0]?.sql).toContain("CREATE TABLE receipts");
  });

  it("are never applied implicitly: calls before migrate() fail and create nothing", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    const error = await rejection(storage.claimReceipt({ key: "k", type: "t", receivedAt: 1 }));
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toBe(
      "sqlite storage: claimReceipt failed: the schema is missing: run migrate() first",
    );
    expect(await rejection(storage.getReceipt("k"))).toBeInstanceOf(StorageError);
    await storage.close();
    expect(tables(path)).toEqual([]);
  });

  it("are applied once, recorded, and the database runs in WAL mode", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    await Promise.all([storage.migrate(), storage.migrate()]);
    await storage.close();
    const raw = new DatabaseSync(path);
    expect(raw.prepare("SELECT version, name FROM revtrace_migrations").all()).toEqual([
      { version: 1, name: "initial" },
      { version: 2, name: "inbox" },
      { version: 3, name: "mappings" },
      { version: 4, name: "identity_edge_order" },
    ]);
    expect(raw.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    raw.close();
    expect(tables(path)).toContain("outbox");
  });

  it("refuse a database migrated by a newer version of the package", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    const raw = new DatabaseSync(path);
    raw.exec("INSERT INTO revtrace_migrations VALUES (999, 'future', 0)");
    raw.close();
    const error = await rejection(storage.migrate());
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/version 999, newer than this package knows \(4\)/);
    await storage.close();
  });
});

describe("writes", () => {
  it("group commit: a failing write is undone alone, the others in its transaction commit", async () => {
    const storage = createSqliteStorage({ path: freshPath() });
    await storage.migrate();
    const poisoned = { ...touchpoint("bad", 1), extra: 1n } as unknown as Touchpoint;
    const results = await Promise.allSettled([
      storage.claimReceipt({ key: "a", type: "t", receivedAt: 1 }),
      storage.addTouchpoints([touchpoint("good-in-bad-batch", 1), poisoned]),
      storage.claimReceipt({ key: "b", type: "t", receivedAt: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(StorageError.isInstance((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(await storage.getReceipt("a")).not.toBeNull();
    expect(await storage.getReceipt("b")).not.toBeNull();
    expect(await storage.getTouchpoint("good-in-bad-batch")).toBeNull();
    await storage.close();
  });

  it("ingest joins the group commit: one transaction for concurrent webhooks, each answered after COMMIT", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    const reader = new DatabaseSync(path);
    const visible = (key: string) =>
      reader.prepare("SELECT count(*) AS n FROM inbox_events WHERE key = ?").get(key)?.n;
    const exec = vi.spyOn(DatabaseSync.prototype, "exec");
    try {
      const seenAtResolve: unknown[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage
            .ingest(
              {
                key: `k${i % 10}`,
                source: "chargebee",
                type: "t",
                receivedAt: i,
                rawBody: "{}",
                event: {},
              },
              [{ sink: "s", idempotencyKey: `w${i}`, payload: {} }],
            )
            .then(() => seenAtResolve.push(visible(`k${i % 10}`))),
        ),
      );
      expect(exec.mock.calls.filter(([sql]) => sql === "BEGIN IMMEDIATE")).toHaveLength(1);
      expect(exec.mock.calls.filter(([sql]) => sql === "COMMIT")).toHaveLength(1);
      // Another connection sees each event by the time its ingest resolves: it was committed.
      expect(seenAtResolve).toEqual(Array.from({ length: 20 }, () => 1));
    } finally {
      exec.mockRestore();
      reader.close();
      await storage.close();
    }
  });

  it("a lone failing write rolls back completely", async () => {
    const storage = createSqliteStorage({ path: freshPath(), groupCommit: false });
    await storage.migrate();
    const poisoned = { ...touchpoint("bad", 1), extra: 1n } as unknown as Touchpoint;
    await expect(storage.addTouchpoints([touchpoint("first", 1), poisoned])).rejects.toThrow(
      StorageError,
    );
    expect(await storage.getTouchpoint("first")).toBeNull();
    expect(await storage.claimReceipt({ key: "a", type: "t", receivedAt: 1 })).toBe(true);
    await storage.close();
  });

  it("close() commits the writes still waiting for their group", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    const pending = storage.claimReceipt({ key: "late", type: "t", receivedAt: 1 });
    await storage.close();
    expect(await pending).toBe(true);
    const reopened = createSqliteStorage({ path });
    expect(await reopened.getReceipt("late")).toEqual({ key: "late", type: "t", receivedAt: 1 });
    await reopened.close();
  });

  it("waits busyTimeoutMs for another writer's lock, then fails with StorageError", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path, busyTimeoutMs: 50 });
    await storage.migrate();
    const other = new DatabaseSync(path);
    other.exec("BEGIN IMMEDIATE");
    const error = await rejection(storage.claimReceipt({ key: "k", type: "t", receivedAt: 1 }));
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/database is locked/);
    other.exec("ROLLBACK");
    other.close();
    expect(await storage.claimReceipt({ key: "k", type: "t", receivedAt: 1 })).toBe(true);
    await storage.close();
  });

  it("keeps the ledger append-only even against raw SQL", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    await storage.appendCommissions([
      {
        key: "c1",
        partnerId: "p",
        programId: null,
        kind: "earned",
        amount: { amount: 1, currency: "USD" },
        transactionId: null,
        refundTransactionId: null,
        subscriptionId: null,
        customerId: null,
        occurredAt: 0,
        note: null,
      },
    ]);
    await storage.close();
    const raw = new DatabaseSync(path);
    expect(() => raw.exec("UPDATE commissions SET amount = 2")).toThrow(/append-only/);
    expect(() => raw.exec("DELETE FROM commissions")).toThrow(/append-only/);
    raw.close();
  });
});

describe("deferredCommits()", () => {
  it("answers a write once applied; other connections see it after the turn's commit", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    const view = storage.deferredCommits?.();
    if (!view) throw new Error("expected deferredCommits");
    expect(storage.deferredCommits?.()).toBe(view);
    const other = createSqliteStorage({ path });
    await view.claimReceipt({ key: "k1", type: "t", receivedAt: 1 });
    // Applied: this connection (either view) reads it; another does not yet.
    expect(await storage.getReceipt("k1")).not.toBeNull();
    expect(await other.getReceipt("k1")).toBeNull();
    await view.committed();
    expect(await other.getReceipt("k1")).not.toBeNull();
    await other.close();
    await storage.close();
  });

  it("undoes a failing write alone: the writes applied beside it commit", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path });
    await storage.migrate();
    const view = storage.deferredCommits?.();
    if (!view) throw new Error("expected deferredCommits");
    await view.appendCommissions([
      {
        key: "c1",
        partnerId: "p",
        programId: null,
        kind: "earned",
        amount: { amount: 100, currency: "USD" },
        transactionId: null,
        refundTransactionId: null,
        subscriptionId: null,
        customerId: null,
        occurredAt: 1,
        note: null,
      },
    ]);
    const refused = await rejection(view.advanceResourceVersion("customer", "c", 1.5));
    expect(StorageError.isInstance(refused)).toBe(true);
    // A durable write of the same turn joins the transaction and resolves after its commit.
    expect(await storage.claimReceipt({ key: "k", type: "t", receivedAt: 1 })).toBe(true);
    await storage.close();
    const again = createSqliteStorage({ path });
    expect(await again.listCommissions()).toHaveLength(1);
    expect(await again.getReceipt("k")).not.toBeNull();
    expect(await again.getResourceVersion("customer", "c")).toBeNull();
    await again.close();
  });
});
