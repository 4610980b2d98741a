/**
 * `revtrace replay`: recorded bodies from a folder (stored, then all duplicates on a rerun: safe to
 * interrupt and run again), the quarantine, dead letters, `--from chargebee` without API settings,
 * and the binary with `--json`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { createUi, EXIT_CODES, type RevtraceConfig, runCli, runReplay } from "../src/index.ts";
import {
  CONFIG_FILE,
  paymentBody,
  sandboxOptions,
  spawnCli,
  tempDir,
  testConfig,
} from "./helpers.ts";

let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function setup(): Promise<{ dir: string; bodies: string; config: RevtraceConfig }> {
  sandbox = await startSandbox(sandboxOptions);
  const dir = tempDir();
  const bodies = join(dir, "recorded");
  mkdirSync(bodies);
  for (let n = 1; n <= 5; n++) writeFileSync(join(bodies, `${n}.json`), paymentBody(n));
  writeFileSync(join(bodies, "broken.json"), '{"id":"ev_broken","event_type":"payment_succeeded"}');
  writeFileSync(join(bodies, "notes.txt"), "not a body");
  const config = testConfig({
    dir,
    tiktok: sandbox.vendors.tiktok,
    activecampaign: sandbox.vendors.activecampaign,
  });
  return { dir, bodies, config };
}

const quiet = createUi({ quiet: true });

describe("revtrace replay", { timeout: 60_000 }, () => {
  it("replays a folder, delivers it, and is a no-op when run again", async () => {
    const { bodies, config } = await setup();
    const first = await runReplay({ config, from: bodies, ui: quiet });
    expect(first).toMatchObject({ total: 6, stored: 5, duplicates: 0, invalid: 1 });
    expect(sandbox?.recorded.tiktok).toHaveLength(5);
    const again = await runReplay({ config, from: bodies, ui: quiet });
    expect(again).toMatchObject({ total: 6, stored: 0, duplicates: 5, invalid: 1 });
    expect(sandbox?.recorded.tiktok).toHaveLength(5);

    // The broken body went to quarantine (once per replay of the folder); it still fails, so it is
    // kept.
    const quarantine = await runReplay({ config, from: "quarantine", ui: quiet });
    expect(quarantine).toMatchObject({ stored: 0, stillInvalid: 2 });
    const dead = await runReplay({ config, from: "dead-letters", ui: quiet });
    expect(dead).toMatchObject({ requeued: 0 });
  });

  it("stops when interrupted, and a rerun finishes the job", async () => {
    const { bodies, config } = await setup();
    const interrupt = new AbortController();
    interrupt.abort();
    const stopped = await runReplay({ config, from: bodies, ui: quiet, signal: interrupt.signal });
    expect(stopped).toMatchObject({ interrupted: true, stored: 0 });
    const rerun = await runReplay({ config, from: bodies, ui: quiet });
    expect(rerun).toMatchObject({ interrupted: false, stored: 5 });
    expect(sandbox?.recorded.tiktok).toHaveLength(5);
  });

  it("refuses --from chargebee without the API settings, naming the option", async () => {
    const { config } = await setup();
    const { api: _api, ...chargebee } = config.pipeline.chargebee;
    await expect(
      runReplay({
        config: { ...config, pipeline: { ...config.pipeline, chargebee } },
        from: "chargebee",
        ui: quiet,
      }),
    ).rejects.toMatchObject({ code: "config_invalid", fields: ["pipeline.chargebee.api"] });
  });

  it("replays .json bodies in subfolders of the folder too", async () => {
    const { bodies, config } = await setup();
    mkdirSync(join(bodies, "2026-11", "week-1"), { recursive: true });
    writeFileSync(join(bodies, "2026-11", "6.json"), paymentBody(6));
    writeFileSync(join(bodies, "2026-11", "week-1", "7.json"), paymentBody(7));
    const result = await runReplay({ config, from: bodies, ui: quiet });
    expect(result).toMatchObject({ total: 8, stored: 7, invalid: 1 });
  });

  it("refuses a missing --from file and an unknown --sink with a message and exit 2", async () => {
    const { dir, config } = await setup();
    await expect(
      runReplay({ config, from: join(dir, "nonexistent", "file.json"), ui: quiet }),
    ).rejects.toMatchObject({ name: "UsageError" });
    await expect(
      runReplay({ config, from: "dead-letters", sink: "nosuch", ui: quiet }),
    ).rejects.toThrow(/nosuch.*tiktok, activecampaign, report/);
    Object.assign(process.env, {
      REVTRACE_TEST_DIR: dir,
      REVTRACE_TEST_TIKTOK: sandbox?.vendors.tiktok ?? "",
      REVTRACE_TEST_ACTIVECAMPAIGN: sandbox?.vendors.activecampaign ?? "",
    });
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (t: string) => err.push(t) };
    const missing = [
      "replay",
      "--config",
      CONFIG_FILE,
      "--from",
      "/nonexistent/file.json",
      "--quiet",
    ];
    expect(await runCli(missing, io)).toBe(EXIT_CODES.usage);
    const sink = ["replay", "--config", CONFIG_FILE, "--from", "dead-letters", "--sink", "nosuch"];
    expect(await runCli([...sink, "--quiet"], io)).toBe(EXIT_CODES.usage);
    const noConfig = ["replay", "--config", join(dir, "none.ts"), "--from", "/nonexistent/x.json"];
    expect(await runCli(noConfig, io)).toBe(EXIT_CODES.usage);
    expect(err.join("\n")).toContain("/nonexistent/file.json");
    expect(err.join("\n")).not.toContain("ENOENT");
    expect(err.join("\n")).not.toMatch(/\n\s+at /);
  });

  it("runs as the binary: --json summary, exit 4 while a body is invalid", async () => {
    const { dir, bodies } = await setup();
    const child = spawnCli(["replay", "--config", CONFIG_FILE, "--from", bodies, "--json"], {
      REVTRACE_TEST_DIR: dir,
      REVTRACE_TEST_TIKTOK: sandbox?.vendors.tiktok ?? "",
      REVTRACE_TEST_ACTIVECAMPAIGN: sandbox?.vendors.activecampaign ?? "",
    });
    expect(await child.code).toBe(4);
    expect(JSON.parse(child.stdout())).toMatchObject({ stored: 5, invalid: 1 });
    expect(sandbox?.recorded.tiktok).toHaveLength(5);
    const usage = spawnCli(["replay", "--config", CONFIG_FILE]);
    expect(await usage.code).toBe(2);
  });
});
