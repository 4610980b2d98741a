/**
 * @revtrace/cli: the `revtrace` command line, and each command as a typed function — `runDemo`,
 * `runReport`, `startServe`/`runServe`, `runReplay`, `runBackfill`, `runDoctor` — plus `defineConfig`
 * and `env` for `revtrace.config.ts`.
 *
 * @module
 */
export { type CliIo, runCli } from "./cli.js";
export {
  type BackfillOptions,
  type BackfillResult,
  type CustomerSource,
  runBackfill,
} from "./commands/backfill.js";
export {
  type DemoOptions,
  type DemoProblem,
  type DemoResult,
  demoExitCode,
  formatDemoSummary,
  runDemo,
} from "./commands/demo.js";
export {
  type CheckStatus,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorResult,
  formatDoctor,
  runDoctor,
} from "./commands/doctor.js";
export {
  type ReplayCommandOptions,
  type ReplayCommandResult,
  type ReplaySource,
  runReplay,
} from "./commands/replay.js";
export { type ReportOptions, type ReportResult, runReport } from "./commands/report.js";
export { runServe, type ServeHandle, type ServeOptions, startServe } from "./commands/serve.js";
export {
  conversionLogPath,
  DEFAULT_CONFIG_FILE,
  defineConfig,
  env,
  loadConfig,
  type RevtraceConfig,
} from "./config.js";
export {
  type ConversionLogContents,
  type ConversionLogSinkOptions,
  createConversionLogSink,
  type LoggedConversion,
  type LoggedTouch,
  readConversionLog,
  readConversionLogContents,
} from "./conversion-log.js";
export { EXIT_CODES, type ExitCode } from "./exit-codes.js";
export { CHART_IDS, renderHtml } from "./report/html.js";
export {
  buildReport,
  type DestinationStats,
  formatMoney,
  type ReportData,
  type ReportInput,
} from "./report/report-data.js";
export { createUi, type Ui, type UiOptions } from "./ui.js";
export { UsageError } from "./usage-error.js";
