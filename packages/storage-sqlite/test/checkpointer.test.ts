/**
 * The background WAL checkpointer: committed pages reach the database file without a commit paying
 * for it, and close() still ends with the WAL checkpointed and removed.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-sqlite-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `db-${n++}.db`);

/** 100 events of ~2 KB each: ~250 pages in the WAL, under SQLite's own 1,000-page autocheckpoint. */
async function writeEvents(storage: ReturnType<typeof createSqliteStorage>) {
  await storage.migrate();
  const body = "x".repeat(2_000);
  await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      storage.ingest(
        { key: `k${i}`, source: "test", type: "t", receivedAt: 1, rawBody: body, event: { i } },
        [],
      ),
    ),
  );
}

const size = (path: string) => statSync(path).size;

describe("the background checkpointer", () => {
  it("copies committed pages into the database file soon after the commit", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path, checkpointIntervalMs: 20 });
    await writeEvents(storage);
    const before = size(path);
    // Polled, not timed: the thread checkpoints on its next tick.
    for (let i = 0; i < 250 && size(path) <= before + 100_000; i++) await sleep(20);
    expect(size(path)).toBeGreaterThan(before + 100_000);
    await storage.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it("is off with checkpointIntervalMs 0: small commits stay in the WAL until close()", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path, checkpointIntervalMs: 0 });
    await writeEvents(storage);
    const before = size(path);
    await sleep(100);
    expect(size(path)).toBe(before);
    expect(size(`${path}-wal`)).toBeGreaterThan(100_000);
    await storage.close();
    expect(size(path)).toBeGreaterThan(before + 100_000);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("leaves the data intact for a later open, and close() twice is one close", async () => {
    const path = freshPath();
    const storage = createSqliteStorage({ path, checkpointIntervalMs: 5 });
    await writeEvents(storage);
    await Promise.all([storage.close(), storage.close()]);
    const again = createSqliteStorage({ path });
    expect((await again.getInboxEvent("k99"))?.event).toEqual({ i: 99 });
    expect(await again.listInboxEvents({ limit: 1_000 })).toHaveLength(100);
    await again.close();
  });

  it("is refused as a negative or fractional interval", () => {
    expect(() => createSqliteStorage({ path: freshPath(), checkpointIntervalMs: -1 })).toThrow(
      /checkpointIntervalMs/,
    );
    expect(() => createSqliteStorage({ path: freshPath(), checkpointIntervalMs: 1.5 })).toThrow(
      /checkpointIntervalMs/,
    );
  });
});
