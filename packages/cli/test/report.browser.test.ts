/**
 * `revtrace report`: from a demo's database and conversion log, through `runReport` (numbers) and the
 * binary (`--db --log --html --json`); then the page in headless Chromium: every chart drew data,
 * the page made no request but its own file, and a screenshot is saved under `test-output/`.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import { beforeAll, describe, expect, it } from "vitest";
import { CHART_IDS, createUi, type RevtraceConfig, runDemo, runReport } from "../src/index.ts";
import { OUTPUT, spawnCli, tempDir } from "./helpers.ts";

let dir: string;
let config: RevtraceConfig;
beforeAll(async () => {
  dir = tempDir();
  const demo = await runDemo({
    reportPath: join(dir, "demo.html"),
    ui: createUi({ quiet: true }),
    keepDir: dir,
  });
  expect(demo.ok).toBe(true);
  config = {
    pipeline: { chargebee: { credentials: [] }, sqlite: { path: join(dir, "revtrace.db") } },
    conversionLog: join(dir, "revtrace-conversions.jsonl"),
  };
}, 180_000);

describe("revtrace report", { timeout: 60_000 }, () => {
  it("computes the report from the ledger and the conversion log", async () => {
    const { data, htmlPath, skippedLogLines } = await runReport({
      config,
      htmlPath: join(dir, "report.html"),
    });
    expect(skippedLogLines).toBe(0);
    expect(htmlPath).toBe(join(dir, "report.html"));
    expect(data.currency).toBe("USD");
    expect(data.headline.customers).toBeGreaterThan(20);
    // Each model allocates exactly the conversions' value, per currency.
    for (const currency of data.currencies) {
      const rows = data.channelModel.filter((r) => r.currency === currency);
      const total = data.headline.revenue.find((m) => m.currency === currency)?.amount;
      for (const model of data.models) {
        expect(
          rows.reduce((s, r) => s + (r.byModel[model] ?? 0), 0),
          `${model} ${currency}`,
        ).toBe(total);
      }
    }
    expect(data.paths.top.length).toBeGreaterThan(3);
    expect(data.paths.daysHistogram.reduce((s, b) => s + b.count, 0)).toBe(
      data.paths.conversions.length,
    );
    const kinds = data.partners.map((b) =>
      [b.pending, b.payable, b.paid, b.clawedBack].map((m) => m.amount !== 0),
    );
    expect(
      kinds.some((k) => k[0]) &&
        kinds.some((k) => k[1]) &&
        kinds.some((k) => k[2]) &&
        kinds.some((k) => k[3]),
    ).toBe(true);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(http/);
  });

  it("runs as the binary with --db, --log, --html and --json", async () => {
    const out = join(dir, "cli-report.html");
    const child = spawnCli([
      "report",
      "--db",
      join(dir, "revtrace.db"),
      "--log",
      join(dir, "revtrace-conversions.jsonl"),
      "--html",
      out,
      "--json",
    ]);
    expect(await child.code).toBe(0);
    const result = JSON.parse(child.stdout()) as { htmlPath: string; data: { models: string[] } };
    expect(result.htmlPath).toBe(out);
    expect(result.data.models).toHaveLength(3);
  });

  it.skipIf(!browserAvailable())(
    "renders every chart with data in Chromium, without a network request",
    async () => {
      const { htmlPath } = await runReport({ config, htmlPath: join(dir, "browser.html") });
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const requests: string[] = [];
        const errors: string[] = [];
        page.on("request", (request) => requests.push(request.url()));
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(`file://${htmlPath}`);
        await page.waitForFunction(() => "revtraceCharts" in window);
        const charts = await page.evaluate(
          (ids) => {
            const Chart = (
              window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }
            ).Chart;
            return ids.map((id) => {
              const canvas = document.getElementById(id) as HTMLCanvasElement;
              const chart = Chart.getChart(canvas) as
                | { data: { datasets: { data: number[] }[] }; chartArea?: { width: number } }
                | undefined;
              const values = chart?.data.datasets.flatMap((d) => d.data) ?? [];
              // Painted: some pixel of the canvas is not transparent.
              const context = canvas.getContext("2d");
              const pixels = context?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
              let painted = 0;
              for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
              return {
                id,
                exists: Boolean(chart),
                nonZero: values.filter((v) => v !== 0).length,
                painted,
              };
            });
          },
          [...CHART_IDS],
        );
        for (const chart of charts) {
          expect(chart.exists, chart.id).toBe(true);
          expect(chart.nonZero, chart.id).toBeGreaterThan(0);
          expect(chart.painted, chart.id).toBeGreaterThan(1000);
        }
        expect(errors).toEqual([]);
        expect(requests).toEqual([`file://${htmlPath}`]);
        // Switching the model redraws the channel chart with that model's credits.
        await page.selectOption("#model", "click_id_chain");
        const labels = await page.evaluate(() => {
          const charts = (
            window as unknown as {
              revtraceCharts: Record<string, { data: { datasets: { label: string }[] } }>;
            }
          ).revtraceCharts;
          return charts["chart-channels"]?.data.datasets.map((d) => d.label) ?? [];
        });
        expect(labels).toContain("unattributed");
        await page.selectOption("#model", "first_touch");
        mkdirSync(OUTPUT, { recursive: true });
        await page.screenshot({ path: join(OUTPUT, "report.png"), fullPage: false });
        await page.screenshot({ path: join(OUTPUT, "report-full.png"), fullPage: true });
      } finally {
        await browser.close();
      }
    },
  );
});
