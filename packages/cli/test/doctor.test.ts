/**
 * `revtrace doctor`: every check passes against the sandbox; a bad ActiveCampaign token fails its
 * row without hiding the others (and without printing the token); the binary prints the table and
 * exits 0, or 4 with a failing check.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type SandboxServer, startSandbox } from "@revtrace/sandbox";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_CODES, runCli, runDoctor } from "../src/index.ts";
import { CONFIG_FILE, sandboxOptions, spawnCli, tempDir, testConfig } from "./helpers.ts";

let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("revtrace doctor", { timeout: 60_000 }, () => {
  it("passes every check of a good deployment", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const config = testConfig({
      dir: tempDir(),
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
    });
    const result = await runDoctor({ config });
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ["configuration", "pass"],
      ["migrations", "pass"],
      ["storage", "pass"],
      ["destination tiktok", "pass"],
      ["destination activecampaign", "pass"],
    ]);
    expect(result.ok).toBe(true);
  });

  it("fails the destination whose credentials are refused, and still runs the other checks", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const config = testConfig({
      dir: tempDir(),
      tiktok: sandbox.vendors.tiktok,
      activecampaign: sandbox.vendors.activecampaign,
      acToken: "revoked-token-123",
    });
    const result = await runDoctor({ config });
    expect(result.ok).toBe(false);
    const byName = Object.fromEntries(result.checks.map((c) => [c.name, c]));
    expect(byName["destination activecampaign"]?.status).toBe("fail");
    expect(byName["destination activecampaign"]?.detail).not.toContain("revoked-token-123");
    expect(byName["destination tiktok"]?.status).toBe("pass");
  });

  it("fails the configuration check when options are invalid", async () => {
    const config = testConfig({
      dir: tempDir(),
      tiktok: "http://127.0.0.1:9",
      activecampaign: "http://127.0.0.1:9",
    });
    const result = await runDoctor({
      config: { ...config, pipeline: { ...config.pipeline, delivery: { maxAttempts: 0 } } },
    });
    expect(result.checks).toEqual([
      {
        name: "configuration",
        status: "fail",
        detail: expect.stringContaining("delivery.maxAttempts"),
      },
    ]);
  });

  it("exits 3 (bad configuration, as serve, report and replay do) for a missing or invalid config, naming the field once", async () => {
    const dir = tempDir();
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await runCli(["doctor", "--config", join(dir, "missing.config.ts")], io)).toBe(
      EXIT_CODES.config,
    );
    const invalid = join(dir, "invalid.config.mjs");
    writeFileSync(invalid, "export default 42;\n");
    expect(await runCli(["doctor", "--config", invalid, "--json"], io)).toBe(EXIT_CODES.config);
    const result = JSON.parse(out.at(-1) ?? "{}");
    const detail: string = result.checks[0].detail;
    expect(detail).toContain("(default)");
    expect(detail).not.toContain("(default) (default)");
    const noConfig = (await runDoctor({ config: join(dir, "missing.config.ts") })).checks[0];
    expect(noConfig?.detail).not.toMatch(/\(config\) \(config\)/);
  });

  it("runs as the binary: the table, exit 0; exit 4 with a refused token", async () => {
    sandbox = await startSandbox(sandboxOptions);
    const env = {
      REVTRACE_TEST_DIR: tempDir(),
      REVTRACE_TEST_TIKTOK: sandbox.vendors.tiktok,
      REVTRACE_TEST_ACTIVECAMPAIGN: sandbox.vendors.activecampaign,
    };
    const good = spawnCli(["doctor", "--config", CONFIG_FILE], env);
    expect(await good.code).toBe(0);
    expect(good.stdout()).toMatch(/destination activecampaign\s+PASS/);
    const bad = spawnCli(["doctor", "--config", CONFIG_FILE, "--json"], {
      ...env,
      REVTRACE_TEST_AC_TOKEN: "revoked-token-456",
    });
    expect(await bad.code).toBe(4);
    expect(bad.stdout()).not.toContain("revoked-token-456");
    expect(JSON.parse(bad.stdout())).toMatchObject({ ok: false });
  });
});
