/**
 * review-f (minor): serializations of "no value" that the built-in junk list misses, next to ones it
 * has. `[object Object]` and `<nil>` are junk; `{}` (JSON.stringify of an empty object), `[]` and
 * `<null>` merge every visitor that sends them.
 */
import { describe, expect, it } from "vitest";
import { junkIdReason } from "../src/index.js";

describe("review-f: junk ids spelled as empty serializations", () => {
  it("the list's own neighbours are junk (holds)", () => {
    expect(junkIdReason("[object Object]")).toBe("junk");
    expect(junkIdReason("<nil>")).toBe("junk");
    expect(junkIdReason("(null)")).toBe("junk");
  });

  it.each(["{}", "[]", "<null>"])("%s is junk", (value) => {
    expect(junkIdReason(value)).toBe("junk");
  });
});
