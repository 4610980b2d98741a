/**
 * The `revtrace` command line (cac): parses the arguments, runs a command's programmatic entry,
 * prints its result (human text, or JSON with `--json`) and returns the exit code. `bin.ts` calls
 * it; tests call it with their own arguments and streams.
 *
 * @module
 */

import { ConfigError, VERSION } from "@revtrace/core";
import { cac } from "cac";
import { demoExitCode, formatDemoSummary, runDemo } from "./commands/demo.js";
import { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.js";
import { createUi, quietByDefault } from "./ui.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

type Flags = Record<string, unknown> & { json?: boolean; quiet?: boolean };

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
    .option("--visitors <n>", "Simulated visitors", { default: 300 })
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
          visitors: Number(flags.visitors),
          seed: Number(flags.seed),
          reportPath: String(flags.report),
          keepDir: flags.keep === undefined ? undefined : String(flags.keep),
          ui,
        });
        io.stdout(flags.json ? JSON.stringify(demo, null, 2) : formatDemoSummary(demo, ui));
        return demoExitCode(demo);
      })();
    });

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
    if (error instanceof Error && error.name === "CACError") {
      io.stderr(`${error.message} (see revtrace --help)`);
      return EXIT_CODES.usage;
    }
    io.stderr(
      `revtrace failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_CODES.error;
  }
}
