/**
 * `revtrace replay` says when processing did not deliver everything: items still queued when its
 * time ran out (a destination that never answers) and deliveries dead-lettered (a destination that
 * refuses the credentials) are counted and exit 4. Before, the first ended the command with exit 1
 * and "revtrace failed: drain timed out …" after 5 minutes, the second said "Processed and
 * delivered" and exited 0.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { createUi, runReplay } from "../src/index.ts";
import {
  CONFIG_FILE,
  paymentBody,
  sandboxOptions,
  spawnCli,
  startSilentServer,
  tempDir,
  testConfig,
} from "./helpers.ts";

const quiet = createUi({ quiet: true });
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe("revtrace replay outcomes", { timeout: 60_000 }, () => {
  it("counts what is still queued when processing runs out of time, without failing", async () => {
    const dir = tempDir();
    const body = join(dir, "payment.json");
    writeFileSync(body, paymentBody(1));
    const server = await startSilentServer();
    closers.push(server.close);
    const silent = server.url;
    const config = testConfig({ dir, tiktok: silent, activecampaign: silent });
    const replay = await runReplay({ config, from: body, ui: quiet, drainTimeoutMs: 1_000 });
    expect(replay).toMatchObject({ stored: 1, interrupted: false, deadLettered: 0 });
    expect(replay.undelivered).toBeGreaterThan(0);
  });

  it("counts dead letters (ActiveCampaign refusing the token)", async () => {
    const sandbox: SandboxServer = await startSandbox(sandboxOptions);
    closers.push(() => sandbox.close());
    const dir = tempDir();
    const body = join(dir, "payment.json");
    writeFileSync(body, paymentBody(1));
    const config = testConfig({
      dir,
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
      acToken: "not-the-sandbox-token",
    });
    const replay = await runReplay({ config, from: body, ui: quiet });
    expect(replay).toMatchObject({ stored: 1, undelivered: 0, interrupted: false });
    expect(replay.deadLettered).toBeGreaterThan(0);
    expect(sandbox.recorded.tiktok).toHaveLength(1);
  });

  it("the binary: dead letters are named and exit 4", async () => {
    const sandbox: SandboxServer = await startSandbox(sandboxOptions);
    closers.push(() => sandbox.close());
    const dir = tempDir();
    const body = join(dir, "payment.json");
    writeFileSync(body, paymentBody(1));
    const child = spawnCli(["replay", "--config", CONFIG_FILE, "--from", body, "--quiet"], {
      REVTRACE_TEST_DIR: dir,
      REVTRACE_TEST_TIKTOK: sandbox.vendors.tiktok,
      REVTRACE_TEST_ACTIVECAMPAIGN: sandbox.vendors.activecampaign,
      REVTRACE_TEST_AC_TOKEN: "not-the-sandbox-token",
    });
    expect(await child.code).toBe(4);
    expect(child.stdout()).toMatch(/\d+ dead-lettered: see `revtrace doctor`/);
    expect(child.stderr()).toBe("");
  });
});
