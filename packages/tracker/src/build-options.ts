/**
 * The esbuild options of the IIFE build (`dist/revtrace.js`), shared by `tsup.config.ts` and the size
 * test so that the test measures exactly what ships.
 *
 * @module
 */

/** The IIFE build: minified, ES2017 so it runs in every browser still in use, no dependencies. */
export const IIFE_BUILD = {
  entry: { revtrace: "src/auto.ts" },
  format: ["iife"] as const,
  minify: true,
  target: "es2017",
  platform: "browser" as const,
  sourcemap: false,
};

/** The largest gzipped size of the IIFE build, in bytes (Plausible's hosted script is 1.9 KB). */
export const MAX_GZIP_BYTES = 2_048;
