/**
 * `revtrace report`: the attribution report of a deployment, from its conversion log and its
 * commission ledger, as a self-contained HTML page (`--html`) and/or JSON (`--json`).
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Commission, isCurrencyCode, StorageError } from "@revtrace/core";
import { conversionLogPath, type RevtraceConfig } from "../config.js";
import { configuredStorage } from "../configured-pipeline.js";
import { readConversionLogContents } from "../conversion-log.js";
import { renderHtml } from "../report/html.js";
import { buildReport, type ReportData } from "../report/report-data.js";
import { UsageError } from "../usage-error.js";

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
  const currency = options.currency?.toUpperCase();
  if (currency !== undefined && !isCurrencyCode(currency)) {
    throw new UsageError(
      `currency ${options.currency}: not an ISO 4217 currency code (EUR, USD, JPY…)`,
    );
  }
  const logPath = conversionLogPath(options.config);
  let commissions: Commission[];
  try {
    const storage = configuredStorage(options.config);
    try {
      await storage.migrate();
      commissions = await storage.listCommissions();
    } finally {
      await storage.close().catch(() => {});
    }
  } catch (error) {
    const where = options.config.pipeline.storage
      ? "the configured storage"
      : `the database ${resolve(options.config.pipeline.sqlite?.path ?? "revtrace.db")}`;
    throw new StorageError(
      `${where} could not be opened or read: ${error instanceof Error ? error.message : String(error)}`,
      {
        engine: StorageError.isInstance(error)
          ? error.engine
          : options.config.pipeline.storage
            ? "configured"
            : "sqlite",
        cause: error,
      },
    );
  }
  const log = logPath ? readConversionLogContents(logPath) : { conversions: [], skipped: 0 };
  const data = buildReport({
    conversions: log.conversions,
    commissions,
    asOf: options.asOf ?? Date.now(),
    currency,
  });
  let htmlPath: string | null = null;
  if (options.htmlPath) {
    htmlPath = resolve(options.htmlPath);
    mkdirSync(dirname(htmlPath), { recursive: true });
    writeFileSync(htmlPath, renderHtml(data));
  }
  return { data, htmlPath, conversionLog: logPath, skippedLogLines: log.skipped };
}
