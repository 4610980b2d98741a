/**
 * `revtrace report`: the attribution report of a deployment, from its conversion log and its
 * commission ledger, as a self-contained HTML page (`--html`) and/or JSON (`--json`).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Commission } from "@revtrace/core";
import { conversionLogPath, type RevtraceConfig } from "../config.js";
import { configuredStorage } from "../configured-pipeline.js";
import { readConversionLogContents } from "../conversion-log.js";
import { renderHtml } from "../report/html.js";
import { buildReport, type ReportData } from "../report/report-data.js";

export interface ReportOptions {
  /** Where the data is (storage for the ledger, the conversion log). */
  config: RevtraceConfig;
  /** Write the HTML page here. */
  htmlPath?: string | undefined;
  /** The charts' currency. @default the most frequent */
  currency?: string | undefined;
  /** The report's "now". @default Date.now() */
  asOf?: number | undefined;
}

export interface ReportResult {
  data: ReportData;
  htmlPath: string | null;
  conversionLog: string | null;
  /** Lines of the conversion log skipped as invalid (truncated, garbage, not an entry). */
  skippedLogLines: number;
}

/** Builds the report (and writes the HTML page when asked). */
export async function runReport(options: ReportOptions): Promise<ReportResult> {
  const logPath = conversionLogPath(options.config);
  const storage = configuredStorage(options.config);
  let commissions: Commission[];
  try {
    await storage.migrate();
    commissions = await storage.listCommissions();
  } finally {
    await storage.close();
  }
  const log = logPath ? readConversionLogContents(logPath) : { conversions: [], skipped: 0 };
  const data = buildReport({
    conversions: log.conversions,
    commissions,
    asOf: options.asOf ?? Date.now(),
    currency: options.currency,
  });
  let htmlPath: string | null = null;
  if (options.htmlPath) {
    htmlPath = resolve(options.htmlPath);
    mkdirSync(dirname(htmlPath), { recursive: true });
    writeFileSync(htmlPath, renderHtml(data));
  }
  return { data, htmlPath, conversionLog: logPath, skippedLogLines: log.skipped };
}
