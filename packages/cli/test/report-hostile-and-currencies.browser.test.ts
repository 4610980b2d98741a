/**
 * `revtrace report` black-box, from a conversion log (what `serve` writes) and an empty
 * SQLite database: hostile strings are escaped and run nothing, the page makes no request, and the
 * charts show the same amounts as the tables for currencies whose minor unit is not 1/100.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

const HOSTILE_CAMPAIGN = "<script>alert(1)</script>";
const HOSTILE_SOURCE = `"onmouseover=alert(2) x='`;
const DAY = 86_400_000;

function conversion(n: number, currency: string, amount: number, campaign: string) {
  const at = Date.parse("2026-11-20T12:00:00Z") + n * DAY;
  const tp = `tp_review_c_${n}`;
  return {
    id: `conv_review_c_${n}`,
    name: "first_payment",
    occurredAt: at,
    value: { amount, currency },
    personId: `p_${n}`,
    customerId: `cus_${n}`,
    subscriptionId: `sub_${n}`,
    credits: [{ model: "first_touch", share: 1, amount: { amount, currency }, touchpointId: tp }],
    touchpoints: [
      {
        id: tp,
        occurredAt: at - DAY,
        channel: "paid_social",
        source: HOSTILE_SOURCE,
        medium: "cpc",
        campaign,
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
        summary: `first_touch: ${HOSTILE_CAMPAIGN}`,
      },
    ],
  };
}

async function writeReport(
  dir: string,
  lines: object[],
  currency?: string,
): Promise<{ code: number; html: string }> {
  mkdirSync(dir, { recursive: true });
  const db = join(dir, "revtrace.db");
  const storage = createSqliteStorage({ path: db });
  await storage.migrate();
  await storage.close();
  const log = join(dir, "log.jsonl");
  writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  const html = join(dir, "report.html");
  const out: string[] = [];
  const code = await runCli(
    [
      "report",
      "--db",
      db,
      "--log",
      log,
      "--html",
      html,
      ...(currency ? ["--currency", currency] : []),
    ],
    { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
  );
  return { code, html };
}

interface PageResult {
  dialogs: string[];
  requests: string[];
  errors: string[];
  /** chart-models dataset values, per model, in the order of the rows. */
  models: number[];
  /** chart-channels dataset values, summed. */
  channels: number;
  scriptCount: number;
}

async function openReport(htmlPath: string): Promise<PageResult> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const result: PageResult = {
      dialogs: [],
      requests: [],
      errors: [],
      models: [],
      channels: 0,
      scriptCount: 0,
    };
    page.on("dialog", (d) => {
      result.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => result.requests.push(r.url()));
    page.on("pageerror", (e) => result.errors.push(e.message));
    await page.goto(`file://${htmlPath}`);
    await page.waitForFunction(() => "revtraceCharts" in window);
    // Hover everything: an injected attribute handler would fire.
    await page.evaluate(() => {
      for (const el of document.querySelectorAll("*"))
        el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    });
    const charts = await page.evaluate(() => {
      const c = (
        window as unknown as {
          revtraceCharts: Record<string, { data: { datasets: { data: number[] }[] } }>;
        }
      ).revtraceCharts;
      return {
        models: c["chart-models"]?.data.datasets.flatMap((d) => d.data) ?? [],
        channels: (c["chart-channels"]?.data.datasets ?? [])
          .flatMap((d) => d.data)
          .reduce((s, v) => s + v, 0),
        scriptCount: document.querySelectorAll("script").length,
      };
    });
    Object.assign(result, charts);
    return result;
  } finally {
    await browser.close();
  }
}

describe.skipIf(!browserAvailable())(
  "revtrace report: hostile strings and currencies",
  { timeout: 60_000 },
  () => {
    let dir: string;
    beforeAll(() => {
      dir = tempDir();
    });

    it("escapes a hostile campaign, UTM source and summary: no script runs, no request, no extra element", async () => {
      const { code, html } = await writeReport(join(dir, "x"), [
        conversion(1, "USD", 4900, HOSTILE_CAMPAIGN),
      ]);
      expect(code).toBe(0);
      const page = await openReport(html);
      expect(page.dialogs).toEqual([]);
      expect(page.errors).toEqual([]);
      expect(page.requests).toEqual([`file://${html}`]);
      expect(page.scriptCount).toBe(3); // data, Chart.js, the page's script
      expect(page.channels).toBe(49); // $49.00 in major units
    });

    // The chart of channel × model divides minor units by 100 for every currency but JPY
    // (packages/cli/src/report/html.ts, SCRIPT: `/ (data.currency === "JPY" ? 1 : 100)`), and the
    // partners' chart does the same; KRW has no minor unit (exponent 0) and KWD has three.
    it.each([
      ["KRW", 50_000, 50_000],
      ["KWD", 12_500, 12.5],
      ["USD", 4_900, 49],
    ])("charts amounts in %s in major units, as the tables do", async (currency, minor, major) => {
      const { code, html } = await writeReport(join(dir, currency), [
        conversion(2, currency, minor, "spring"),
      ]);
      expect(code).toBe(0);
      const page = await openReport(html);
      // The over-time chart is right (report-data converts with toMajorNumber)...
      expect(page.channels).toBe(major);
      // ...the channel × model chart must agree with it and with the table.
      expect(page.models).toEqual([major]);
    });
  },
);
