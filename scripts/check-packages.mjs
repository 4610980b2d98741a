// Lints what would be published: publint and @arethetypeswrong/cli (ESM-only profile) over every
// package. Needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { workspacePackages } from "./workspaces.mjs";

let failed = 0;
for (const pkg of workspacePackages()) {
  if (pkg.manifest.private) continue; // not published (the reliability suite)
  if (!existsSync(join(pkg.dir, "dist"))) {
    console.error(`${pkg.name}: no dist/ — run \`npm run build\` first`);
    failed++;
    continue;
  }
  for (const [tool, args] of [
    ["publint", ["publint", "--strict", pkg.dir]],
    ["attw", ["attw", "--pack", pkg.dir, "--profile", "esm-only", "--format", "table-flipped"]],
  ]) {
    const run = spawnSync("npx", ["--no-install", ...args], { encoding: "utf8" });
    if (run.status !== 0) {
      failed++;
      console.error(`\n✗ ${tool} ${pkg.name}\n${run.stdout}${run.stderr}`);
    } else {
      console.log(`✓ ${tool} ${pkg.name}`);
    }
  }
}
process.exit(failed === 0 ? 0 : 1);
