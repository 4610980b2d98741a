import { describe, expect, it } from "vitest";
import { redactingLogger } from "./log.js";

describe("redactingLogger", () => {
  it("redacts personal data and credentials in every entry", () => {
    const lines: unknown[][] = [];
    const logger = redactingLogger({
      warn: (...args: unknown[]) => lines.push(args),
      info: (...args: unknown[]) => lines.push(args),
    } as never);
    logger.warn(
      { email: "jane@acme.io", key: "chargebee:ev_1", authorization: "Basic abc" },
      "sent for jane@acme.io",
    );
    logger.info("Bearer tok_123 used");
    logger.debug("dropped: the caller has no debug");
    expect(lines).toEqual([
      [
        { email: "[redacted]", key: "chargebee:ev_1", authorization: "[redacted]" },
        "sent for [redacted-email]",
      ],
      ["Bearer [redacted] used"],
    ]);
  });
});
