/**
 * review-q: `revtrace doctor` with a SQLite file that cannot be opened (its folder does not exist, the
 * path is a folder, the file is not a database). createSqliteStorage opens the file when it is built,
 * and doctor built it outside its try: instead of the table with the storage check failed and the
 * destination checks still run (exit 4, as for a Postgres that cannot be reached), the command
 * crashed with "revtrace failed: …" and exit 1.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE, spawnCli, tempDir } from "./helpers.ts";

const configEnv = (dir: string) => ({
  REVTRACE_TEST_DIR: dir,
  REVTRACE_TEST_TIKTOK: "http://127.0.0.1:9",
  REVTRACE_TEST_ACTIVECAMPAIGN: "http://127.0.0.1:9",
});

/** The fixture config's database is `<REVTRACE_TEST_DIR>/revtrace.db`. */
const unopenable: Record<string, () => string> = {
  "its folder does not exist": () => join(tempDir(), "missing"),
  "it is a folder": () => {
    const dir = tempDir();
    mkdirSync(join(dir, "revtrace.db"));
    return dir;
  },
  "it is not a database": () => {
    const dir = tempDir();
    writeFileSync(join(dir, "revtrace.db"), "not a database, not even close".repeat(100));
    return dir;
  },
};

describe("revtrace doctor, a SQLite database that cannot be opened", { timeout: 60_000 }, () => {
  for (const [why, makeDir] of Object.entries(unopenable)) {
    it(`fails the storage check when ${why}, still checks the destinations, exits 4`, async () => {
      const child = spawnCli(["doctor", "--config", CONFIG_FILE, "--json"], configEnv(makeDir()));
      const code = await child.code;
      expect(child.stderr()).not.toContain("revtrace failed");
      expect(code).toBe(4);
      const { checks } = JSON.parse(child.stdout()) as {
        checks: { name: string; status: string }[];
      };
      expect(checks).toContainEqual(expect.objectContaining({ name: "storage", status: "fail" }));
      expect(checks).toContainEqual(
        expect.objectContaining({ name: "destination tiktok", status: "fail" }),
      );
    });
  }
});
