/**
 * `revtrace backfill activecampaign`: the initial sync (10 latest) and the full sync from Chargebee's
 * List Customers API (a fake `fetch`), with the customer without an email in the error table; the
 * binary with `--initial --json`.
 */
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { createUi, runBackfill } from "../src/index.ts";
import { CONFIG_FILE, sandboxOptions, spawnCli, tempDir, testConfig } from "./helpers.ts";

let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("revtrace backfill activecampaign", { timeout: 60_000 }, () => {
  it("syncs the latest customers and lists the ones it could not sync", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const config = testConfig({
      dir: tempDir(),
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
    });
    const initial = await runBackfill({ config, initial: true, ui: createUi({ quiet: true }) });
    expect(initial).toMatchObject({ mode: "initial", processed: 3, synced: 2, complete: true });
    expect(initial.errors.map((e) => e.customerId)).toEqual(["cus_backfill_3"]);
    expect(JSON.stringify(initial.errors)).not.toContain("@");
    expect(sandbox.activecampaign.state.contacts.map((c) => c.email).sort()).toEqual([
      "ines@quantum-ledger.io",
      "omar@harbor-analytics.io",
    ]);
    const full = await runBackfill({ config, ui: createUi({ quiet: true }) });
    expect(full).toMatchObject({
      mode: "full",
      processed: 3,
      synced: 2,
      complete: true,
      cursor: null,
    });
  });

  it("needs an ActiveCampaign sink", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const config = testConfig({
      dir: tempDir(),
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
    });
    const sinks = config.pipeline.sinks?.filter((s) => s.name !== "activecampaign");
    await expect(
      runBackfill({ config: { ...config, pipeline: { ...config.pipeline, sinks } } }),
    ).rejects.toMatchObject({ code: "config_invalid", fields: ["pipeline.sinks"] });
  });

  it("runs as the binary: exit 4 with the error table in --json", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const child = spawnCli(
      ["backfill", "activecampaign", "--initial", "--config", CONFIG_FILE, "--json"],
      {
        REVTRACE_TEST_DIR: tempDir(),
        REVTRACE_TEST_TIKTOK: sandbox.vendors.tiktok,
        REVTRACE_TEST_ACTIVECAMPAIGN: sandbox.vendors.activecampaign,
      },
    );
    expect(await child.code).toBe(4);
    expect(JSON.parse(child.stdout())).toMatchObject({
      synced: 2,
      errors: [{ customerId: "cus_backfill_3" }],
    });
    const wrong = spawnCli(["backfill", "hubspot", "--config", CONFIG_FILE]);
    expect(await wrong.code).toBe(2);
  });
});
