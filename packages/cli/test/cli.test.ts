/**
 * The command line itself: `--help` on every command (with the exit codes), usage errors (exit 2),
 * configuration errors (exit 3, naming the option, never a value), and the config helpers.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineConfig, EXIT_CODES, env, loadConfig, runCli } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

const COMMANDS = ["demo", "report", "serve", "replay", "backfill", "doctor"];

afterEach(() => vi.restoreAllMocks());

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((text: unknown) => void out.push(String(text)));
  vi.spyOn(console, "info").mockImplementation((text: unknown) => void out.push(String(text)));
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
}

describe("revtrace", () => {
  it.each(COMMANDS)("%s --help documents the command and the exit codes", async (command) => {
    const { io, out } = capture();
    expect(await runCli([command, "--help"], io)).toBe(EXIT_CODES.ok);
    const text = out.join("\n");
    expect(text).toContain(`revtrace ${command}`);
    expect(text).toContain("Exit codes:");
    if (command !== "demo") expect(text).toContain("--config");
  });

  it("lists every command without arguments", async () => {
    const { io, out } = capture();
    expect(await runCli([], io)).toBe(EXIT_CODES.ok);
    for (const command of COMMANDS) expect(out.join("\n")).toContain(command);
  });

  it("answers 2 to an unknown command or option", async () => {
    const { io, err } = capture();
    expect(await runCli(["deploy"], io)).toBe(EXIT_CODES.usage);
    expect(await runCli(["doctor", "--api-key", "sk_live_123"], io)).toBe(EXIT_CODES.usage);
    expect(err.join("\n")).not.toContain("sk_live_123");
  });

  it("answers 2 to an unknown option without a command", async () => {
    const { io, err } = capture();
    expect(await runCli(["--bogus"], io)).toBe(EXIT_CODES.usage);
    expect(err.join("\n")).toContain("--bogus");
    expect(await runCli(["--token=sk_live_456"], io)).toBe(EXIT_CODES.usage);
    expect(err.join("\n")).not.toContain("sk_live_456");
  });

  it("answers 3 to a missing or invalid config file", async () => {
    const { io, err } = capture();
    expect(await runCli(["serve", "--config", "/nonexistent/revtrace.config.ts"], io)).toBe(
      EXIT_CODES.config,
    );
    const dir = tempDir();
    const file = join(dir, "bad.config.mjs");
    writeFileSync(file, "export default { server: { port: 3000 } };\n");
    expect(await runCli(["replay", "--config", file, "--from", "quarantine"], io)).toBe(
      EXIT_CODES.config,
    );
    expect(err.join("\n")).toContain("pipeline");
  });
});

describe("config helpers", () => {
  it("env() returns a variable, a fallback, or a ConfigError naming the variable", () => {
    process.env.REVTRACE_CLI_TEST_SECRET = "s3cret";
    expect(env("REVTRACE_CLI_TEST_SECRET")).toBe("s3cret");
    delete process.env.REVTRACE_CLI_TEST_SECRET;
    expect(env("REVTRACE_CLI_TEST_SECRET", "default")).toBe("default");
    expect(() => env("REVTRACE_CLI_TEST_SECRET")).toThrow(
      expect.objectContaining({ code: "config_invalid", fields: ["REVTRACE_CLI_TEST_SECRET"] }),
    );
  });

  it("loadConfig() reads a JavaScript config's default export", async () => {
    const file = join(tempDir(), "revtrace.config.mjs");
    writeFileSync(
      file,
      'export default { pipeline: { chargebee: { credentials: [{ username: "cb", password: "x" }] } }, server: { port: 4000 } };\n',
    );
    const config = await loadConfig(file);
    expect(config.server).toEqual({ port: 4000 });
    expect(defineConfig(config)).toBe(config);
  });
});
