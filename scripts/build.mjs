// Builds every package in dependency order: tsup writes the ESM JavaScript, then tsc writes the .d.ts
// files (their imports of siblings resolve to the siblings' dist, hence the order).
import { spawnSync } from "node:child_process";
import { workspacePackages } from "./workspaces.mjs";

for (const pkg of workspacePackages()) {
  if (!pkg.manifest.scripts?.build) continue;
  console.log(`\n> ${pkg.name}`);
  const run = spawnSync("npm", ["run", "build", "--silent"], { cwd: pkg.dir, stdio: "inherit" });
  if (run.status !== 0) {
    console.error(`Build failed in ${pkg.name}`);
    process.exit(run.status ?? 1);
  }
}
