import { describe, expect, it } from "vitest";
import { dateOption, UsageError } from "./usage-error.js";

describe("dateOption", () => {
  it("reads an ISO 8601 date as midnight UTC and a date and time by its zone", () => {
    expect(dateOption("2026-11-01", "since")).toBe(Date.UTC(2026, 10, 1));
    expect(dateOption("2024-02-29", "since")).toBe(Date.UTC(2024, 1, 29));
    expect(dateOption("2026-11-01T09:30Z", "since")).toBe(Date.UTC(2026, 10, 1, 9, 30));
    expect(dateOption("2026-11-01T09:30:15.250+01:00", "since")).toBe(
      Date.UTC(2026, 10, 1, 8, 30, 15, 250),
    );
  });

  it("refuses what Date.parse would misread, naming the option", () => {
    for (const value of [
      "1",
      2026,
      "2026",
      "2026-02-31",
      "2025-02-29",
      "2026-13-01",
      "2026-11-01T09:30",
      "2026-11-01T25:00Z",
      "01/11/2026",
      "now",
      "",
      true,
      ["2026-11-01", "2026-11-02"],
    ]) {
      expect(() => dateOption(value, "since"), String(value)).toThrow(UsageError);
    }
    expect(() => dateOption("2026-02-31", "since")).toThrow(/^--since must be an ISO 8601 date/);
  });
});
