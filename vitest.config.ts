import { defineConfig } from "vitest/config";
import { projects } from "./vitest.workspace.ts";

export default defineConfig({
  // Sibling packages resolve to their TypeScript sources, so tests never need a build first.
  resolve: { conditions: ["@revtrace/source"] },
  ssr: { resolve: { conditions: ["@revtrace/source"] } },
  test: {
    projects,
    environment: "node",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    typecheck: { enabled: false },
  },
});
