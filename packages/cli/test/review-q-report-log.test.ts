/**
 * review-q: `revtrace report` on a conversion log with a line whose money is not Money (an unknown,
 * lower-case, empty or hostile currency, an unsafe amount). The README says lines that are not
 * valid entries are skipped and counted; the log's schema took any string as a currency, so the line
 * was kept and the report crashed on it ("revtrace failed: Unknown currency code …", exit 1) and
 * no report was written for the valid lines.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { describe, expect, it } from "vitest";
import { spawnCli, tempDir } from "./helpers.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";

function line(id: string, money: { amount: number; currency: string }) {
  const at = Date.parse("2026-11-20T12:00:00Z");
  return JSON.stringify({
    id,
    name: "first_payment",
    occurredAt: at,
    value: money,
    personId: `p_${id}`,
    customerId: `cus_${id}`,
    subscriptionId: `sub_${id}`,
    credits: [{ model: "first_touch", share: 1, amount: money, touchpointId: `tp_${id}` }],
    touchpoints: [
      {
        id: `tp_${id}`,
        occurredAt: at - 86_400_000,
        channel: "paid_social",
        source: "tiktok",
        medium: "cpc",
        campaign: "spring",
        affiliateRef: null,
        clickIds: ["ttclid"],
      },
    ],
    explanations: [
      {
        model: "first_touch",
        name: "first_touch",
        rule: "first_touch",
        anchorAt: at,
        windowStart: null,
        considered: [],
        excluded: [],
        summary: "first touch",
      },
    ],
  });
}

describe("revtrace report, conversion-log lines with invalid money", { timeout: 60_000 }, () => {
  it("skips and counts them, reports the valid lines, exit 0, and never writes the hostile currency", async () => {
    const dir = tempDir();
    const db = join(dir, "revtrace.db");
    const storage = createSqliteStorage({ path: db });
    await storage.migrate();
    await storage.close();
    const log = join(dir, "log.jsonl");
    writeFileSync(
      log,
      `${[
        line("conv_ok", { amount: 4900, currency: "EUR" }),
        line("conv_unknown", { amount: 4900, currency: "XYZ" }),
        line("conv_lower", { amount: 4900, currency: "usd" }),
        line("conv_empty", { amount: 4900, currency: "" }),
        line("conv_hostile", { amount: 4900, currency: HOSTILE }),
        line("conv_unsafe", { amount: 2 ** 60, currency: "EUR" }),
      ].join("\n")}\n`,
    );
    const html = join(dir, "report.html");
    const child = spawnCli(["report", "--db", db, "--log", log, "--html", html, "--json"]);
    const code = await child.code;
    expect(child.stderr()).not.toContain("revtrace failed");
    expect(code).toBe(0);
    const report = JSON.parse(child.stdout()) as {
      skippedLogLines: number;
      data: { headline: { payments: number } };
    };
    expect(report.skippedLogLines).toBe(5);
    expect(report.data.headline.payments).toBe(1);
    expect(child.stderr()).toContain("skipped 5 invalid line(s)");
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, "utf8")).not.toContain(HOSTILE);
  });
});
