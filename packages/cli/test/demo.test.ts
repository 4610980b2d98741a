/**
 * `revtrace demo`: through `runDemo` (everything arrived, every destination got its share, the
 * commission ledger has all four kinds, the report was written), and once as the binary (`--json`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createUi, demoExitCode, formatDemoSummary, runDemo } from "../src/index.ts";
import { spawnCli, tempDir } from "./helpers.ts";

describe("revtrace demo", { timeout: 180_000 }, () => {
  it("runs the whole product and finds that everything arrived", async () => {
    const dir = tempDir();
    const result = await runDemo({
      reportPath: join(dir, "report.html"),
      ui: createUi({ quiet: true }),
      keepDir: dir,
    });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.visitors).toBe(300);
    expect(result.webhooks.duplicates).toBeGreaterThan(0);
    expect(result.webhooks.outOfOrder).toBeGreaterThan(0);
    expect(result.counters.duplicates).toBe(result.webhooks.duplicates);
    expect(result.deadLetters).toBe(0);
    const byName = Object.fromEntries(result.destinations.map((d) => [d.name, d]));
    for (const name of ["tiktok", "segment", "activecampaign", "kiflo", "report"]) {
      expect(byName[name]?.delivered, name).toBeGreaterThan(0);
      expect(byName[name]?.rejected, name).toBe(0);
      expect(byName[name]?.deadLetters, name).toBe(0);
    }
    // What was skipped is said, with the destination's reason.
    expect(byName.tiktok?.skippedReasons).toEqual([
      { reason: "older than 28 days (maxEventAgeDays)", count: byName.tiktok?.skipped },
    ]);
    // Several currencies, including JPY (no minor unit), and both refunds.
    const currencies = result.report.headline.revenue.map((m) => m.currency);
    expect(currencies).toEqual(expect.arrayContaining(["EUR", "JPY", "USD"]));
    expect(result.report.headline.refunds).toBe(2);
    expect(result.report.models).toEqual(["first_touch", "last_non_direct", "click_id_chain"]);
    expect(result.report.partners.some((b) => b.paid.amount > 0)).toBe(true);
    expect(result.report.partners.some((b) => b.clawedBack.amount > 0)).toBe(true);
    expect(result.report.explained.every((c) => c.explanations.length === 3)).toBe(true);
    const html = readFileSync(result.reportPath, "utf8");
    expect(html).toContain("Why was this credited?");
    // The conversion log keeps no contact data.
    const log = readFileSync(join(dir, "revtrace-conversions.jsonl"), "utf8");
    expect(log).not.toMatch(/@[a-z0-9-]+\.io/);
    expect(log).not.toContain("Mozilla");
  });

  it("reports what did not arrive and is not ok when a destination refuses conversions", async () => {
    const dir = tempDir();
    const result = await runDemo({
      visitors: 150,
      reportPath: join(dir, "report.html"),
      ui: createUi({ quiet: true }),
      // TikTok refuses every JPY purchase (as it answers an event it will not take: code 40002).
      prepare: (sandbox) =>
        sandbox.tiktok.rejectEvents((event) =>
          (event.properties as { currency?: string } | undefined)?.currency === "JPY"
            ? "currency"
            : undefined,
        ),
    });
    expect(result.ok).toBe(false);
    const tiktok = result.destinations.find((d) => d.name === "tiktok");
    expect(tiktok?.rejected).toBeGreaterThan(0);
    expect(result.problems).toContainEqual({
      check: "tiktok",
      detail: expect.stringContaining("rejected"),
    });
    expect(formatDemoSummary(result, createUi({ quiet: true }))).toContain("problem(s)");
    expect(demoExitCode(result)).toBe(4);
  });

  it("runs as the binary and prints its result as JSON", async () => {
    const dir = tempDir();
    const report = join(dir, "out", "report.html");
    const child = spawnCli(["demo", "--visitors", "200", "--report", report, "--json"]);
    expect(await child.code).toBe(0);
    const result = JSON.parse(child.stdout()) as {
      ok: boolean;
      visitors: number;
      reportPath: string;
    };
    expect(result).toMatchObject({ ok: true, visitors: 200, reportPath: report });
    expect(existsSync(report)).toBe(true);
  });

  it("prints --help with the exit codes", async () => {
    const child = spawnCli(["demo", "--help"]);
    expect(await child.code).toBe(0);
    expect(child.stdout()).toContain("--visitors");
    expect(child.stdout()).toContain("Exit codes:");
  });
});
