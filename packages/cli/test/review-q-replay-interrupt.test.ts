/**
 * review-q: Ctrl-C / SIGTERM during `revtrace replay`'s drain. The README says interrupting a replay
 * stops it and exits 4 ("run it again to go on"); the signal handler only stopped the file loop, so
 * once the files were stored the signal was swallowed and the drain went on, against a destination
 * that does not answer, for its whole 300 s timeout (then exit 1).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createUi, runReplay } from "../src/index.ts";
import {
  CONFIG_FILE,
  paymentBody,
  spawnCli,
  startSilentServer,
  tempDir,
  testConfig,
} from "./helpers.ts";

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

async function exitWithin(child: ReturnType<typeof spawnCli>, ms: number) {
  const timer = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms));
  const code = await Promise.race([child.code, timer]);
  if (code === "hung") child.kill("SIGKILL");
  return code;
}

/** Resolves once the replayed event is in the inbox (the file loop is over: the drain is next). */
async function storedEvents(db: string, atLeast: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(db)) {
      try {
        const read = new DatabaseSync(db, { readOnly: true });
        try {
          const row = read.prepare("SELECT count(*) AS n FROM inbox_events").get() as { n: number };
          if (row.n >= atLeast) return;
        } finally {
          read.close();
        }
      } catch {
        // not migrated yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the replay never stored its events");
}

let silent: { url: string; close: () => void } | undefined;
afterEach(() => {
  silent?.close();
  silent = undefined;
});

describe("revtrace replay, interrupted while draining", { timeout: 60_000 }, () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} ends the drain: exit 4, "Interrupted", no stack, the work kept for a rerun`, async () => {
      const dir = tempDir();
      const body = join(dir, "payment.json");
      writeFileSync(body, paymentBody(1));
      // Neither destination answers: the drain can only wait for its sends, then retry them.
      silent = await startSilentServer();
      const child = spawnCli(["replay", "--config", CONFIG_FILE, "--from", body, "--quiet"], {
        REVTRACE_TEST_DIR: dir,
        REVTRACE_TEST_TIKTOK: silent.url,
        REVTRACE_TEST_ACTIVECAMPAIGN: silent.url,
      });
      await storedEvents(join(dir, "revtrace.db"), 1, 30_000);
      child.kill(signal);
      const code = await exitWithin(child, 20_000);
      expect(code).toBe(4);
      expect(child.stdout()).toContain("Interrupted");
      expect(child.stderr()).not.toMatch(STACK);
      // Nothing was lost: the deliveries are still in the outbox for the rerun (or a serve).
      const read = new DatabaseSync(join(dir, "revtrace.db"), { readOnly: true });
      try {
        const row = read.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number };
        expect(row.n).toBeGreaterThan(0);
      } finally {
        read.close();
      }
    });
  }

  // A single-call source (quarantine here) is not cut in the middle: the signal is seen when it
  // returns, and nothing is processed after it (it was: the replay drained, then exited 0).
  it("a signal during a single-call source skips the processing: interrupted", async () => {
    const config = testConfig({
      dir: tempDir(),
      tiktok: "http://127.0.0.1:9",
      activecampaign: "http://127.0.0.1:9",
    });
    const interrupt = new AbortController();
    interrupt.abort();
    const replay = await runReplay({
      config,
      from: "quarantine",
      signal: interrupt.signal,
      ui: createUi({ quiet: true }),
    });
    expect(replay).toMatchObject({ interrupted: true, total: 0 });
  });
});
