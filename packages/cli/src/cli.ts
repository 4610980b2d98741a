/**
 * The `revtrace` command line (cac): parses the arguments, runs a command's programmatic entry,
 * prints its result (human text, or JSON with `--json`) and returns the exit code. `bin.ts` calls
 * it; tests call it with their own arguments and streams.
 *
 * @module
 */

import { statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { ConfigError, StorageError, VERSION } from "@revtrace/core";
import { cac } from "cac";
import { runBackfill } from "./commands/backfill.js";
import { demoExitCode, formatDemoSummary, runDemo } from "./commands/demo.js";
import { formatDoctor, runDoctor } from "./commands/doctor.js";
import { checkReplaySource, runReplay } from "./commands/replay.js";
import { runReport } from "./commands/report.js";
import { runServe } from "./commands/serve.js";
import { DEFAULT_CONFIG_FILE, loadConfig, type RevtraceConfig } from "./config.js";
import { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.js";
import { formatMoney } from "./report/report-data.js";
import { createUi, quietByDefault } from "./ui.js";
import {
  dateOption,
  integerOption,
  optionalTextOption,
  textOption,
  UsageError,
} from "./usage-error.js";

/** The fewest visitors whose simulation has the paying customers every demo scenario needs. */
const MIN_DEMO_VISITORS = 50;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

type Flags = Record<string, unknown> & { json?: boolean; quiet?: boolean };

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;

/** Whether the SQLite file at `path` holds revtrace's schema (opened read-only, never changed). */
function isRevtraceDatabase(path: string): boolean {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return (
        db
          .prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revtrace_migrations'",
          )
          .get() !== undefined
      );
    } finally {
      db.close();
    }
  } catch {
    return false; // not a SQLite database at all
  }
}

