// Runs every benchmark in the repository: packages/<name>/bench/*.bench.ts, one process each, on the
// Node 24 from node_modules/.bin. `npm run bench -- <filter>` runs only files whose path contains it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const filter = process.argv[2] ?? "";
const files = readdirSync("packages")
  .flatMap((pkg) => {
    const dir = join("packages", pkg, "bench");
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".bench.ts"))
          .map((f) => join(dir, f))
      : [];
  })
  .filter((file) => file.includes(filter))
  .sort();

if (files.length === 0) {
  console.error(`No benchmark matches "${filter}".`);
  process.exit(1);
}
console.log(`# revtrace benchmarks (Node ${process.version}, ${new Date().toISOString()})`);
let failed = 0;
for (const file of files) {
  console.log(`\n# ${file}`);
  const run = spawnSync(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", file],
    {
      stdio: "inherit",
    },
  );
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
