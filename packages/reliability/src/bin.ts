/**
 * `npm run reliability [-- --profile short|full] [--only accuracy,dup,...] [--seed n]`: runs every
 * row, prints the table (row, tried, delivered, lost, duplicated, notes), and exits 1 when any row
 * lost or duplicated anything or missed its target.
 *
 * @module
 */
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { PROFILES, type ProfileName, ROW_GROUPS, runSuite } from "./suite.js";

const USAGE = `usage: npm run reliability [-- --profile short|full] [--only ${ROW_GROUPS.join(",")}] [--seed n]`;

let values: { profile: string; only?: string; seed: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      profile: { type: "string", default: "full" },
      only: { type: "string" },
      seed: { type: "string", default: "20261203" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  // parseArgs names the option it refused (ERR_PARSE_ARGS_UNKNOWN_OPTION, a missing value)
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const profile = values.profile as ProfileName;
if (!(profile in PROFILES)) {
  console.error(`unknown profile ${profile}: use short or full\n${USAGE}`);
  process.exit(2);
}
if (!/^\d{1,15}$/.test(values.seed)) {
  console.error(`--seed must be a non-negative integer\n${USAGE}`);
  process.exit(2);
}
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !ROW_GROUPS.includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown row group ${unknown.join(", ")}\n${USAGE}`);
  process.exit(2);
}
const started = Date.now();
const { rows, table } = await runSuite({
  profile,
  seed: Number(values.seed),
  only,
  progress: (line) => console.error(line),
});
const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(
  `\nrevtrace reliability — profile ${profile}, seed ${values.seed}, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GB, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log(table);
const details = rows.flatMap((r) => r.details ?? []);
if (details.length > 0) console.log(`\n${details.join("\n")}`);
const failed = rows.filter((r) => !r.ok);
console.log(
  failed.length === 0
    ? `\nAll ${rows.length} rows at 0 lost, 0 duplicated, targets met.`
    : `\n${failed.length} of ${rows.length} rows failed: ${failed.map((r) => r.row).join(", ")}`,
);
process.exit(failed.length === 0 ? 0 : 1);
