/**
 * review-i: `revtrace replay --from <folder>` with hostile folder contents.
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE, paymentBody, spawnCli, tempDir } from "./helpers.ts";

const configEnv = (dir: string) => ({
  REVTRACE_TEST_DIR: dir,
  REVTRACE_TEST_TIKTOK: "http://127.0.0.1:9",
  REVTRACE_TEST_ACTIVECAMPAIGN: "http://127.0.0.1:9",
});

async function exitWithin(child: ReturnType<typeof spawnCli>, ms: number) {
  const timer = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), ms));
  const code = await Promise.race([child.code, timer]);
  if (code === "hung") child.kill("SIGKILL");
  return code;
}

describe("revtrace replay --from <folder>", { timeout: 40_000 }, () => {
  // pipeline/src/replay.ts:56: `(value as { list?: unknown }).list` on JSON `null` throws a
  // TypeError; the whole replay ends with exit 1 and the files after it are never replayed.
  it("a body file holding JSON null counts as invalid; the other files are still replayed", async () => {
    const dir = tempDir();
    const bodies = join(dir, "bodies");
    mkdirSync(bodies);
    writeFileSync(join(bodies, "a-null.json"), "null");
    writeFileSync(join(bodies, "b-payment.json"), paymentBody(1));
    const child = spawnCli(
      ["replay", "--config", CONFIG_FILE, "--from", bodies, "--no-drain", "--json"],
      configEnv(dir),
    );
    const code = await exitWithin(child, 30_000);
    expect(child.stderr()).not.toMatch(/Cannot read properties of null/);
    expect(code).toBe(4); // one invalid body
    expect(JSON.parse(child.stdout())).toMatchObject({ total: 2, stored: 1, invalid: 1 });
  });

  // A named pipe called *.json (a recorder's fifo, a mistaken `mkfifo`): readFile blocks forever and
  // SIGTERM (which replay handles by aborting "after the file in progress") never ends the process.
  it("a named pipe called x.json does not hang the replay past SIGTERM", async () => {
    const dir = tempDir();
    const bodies = join(dir, "bodies");
    mkdirSync(bodies);
    writeFileSync(join(bodies, "a.json"), paymentBody(2));
    execFileSync("mkfifo", [join(bodies, "b-pipe.json")]);
    const child = spawnCli(
      ["replay", "--config", CONFIG_FILE, "--from", bodies, "--no-drain", "--quiet"],
      configEnv(dir),
    );
    // Give it time to reach the pipe, then ask it to stop as the README says Ctrl-C/SIGTERM do.
    await new Promise((r) => setTimeout(r, 8_000));
    child.kill("SIGTERM");
    const code = await exitWithin(child, 10_000);
    expect(code).not.toBe("hung");
  });
});
