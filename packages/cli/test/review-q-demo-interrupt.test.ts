/**
 * review-q: Ctrl-C (or SIGTERM) during `revtrace demo` without --keep. The demo works in a temporary
 * folder (SQLite database and conversion log, tens of MB) that only its normal end removed: every
 * interrupted demo left one behind in the system's temporary folder.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli, tempDir } from "./helpers.ts";

/** Resolves with the demo's folder once its database exists. */
async function demoFolder(tmp: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const name = readdirSync(tmp).find((n) => n.startsWith("revtrace-demo-"));
    if (name && existsSync(join(tmp, name, "revtrace.db"))) return join(tmp, name);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the demo never made its folder");
}

describe("revtrace demo, interrupted", { timeout: 60_000 }, () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} removes the demo's temporary folder and does not exit 0`, async () => {
      // The child's own temporary folder (os.tmpdir() reads TMPDIR): no other test's demo in it.
      const tmp = mkdtempSync(join(tempDir(), "tmp-"));
      const child = spawnCli(
        ["demo", "--visitors", "20000", "--quiet", "--report", join(tmp, "report.html")],
        { TMPDIR: tmp },
      );
      const folder = await demoFolder(tmp, 30_000);
      child.kill(signal);
      const code = await child.code;
      expect(code).not.toBe(0);
      expect(existsSync(folder)).toBe(false);
    });
  }
});
