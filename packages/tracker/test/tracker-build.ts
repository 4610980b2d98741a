/** Builds the IIFE exactly as `tsup` does (the same options), in memory, for the tests. */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { IIFE_BUILD } from "../src/build-options.ts";

/** The minified IIFE script and its gzipped size. */
export async function buildIife(): Promise<{ code: string; gzipBytes: number }> {
  const result = await build({
    entryPoints: [new URL("../src/auto.ts", import.meta.url).pathname],
    bundle: true,
    write: false,
    format: "iife",
    minify: IIFE_BUILD.minify,
    target: IIFE_BUILD.target,
    platform: IIFE_BUILD.platform,
  });
  const code = result.outputFiles[0]?.text ?? "";
  return { code, gzipBytes: gzipSync(code, { level: 9 }).length };
}
