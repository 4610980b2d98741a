import { afterEach, describe, expect, it, vi } from "vitest";
import {
  consoleLogger,
  redact,
  redactedError,
  redactText,
  silentLogger,
  toLogger,
  truncate,
} from "./logger.js";

describe("redact", () => {
  it("masks sensitive keys at any depth, case-insensitively, without touching the input", () => {
    const input = {
      headers: { Authorization: "Basic dXNlcjpwYXNz", "Access-Token": "tok" },
      user: { email: "jane@example.com", phone: "+15551234567", id: "cus_1" },
      list: [{ password: "hunter2" }],
      note: "contact jane@example.com with Bearer abc.def",
    };
    const out = redact(input);
    expect(out).toEqual({
      headers: { Authorization: "[redacted]", "Access-Token": "[redacted]" },
      user: { email: "[redacted]", phone: "[redacted]", id: "cus_1" },
      list: [{ password: "[redacted]" }],
      note: "contact [redacted-email] with Bearer [redacted]",
    });
    expect(input.user.email).toBe("jane@example.com");
  });

  it("accepts extra keys and survives cycles", () => {
    const cyclic: Record<string, unknown> = { pixel: "P1" };
    cyclic.self = cyclic;
    expect(redact(cyclic, ["Pixel"])).toEqual({ pixel: "[redacted]", self: "[circular]" });
  });

  it("redactedError keeps the name and a redacted message, of errors and of thrown values", () => {
    const error = redactedError(new RangeError("no plan for ada@acme.io"));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RangeError");
    expect(error.message).toBe("no plan for [redacted-email]");
    expect(redactedError("ada@acme.io broke")).toMatchObject({
      name: "string",
      message: "[redacted-email] broke",
    });
  });

  it("redactText and truncate", () => {
    expect(redactText("Basic Zm9vOmJhcg== from a@b.co")).toBe(
      "Basic [redacted] from [redacted-email]",
    );
    expect(truncate("abcdef", 3)).toBe("abc… [3 more characters]");
    expect(truncate("abc", 3)).toBe("abc");
  });
});

describe("loggers", () => {
  afterEach(() => vi.restoreAllMocks());

  it("silentLogger and toLogger(undefined) do nothing; toLogger fills missing methods", () => {
    expect(() => silentLogger.error("x")).not.toThrow();
    const calls: unknown[] = [];
    const logger = toLogger({ warn: (...args: unknown[]) => calls.push(args) });
    logger.info("ignored");
    logger.warn({ a: 1 }, "kept");
    expect(calls).toEqual([[{ a: 1 }, "kept"]]);
  });

  it("consoleLogger writes redacted JSON lines at or above its level", () => {
    const log = vi.spyOn(console, "warn").mockImplementation(() => {});
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const logger = consoleLogger("warn");
    logger.info("dropped");
    logger.warn({ email: "a@b.co", sink: "tiktok" }, "failed for a@b.co");
    expect(info).not.toHaveBeenCalled();
    expect(JSON.parse(log.mock.calls[0]?.[0] as string)).toEqual({
      level: "warn",
      email: "[redacted]",
      sink: "tiktok",
      msg: "failed for [redacted-email]",
    });
  });
});
