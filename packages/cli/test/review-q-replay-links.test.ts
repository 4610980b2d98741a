/**
 * review-q: `revtrace replay --from <folder>` with symbolic links in the folder. The pipeline's own
 * file walk (pipeline/src/replay.ts, filesUnder) leaves out a `*.json` symlink whose target is gone
 * (an editor's lock file `.#x.json` is one) and does not follow symlinked folders; the CLI listed the
 * files again itself (for its progress bar and Ctrl-C) with statSync, following every link, so
 * such a link ended the whole replay with exit 1 before a single body was replayed: ENOENT for
 * the dangling link, ELOOP for a link back to a parent folder.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE, paymentBody, spawnCli, tempDir } from "./helpers.ts";

const configEnv = (dir: string) => ({
  REVTRACE_TEST_DIR: dir,
  REVTRACE_TEST_TIKTOK: "http://127.0.0.1:9",
  REVTRACE_TEST_ACTIVECAMPAIGN: "http://127.0.0.1:9",
});

async function replayFolder(setup: (bodies: string) => void) {
  const dir = tempDir();
  const bodies = join(dir, "bodies");
  mkdirSync(join(bodies, "sub"), { recursive: true });
  writeFileSync(join(bodies, "a.json"), paymentBody(1));
  writeFileSync(join(bodies, "sub", "b.json"), paymentBody(2));
  setup(bodies);
  const child = spawnCli(
    ["replay", "--config", CONFIG_FILE, "--from", bodies, "--no-drain", "--json"],
    configEnv(dir),
  );
  const code = await child.code;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

describe("revtrace replay --from <folder> with symbolic links", { timeout: 60_000 }, () => {
  it("leaves out a *.json link whose target is gone and replays the rest", async () => {
    const run = await replayFolder((bodies) =>
      symlinkSync(join(bodies, "gone.json"), join(bodies, ".#a.json")),
    );
    expect(run.stderr).not.toContain("revtrace failed");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 2, stored: 2, invalid: 0 });
  });

  it("does not follow a link back to a parent folder (no ELOOP), and replays the rest", async () => {
    const run = await replayFolder((bodies) => symlinkSync("..", join(bodies, "sub", "up")));
    expect(run.stderr).not.toContain("revtrace failed");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ total: 2, stored: 2, invalid: 0 });
  });
});
