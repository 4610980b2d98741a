import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../src/index.js";
import { killWorkers, startWorker, watchLines } from "./child-process.js";

const dir = mkdtempSync(join(tmpdir(), "revtrace-crash-"));
// A test that times out or fails before it stops its workers must not leave them running.
afterEach(killWorkers);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("crash safety", () => {
  it.each(["FULL", "NORMAL"])(
    "keeps every committed write when the writer is SIGKILLed (synchronous=%s)",
    async (synchronous) => {
      const path = join(dir, `crash-${synchronous}.db`);
      const setup = createSqliteStorage({ path });
      await setup.migrate();
      await setup.close();

      const child = startWorker("write", path, synchronous);
      let acknowledged = -1;
      const exited = watchLines(child, (line) => {
        acknowledged = Number(line);
        if (acknowledged === 400) child.kill("SIGKILL");
      });
      const { signal, stderr } = await exited;
      expect(signal, stderr).toBe("SIGKILL");
      expect(acknowledged).toBeGreaterThanOrEqual(400);

      const raw = new DatabaseSync(path);
      expect(raw.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      raw.close();

      const storage = createSqliteStorage({ path });
      await storage.migrate();
      const commissions = await storage.listCommissions();
      const items = await storage.claim({ sink: "s", limit: 100_000, leaseMs: 1, now: 1e15 });
      // Everything acknowledged is there; the write in flight at the kill is all there or all gone.
      const stored = commissions.length;
      expect(stored === acknowledged + 1 || stored === acknowledged + 2).toBe(true);
      expect(commissions.map((c) => c.seq)).toEqual(commissions.map((_, i) => i + 1));
      expect(commissions.map((c) => c.key)).toEqual(commissions.map((_, i) => `k${i}`));
      expect(items.map((item) => item.idempotencyKey)).toEqual(commissions.map((c) => c.key));
      for (let i = 0; i < stored; i++) {
        expect(await storage.getReceipt(`k${i}`)).toEqual({
          key: `k${i}`,
          type: "t",
          receivedAt: i,
        });
      }
      expect(await storage.getReceipt(`k${stored}`)).toBeNull();
      await storage.close();
    },
    60_000,
  );
});
