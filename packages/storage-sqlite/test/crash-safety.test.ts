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

/**
 * The kill points are drawn from this seed: `CRASH_SEED=<n>` replays a run, and a failure names the
 * seed it ran with.
 */
const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Trials per `synchronous` mode, each killed at a point of its own. */
const TRIALS = 4;
/** The last acknowledged write after which a kill may land. */
const MAX_WRITES = 1_500;

/** A deterministic pseudo-random generator (mulberry32). */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Where each trial kills the writer: after it acknowledged write `after` (0 to MAX_WRITES), and
 * then `delayMs` later (0 to 4 ms), so the kill lands anywhere in the writes that follow, in a
 * commit, between commits or in the fsync, not on the acknowledgement's boundary only.
 */
const next = random(seed);
const points = ["FULL", "NORMAL"].flatMap((synchronous) =>
  Array.from({ length: TRIALS }, (_, trial) => ({
    synchronous,
    trial,
    after: Math.floor(next() * (MAX_WRITES + 1)),
    delayMs: Math.floor(next() * 5),
  })),
);

/** Runs `check`, naming the seed (and the kill point) in its failure. */
async function replayable(what: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    const message = `${(error as Error).message}\n(${what}; replay with CRASH_SEED=${seed})`;
    throw Object.assign(error as Error, { message });
  }
}

describe(`crash safety (CRASH_SEED=${seed})`, () => {
  it.each(points)(
    "keeps every committed write when the writer is SIGKILLed (synchronous=$synchronous, trial $trial)",
    async ({ synchronous, trial, after, delayMs }) => {
      const point = `killed after write ${after} + ${delayMs} ms, synchronous=${synchronous}`;
      await replayable(point, async () => {
        const path = join(dir, `crash-${synchronous}-${trial}.db`);
        const setup = createSqliteStorage({ path });
        await setup.migrate();
        await setup.close();

        const child = startWorker("write", path, synchronous);
        let acknowledged = -1;
        const exited = watchLines(child, (line) => {
          acknowledged = Number(line);
          if (acknowledged === after) setTimeout(() => child.kill("SIGKILL"), delayMs);
        });
        const { signal, stderr } = await exited;
        expect(signal, stderr).toBe("SIGKILL");
        expect(acknowledged).toBeGreaterThanOrEqual(after);

        const raw = new DatabaseSync(path);
        expect(raw.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        raw.close();

        const storage = createSqliteStorage({ path });
        await storage.migrate();
        const commissions = await storage.listCommissions();
        const items = await storage.claim({ sink: "s", limit: 100_000, leaseMs: 1, now: 1e15 });
        // Everything acknowledged is there; the write in flight at the kill is all there or all gone.
        const stored = commissions.length;
        expect([acknowledged + 1, acknowledged + 2]).toContain(stored);
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
      });
    },
    60_000,
  );
});

describe(`crash safety of deferred commits (CRASH_SEED=${seed})`, () => {
  const deferredPoints = points.filter((point) => point.trial < 2);
  it.each(deferredPoints)(
    "keeps every write committed() covered, applied writes after it all there or all gone (synchronous=$synchronous, trial $trial)",
    async ({ synchronous, trial, after, delayMs }) => {
      const point = `killed after committed ${after} + ${delayMs} ms, synchronous=${synchronous}`;
      await replayable(point, async () => {
        const path = join(dir, `deferred-${synchronous}-${trial}.db`);
        const setup = createSqliteStorage({ path });
        await setup.migrate();
        await setup.close();

        const child = startWorker("deferred", path, synchronous);
        let covered = -1;
        const exited = watchLines(child, (line) => {
          covered = Number(line);
          if (covered >= after && covered - 7 < after) {
            setTimeout(() => child.kill("SIGKILL"), delayMs);
          }
        });
        const { signal, stderr } = await exited;
        expect(signal, stderr).toBe("SIGKILL");
        expect(covered).toBeGreaterThanOrEqual(after);

        const raw = new DatabaseSync(path);
        expect(raw.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
        raw.close();

        const storage = createSqliteStorage({ path });
        await storage.migrate();
        const commissions = await storage.listCommissions();
        const items = await storage.claim({ sink: "s", limit: 100_000, leaseMs: 1, now: 1e15 });
        // Whole turns are committed: a prefix at least up to the last covered write, no gaps, and
        // the three writes of each step together.
        const stored = commissions.length;
        expect(stored).toBeGreaterThanOrEqual(covered + 1);
        expect(commissions.map((c) => c.key)).toEqual(commissions.map((_, i) => `k${i}`));
        expect(items.map((item) => item.idempotencyKey)).toEqual(commissions.map((c) => c.key));
        for (let i = 0; i < stored; i++) expect(await storage.getReceipt(`k${i}`)).not.toBeNull();
        expect(await storage.getReceipt(`k${stored}`)).toBeNull();
        await storage.close();
      });
    },
    60_000,
  );
});
