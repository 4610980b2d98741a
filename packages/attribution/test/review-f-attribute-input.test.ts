/**
 * review-f: attribute() refuses a non-finite occurredAt with a TypeError, but a malformed
 * originalOccurredAt (NaN, a string) is used or dropped silently: a renewal's window is then measured
 * from the wrong time, with no error.
 */
import { describe, expect, it } from "vitest";
import { attribute } from "../src/index.js";

const touchpoint = (id: string, occurredAt: number) => ({
  id,
  anonymousId: "a1",
  occurredAt,
  clickIds: {},
  utm: {},
  channel: "paid_search" as const,
});
const value = { amount: 1000, currency: "USD" };

describe("review-f: attribute() and a malformed originalOccurredAt", () => {
  it("refuses occurredAt NaN (holds today)", () => {
    expect(() => attribute({ occurredAt: Number.NaN, value }, [touchpoint("a", 1)])).toThrow(
      TypeError,
    );
  });

  it.each([
    ["NaN", Number.NaN],
    ["a string", "5"],
    ["Infinity", Number.POSITIVE_INFINITY],
  ])("refuses originalOccurredAt %s with a TypeError", (_label, original) => {
    expect(() =>
      attribute({ occurredAt: 100, originalOccurredAt: original as number, value }, [
        touchpoint("a", 1),
      ]),
    ).toThrow(TypeError);
  });
});
