// The workspace packages in dependency order (each package after the siblings it depends on).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function workspacePackages() {
  const packages = readdirSync("packages", { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join("packages", entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const siblings = Object.keys({
        ...manifest.dependencies,
        ...manifest.peerDependencies,
      }).filter((name) => name.startsWith("@revtrace/"));
      return { dir, name: manifest.name, manifest, siblings };
    });
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ordered = [];
  const state = new Map();
  const visit = (pkg, trail) => {
    if (state.get(pkg.name) === "done") return;
    if (state.get(pkg.name) === "visiting")
      throw new Error(`Dependency cycle: ${[...trail, pkg.name].join(" -> ")}`);
    state.set(pkg.name, "visiting");
    for (const dep of pkg.siblings) {
      const sibling = byName.get(dep);
      if (sibling) visit(sibling, [...trail, pkg.name]);
    }
    state.set(pkg.name, "done");
    ordered.push(pkg);
  };
  for (const pkg of [...packages].sort((a, b) => a.name.localeCompare(b.name))) visit(pkg, []);
  return ordered;
}
