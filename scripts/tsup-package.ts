import { readFileSync } from "node:fs";
import type { Options } from "tsup";

/**
 * The one tsup configuration every package uses: ESM JavaScript only. Type declarations come from
 * `tsc -p tsconfig.build.json` because tsup's own .d.ts step cannot run on TypeScript 7
 * (shared/research/toolchain.md). The package version is injected for User-Agent headers.
 */
export function packageBuild(entry: string[]): Options {
  const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
  return {
    entry,
    format: ["esm"],
    dts: false,
    clean: true,
    sourcemap: true,
    target: "node22",
    // Keep `node:` specifiers: tsup would rewrite `node:sqlite` to `sqlite`, which does not exist.
    removeNodeProtocol: false,
    define: { __REVTRACE_VERSION__: JSON.stringify(version) },
  };
}
