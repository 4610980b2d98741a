/**
 * `npm run reliability [-- --profile short|full] [--only accuracy,dup,...] [--seed n]`: runs every
 * row, prints the table (row, tried, delivered, lost, duplicated, notes), and exits 1 when any row
 * lost or duplicated anything or missed its target.
 *
 * @module
 */
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { PROFILES, type ProfileName, runSuite } from "./suite.js";

const { values } = parseArgs({
  options: {
    profile: { type: "string", default: "full" },
    only: { type: "string" },
    seed: { type: "string", default: "20261203" },
  },
});
const profile = values.profile as ProfileName;
if (!(profile in PROFILES)) {
  console.error(`unknown profile ${profile}: use short or full`);
  process.exit(2);
}
const started = Date.now();
const { rows, table } = await runSuite({
  profile,
  seed: Number(values.seed),
  only: values.only ? values.only.split(",") : undefined,
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
