import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 5 ", 5_000],
    ["Thu, 26 Nov 2026 12:00:30 GMT", 30_000],
    ["Thu, 26 Nov 2026 11:00:00 GMT", 0],
  ])("%s → %i ms", (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
  it.each([null, undefined, "", "soon", "-5", "1.5"])("%s → undefined", (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
