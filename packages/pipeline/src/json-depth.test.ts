import { describe, expect, it } from "vitest";
import { jsonDepthExceeds } from "./json-depth.js";

describe("jsonDepthExceeds", () => {
  const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

  it("measures nesting, not the number of brackets", () => {
    expect(jsonDepthExceeds(nested(3), 3)).toBe(false);
    expect(jsonDepthExceeds(nested(4), 3)).toBe(true);
    // Many brackets, shallow: more brackets than the limit, never deeper than 2.
    const wide = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ a: [i] })));
    expect(jsonDepthExceeds(wide, 3)).toBe(false);
    expect(jsonDepthExceeds(`{"a":${nested(3)}}`, 3)).toBe(true);
  });

  it("skips brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ note: `${"[{".repeat(20)} \\" "` });
    expect(jsonDepthExceeds(text, 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify([{ s: "]]]]" }, [[]]]), 2)).toBe(true);
  });
});
