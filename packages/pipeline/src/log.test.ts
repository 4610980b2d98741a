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

  it("does not redact (or even read) entries the logger drops: a missing method or a level that is off", () => {
    let reads = 0;
    const entry = {
      get email() {
        reads++;
        return "jane@acme.io";
      },
    };
    const lines: unknown[][] = [];
    const pinoLike = {
      level: "info",
      isLevelEnabled(level: string) {
        return level !== "debug";
      },
      debug: (...args: unknown[]) => lines.push(["debug", ...args]),
      info: (...args: unknown[]) => lines.push(["info", ...args]),
    };
    const logger = redactingLogger(pinoLike as never);
    logger.debug(entry, "off");
    logger.warn(entry, "no warn method");
    expect(reads).toBe(0);
    expect(lines).toEqual([]);
    logger.info(entry, "on");
    expect(reads).toBe(1);
    expect(lines).toEqual([["info", { email: "[redacted]" }, "on"]]);
    pinoLike.isLevelEnabled = () => true; // the level changed at run time
    logger.debug({ key: "k" }, "now on");
    expect(lines.at(-1)).toEqual(["debug", { key: "k" }, "now on"]);
  });
});
