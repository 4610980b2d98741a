/**
 * The test projects: one per package under `packages/`, named after its folder. Vitest 4+ no longer
 * reads this file by itself; `vitest.config.ts` imports `projects` from here.
 */
import { readdirSync } from "node:fs";
import type { TestProjectInlineConfiguration } from "vitest/config";

export const packageNames: string[] = readdirSync(new URL("./packages", import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

export const projects: TestProjectInlineConfiguration[] = packageNames.map((name) => ({
  extends: true,
  test: { name, root: `packages/${name}` },
}));
