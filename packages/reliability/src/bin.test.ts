import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSuite } from "./suite.js";

const bin = fileURLToPath(new URL("./bin.ts", import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--conditions=@revtrace/source", "--import", "tsx", bin, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });

describe("npm run reliability's arguments", () => {
  it("prints the usage for --help and exits 0", () => {
    const { status, stdout } = run("--help");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: npm run reliability .*--only accuracy,dup,outage/);
  });

  it("refuses an unknown option, a row group it does not have and a bad seed with exit 2, no stack", () => {
    for (const args of [
      ["--nope"],
      ["--only", "accuracy,nope"],
      ["--seed", "x"],
      ["--profile", "huge"],
    ]) {
      const { status, stderr } = run(...args);
      expect(status, args.join(" ")).toBe(2);
      expect(stderr, args.join(" ")).toContain("usage: npm run reliability");
      expect(stderr, args.join(" ")).not.toMatch(/\n\s+at /);
    }
  });

  it("runSuite refuses a row group it does not have (a run of nothing would pass)", async () => {
    await expect(runSuite({ profile: "short", seed: 1, only: ["acuracy"] })).rejects.toThrow(
      /unknown row group acuracy/,
    );
    await expect(runSuite({ profile: "short", seed: 1, only: [] })).rejects.toThrow(TypeError);
  });
});
