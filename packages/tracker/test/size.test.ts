/** The IIFE build stays under 2 KB gzipped (Plausible's hosted script is 1.9 KB, Umami's 2.4 KB). */
import { describe, expect, it } from "vitest";
import { MAX_GZIP_BYTES } from "../src/build-options.ts";
import { buildIife } from "./tracker-build.ts";

describe("the IIFE build", () => {
  it(`is at most ${MAX_GZIP_BYTES} bytes gzipped and has no import left`, async () => {
    const { code, gzipBytes } = await buildIife();
    expect(gzipBytes).toBeLessThanOrEqual(MAX_GZIP_BYTES);
    expect(code).not.toMatch(/\bimport\s*[({"']/);
    expect(code.length).toBeGreaterThan(1_000);
  });
});
