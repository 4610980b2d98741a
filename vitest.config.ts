import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.ts";

export default defineConfig({
  // Sibling packages resolve to their TypeScript sources, so tests never need a build first.
  resolve: { conditions: ["@revtrace/source"] },
  ssr: { resolve: { conditions: ["@revtrace/source"] } },
  test: {
    projects,
    reporters: ["default", "./scripts/summary-reporter.ts"],
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // `*.test-d.ts` type tests run as tests too (through tsc over the tests' program).
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "../../tsconfig.test.json",
      // Errors outside type tests are the type check's job (`npm run typecheck`), not the runner's.
      ignoreSourceErrors: true,
    },
  },
});