/** Runs `revtrace` with `argv` (without the node and script paths); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<ExitCode> {
  const cli = cac("revtrace");
  let result: Promise<ExitCode> | undefined;
  const uiFor = (flags: Flags) =>
    createUi({ quiet: Boolean(flags.json) || Boolean(flags.quiet) || quietByDefault() });

  cli
    .command(
      "demo",
      "Run the whole product locally (no config, no network) and write the HTML report",
    )
    .option("--visitors <n>", `Simulated visitors (${MIN_DEMO_VISITORS} to 100000)`, {
      default: 300,
    })
    .option("--seed <n>", "Seed of the simulation", { default: 18 })
    .option("--report <file>", "Where to write the HTML report", {
      default: "revtrace-report.html",
    })
    .option("--keep <dir>", "Keep the SQLite database and conversion log in this folder")
    .option("--json", "Print the result as JSON")
    .option("--quiet", "No progress display")
    .example("revtrace demo")
    .example("revtrace demo --report out/report.html --json")
    .action((flags: Flags) => {
      result = (async () => {
        const ui = uiFor(flags);
        const demo = await runDemo({
          visitors: integerOption(flags.visitors, "visitors", MIN_DEMO_VISITORS, 100_000),
          seed: integerOption(flags.seed, "seed", 0, 2 ** 31 - 1),
          reportPath: textOption(flags.report, "report"),
          keepDir: optionalTextOption(flags.keep, "keep"),
          ui,
        });
        io.stdout(flags.json ? JSON.stringify(demo, null, 2) : formatDemoSummary(demo, ui));
        return demoExitCode(demo);
      })();
    });

  const configOption = [
    "--config <file>",
    "The config file (secrets from environment variables)",
    { default: DEFAULT_CONFIG_FILE },
  ] as const;
  const run = (body: (flags: Flags) => Promise<ExitCode>) => (flags: Flags) => {
    result = body(flags);
  };
  const print = (flags: Flags, value: unknown, human: () => string) =>
    io.stdout(flags.json ? JSON.stringify(value, null, 2) : human());

  cli
    .command("report", "Write the attribution report (self-contained HTML) and/or print it as JSON")
    .option(...configOption)
    .option("--db <file>", "Read this SQLite database instead of the config's storage")
    .option(
      "--log <file>",
      "The conversion log (default with --db: revtrace-conversions.jsonl; else the config's)",
    )
    .option("--html <file>", "Write the HTML report here")
    .option("--currency <code>", "Currency of the charts (default: the most frequent)")
    .option("--json", "Print the report's data as JSON")
    .example("revtrace report --html report.html")
    .example("revtrace report --db revtrace.db --log revtrace-conversions.jsonl --json")
    .action(
      run(async (flags) => {
        // A mistyped --db or --log is refused: no empty database is created, no empty report made.
        const db = optionalTextOption(flags.db, "db");
        const log = optionalTextOption(flags.log, "log");
        if (db !== undefined && !isFile(db))
          throw new UsageError(`report --db ${db}: no such database file`);
        // A report only reads: it never creates revtrace's tables in another application's file.
        if (db !== undefined && !isRevtraceDatabase(db))
          throw new UsageError(`report --db ${db}: not a revtrace database`);
        if (log !== undefined && !isFile(log))
          throw new UsageError(`report --log ${log}: no such conversion log file`);
        const loaded: RevtraceConfig = db
          ? {
              pipeline: { chargebee: { credentials: [] }, sqlite: { path: db } },
              conversionLog: "revtrace-conversions.jsonl",
            }
          : await loadConfig(textOption(flags.config, "config"));
        const config = log === undefined ? loaded : { ...loaded, conversionLog: log };
        const report = await runReport({
          config,
          htmlPath: optionalTextOption(flags.html, "html"),
          currency: optionalTextOption(flags.currency, "currency"),
        }).catch((error: unknown) => {
          // The --db file is the user's argument: one that cannot be opened is bad usage.
          if (flags.db !== undefined && StorageError.isInstance(error))
            throw new UsageError(`report --db: ${error.message}`);
          throw error;
        });
        if (report.skippedLogLines > 0)
          io.stderr(
            `Warning: skipped ${report.skippedLogLines} invalid line(s) of the conversion log ${report.conversionLog}`,
          );
        print(flags, report, () => {
          const h = report.data.headline;
          return [
            `${h.customers} paying customers, ${h.payments} payments, ${h.refunds} refunds, ${h.leads} leads`,
            `Net revenue: ${h.revenue.map(formatMoney).join(" · ") || "none"}`,
            report.htmlPath ? `Report: ${report.htmlPath}` : "(no --html: nothing written)",
          ].join("\n");
        });
        return EXIT_CODES.ok;
      }),
    );

  cli
    .command(
      "serve",
      "Run the pipeline as a server: webhook, collect, health and metrics endpoints",
    )
    .option(...configOption)
    .option("--port <port>", "Port (default: the config's server.port, else 3000)")
    .option("--host <host>", "Interface (default: the config's server.host, else 127.0.0.1)")
    .example("CB_WEBHOOK_PASSWORD=… revtrace serve --config revtrace.config.ts")
    .action(
      run(async (flags) => {
        const config = await loadConfig(textOption(flags.config, "config"));
        await runServe({
          config,
          port: flags.port === undefined ? undefined : integerOption(flags.port, "port", 0, 65_535),
          host: optionalTextOption(flags.host, "host"),
          onListening: (handle) =>
            io.stderr(
              `revtrace serving on ${handle.url} (POST /webhooks/chargebee, POST /rt/collect, GET /health/ready, GET /metrics)`,
            ),
        });
        io.stderr("revtrace stopped");
        return EXIT_CODES.ok;
      }),
    );

  cli
    .command(
      "replay",
      "Ingest again: recorded bodies, Chargebee's events, quarantine or dead letters",
    )
    .option(...configOption)
    .option(
      "--from <source>",
      "A file or folder of .json bodies, or chargebee, quarantine, dead-letters",
    )
    .option("--since <date>", "With --from chargebee: events after this ISO date")
    .option("--sink <name>", "With --from dead-letters: only this sink's")
    .option("--no-drain", "Leave processing to a running revtrace serve")
    .option("--json", "Print the summary as JSON")
    .option("--quiet", "No progress display")
    .example("revtrace replay --from ./recorded-webhooks/")
    .example("revtrace replay --from chargebee --since 2026-11-01")
    .action(
      run(async (flags) => {
        if (flags.from === undefined || flags.from === true) {
          io.stderr("replay needs --from <file|dir|chargebee|quarantine|dead-letters>");
          return EXIT_CODES.usage;
        }
        const since = flags.since === undefined ? undefined : dateOption(flags.since, "since");
        checkReplaySource(textOption(flags.from, "from")); // before the config: a usage error comes first
        const interrupt = new AbortController();
        const stop = () => interrupt.abort();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        const replay = await runReplay({
          signal: interrupt.signal,
          config: await loadConfig(textOption(flags.config, "config")),
          from: textOption(flags.from, "from"),
          since,
          sink: optionalTextOption(flags.sink, "sink"),
          drain: flags.drain !== false,
          ui: uiFor(flags),
        }).finally(() => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
        });
        print(flags, replay, () =>
          [
            ...(replay.interrupted
              ? ["Interrupted: run the same command again to go on (replays are idempotent)."]
              : []),
            `Replayed ${replay.total} from ${replay.from} in ${(replay.durationMs / 1000).toFixed(1)} s:`,
            `  stored ${replay.stored} · duplicates ${replay.duplicates} · invalid ${replay.invalid} · still invalid ${replay.stillInvalid} · requeued ${replay.requeued}`,
            ...(replay.undelivered > 0
              ? [
                  `Not all delivered in time: ${replay.undelivered} items are still queued (a destination down or slow?); \`revtrace serve\` or the next replay delivers them (\`revtrace doctor\` checks the destinations).`,
                ]
              : []),
            ...(replay.deadLettered > 0
              ? [
                  `${replay.deadLettered} dead-lettered: see \`revtrace doctor\`, then \`revtrace replay --from dead-letters\`.`,
                ]
              : []),
          ].join("\n"),
        );
        return replay.interrupted ||
          replay.invalid + replay.stillInvalid + replay.undelivered + replay.deadLettered > 0
          ? EXIT_CODES.checkFailed
          : EXIT_CODES.ok;
      }),
    );

  cli
    .command(
      "backfill <destination>",
      "Sync existing Chargebee customers to a destination (activecampaign)",
    )
    .option(...configOption)
    .option("--initial", "Only the 10 latest customers (ActiveCampaign's initial sync)")
    .option("--cursor <cursor>", "Resume an interrupted full sync")
    .option("--json", "Print the result as JSON")
    .option("--quiet", "No progress display")
    .example("revtrace backfill activecampaign --initial")
    .action((destination: string, flags: Flags) => {
      result = (async () => {
        if (destination !== "activecampaign") {
          io.stderr(`backfill supports activecampaign, not ${destination}`);
          return EXIT_CODES.usage;
        }
        const backfill = await runBackfill({
          config: await loadConfig(textOption(flags.config, "config")),
          initial: Boolean(flags.initial),
          cursor: optionalTextOption(flags.cursor, "cursor"),
          ui: uiFor(flags),
        });
        print(flags, backfill, () => {
          const lines = [
            `${backfill.mode === "initial" ? "Initial" : "Full"} sync: ${backfill.synced} synced, ${backfill.skipped.length} skipped, ${backfill.errors.length} errors of ${backfill.processed} customers`,
          ];
          if (backfill.errors.length) {
            lines.push(`  ${"customer".padEnd(24)}${"retryable".padEnd(11)}error`);
            for (const e of backfill.errors)
              lines.push(
                `  ${e.customerId.padEnd(24)}${(e.retryable ? "yes" : "no").padEnd(11)}${e.message}`,
              );
          }
          if (!backfill.complete && backfill.cursor)
            lines.push(`Resume with --cursor ${backfill.cursor}`);
          return lines.join("\n");
        });
        return backfill.errors.length > 0 || !backfill.complete
          ? EXIT_CODES.checkFailed
          : EXIT_CODES.ok;
      })();
    });

  cli
    .command(
      "doctor",
      "Check the configuration, storage, migrations and each destination's credentials",
    )
    .option(...configOption)
    .option("--json", "Print the checks as JSON")
    .example("revtrace doctor --config revtrace.config.ts")
    .action(
      run(async (flags) => {
        const doctor = await runDoctor({ config: textOption(flags.config, "config") });
        const ui = uiFor(flags);
        print(flags, doctor, () => formatDoctor(doctor, (format, text) => ui.style(format, text)));
        // A configuration that does not load is bad configuration (3), as for every other command.
        if (doctor.checks.some((c) => c.name === "configuration" && c.status === "fail"))
          return EXIT_CODES.config;
        return doctor.ok ? EXIT_CODES.ok : EXIT_CODES.checkFailed;
      }),
    );

  cli.help((sections) => {
    sections.push({ body: EXIT_CODES_HELP });
    return sections;
  });
  cli.version(VERSION);

  try {
    cli.parse(["node", "revtrace", ...argv], { run: false });
    if (cli.options.help || cli.options.version) return EXIT_CODES.ok;
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) {
        io.stderr(`Unknown command: ${cli.args[0]} (see revtrace --help)`);
        return EXIT_CODES.usage;
      }
      // An unknown option without a command is bad usage (the error names the option, never its value).
      cli.globalCommand.checkUnknownOptions();
      cli.outputHelp();
      return EXIT_CODES.ok;
    }
    await cli.runMatchedCommand();
    return await (result ?? Promise.resolve(EXIT_CODES.ok));
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      io.stderr(`Configuration error: ${error.message}`);
      return EXIT_CODES.config;
    }
    if (UsageError.isInstance(error)) {
      io.stderr(`${error.message} (see revtrace --help)`);
      return EXIT_CODES.usage;
    }
    if (StorageError.isInstance(error)) {
      io.stderr(`revtrace failed: ${error.message}`);
      return EXIT_CODES.error;
    }
    if (error instanceof Error && error.name === "CACError") {
      io.stderr(`${error.message} (see revtrace --help)`);
      return EXIT_CODES.usage;
    }
    // The message says what failed (a port in use, a host not found, a file too large); the stack
    // only helps a bug report: REVTRACE_DEBUG=1 prints it.
    const debug = process.env.REVTRACE_DEBUG === "1";
    const text =
      error instanceof Error ? ((debug ? error.stack : undefined) ?? error.message) : String(error);
    io.stderr(`revtrace failed: ${text}${debug ? "" : " (REVTRACE_DEBUG=1 shows the stack)"}`);
    return EXIT_CODES.error;
  }
}
