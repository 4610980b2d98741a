import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../src/index.js";
import { killWorkers, startWorker, watchLines } from "./child-process.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-multi-"));
// A test that times out or fails before it stops its workers must not leave them running.
afterEach(killWorkers);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RaceResult {
  receipts: string[];
  claimed: string[];
  acked: number;
  appended: number;
}

describe("several processes on one database file", () => {
  it("agree: one winner per receipt, each outbox item claimed once, a gapless ledger", async () => {
    const path = join(dir, "race.db");
    const setup = createSqliteStorage({ path });
    await setup.migrate();
    await setup.enqueue(
      Array.from({ length: 600 }, (_, i) => ({
        sink: "s",
        idempotencyKey: `o${i}`,
        payload: { i },
      })),
      0,
    );
    await setup.close();

    const workers = Array.from({ length: 4 }, () => startWorker("race", path));
    const results: RaceResult[] = [];
    let ready = 0;
    const exits = workers.map((child) =>
      watchLines(child, (line) => {
        if (line === "ready" && ++ready === workers.length)
          for (const w of workers) w.stdin.end("go\n");
        else if (line.startsWith("{")) results.push(JSON.parse(line) as RaceResult);
      }),
    );
    for (const { code, stderr } of await Promise.all(exits)) expect(code, stderr).toBe(0);
    expect(results).toHaveLength(4);

    const receipts = results.flatMap((r) => r.receipts);
    expect(receipts).toHaveLength(1000);
    expect(new Set(receipts).size).toBe(1000);
    const claimed = results.flatMap((r) => r.claimed);
    expect(claimed).toHaveLength(600);
    expect(new Set(claimed).size).toBe(600);
    expect(results.reduce((sum, r) => sum + r.acked, 0)).toBe(600);
    expect(results.reduce((sum, r) => sum + r.appended, 0)).toBe(200);

    const storage = createSqliteStorage({ path });
    const ledger = await storage.listCommissions();
    expect(ledger.map((c) => c.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await storage.claim({ sink: "s", limit: 1_000, leaseMs: 1, now: 1e15 })).toEqual([]);
    await storage.close();
  }, 120_000);
});
