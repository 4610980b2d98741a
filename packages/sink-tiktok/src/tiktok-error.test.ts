import { SinkError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import {
  classifyTikTokCode,
  invalidItemError,
  isInvalidEventError,
  refusedIndexes,
  tiktokResponseError,
} from "./tiktok-error.js";

describe("classifyTikTokCode (TikTok spec §6)", () => {
  it.each([
    [0, "ok"],
    [20001, "partial"],
    [40100, "retryable"],
    [40132, "retryable"],
    [50000, "retryable"],
    [50002, "retryable"],
    [51000, "retryable"],
    [53103, "retryable"],
    [60001, "retryable"],
    [61000, "retryable"],
    [40002, "invalid_event"],
    [40062, "invalid_event"],
    [40000, "request"],
    [40001, "request"],
    [40003, "request"],
    [40006, "request"],
    [40051, "request"],
    [40061, "request"],
    [40063, "request"],
    [40102, "request"],
    [40104, "request"],
    [40105, "request"],
    [53104, "request"],
    [12345, "request"],
  ])("code %i is %s", (code, kind) => {
    expect(classifyTikTokCode(code)).toBe(kind);
  });
});

describe("tiktokResponseError", () => {
  it("accepts 0 and 20001", () => {
    expect(tiktokResponseError({ code: 0, message: "OK" }, 200, [])).toBeUndefined();
    expect(tiktokResponseError({ code: 20001, message: "Partial OK" }, 200, [])).toBeUndefined();
  });

  it("turns a non-zero code on HTTP 200 into a SinkError without secrets or emails", () => {
    const error = tiktokResponseError(
      { code: 40105, message: "token tok-secret invalid for ann@example.com", request_id: "req-9" },
      200,
      ["tok-secret"],
    );
    expect(error).toBeInstanceOf(SinkError);
    expect(error).toMatchObject({
      sink: "tiktok",
      reason: "vendor_error",
      retryable: false,
      status: 200,
      vendorCode: 40105,
      message: "tiktok: TikTok code 40105 (invalid or revoked access token), request_id req-9",
    });
    expect(error?.responseBody).toContain("[redacted]");
    expect(error?.responseBody).not.toContain("tok-secret");
    expect(error?.responseBody).not.toContain("ann@example.com");
  });

  it("marks throttling retryable and payload errors as bisectable", () => {
    const throttled = tiktokResponseError({ code: 40100, message: "Too many requests" }, 200, []);
    const invalid = tiktokResponseError({ code: 40002, message: "Batch.0.event_id: bad" }, 200, []);
    expect(throttled?.retryable).toBe(true);
    expect(isInvalidEventError(throttled)).toBe(false);
    expect(isInvalidEventError(invalid)).toBe(true);
    const item = invalidItemError(invalid as SinkError);
    expect(item).toMatchObject({ reason: "invalid_item", retryable: false, vendorCode: 40002 });
    expect(item.cause).toBe(invalid);
  });

  it("truncates long bodies", () => {
    const error = tiktokResponseError({ code: 40002, message: "x".repeat(2000) }, 200, []);
    expect(error?.responseBody?.length).toBeLessThan(600);
  });
});

describe("refusedIndexes (TikTok spec §5: messages name the offending index)", () => {
  it("reads every Batch.N of the message, within the batch, in order", () => {
    expect(
      refusedIndexes("Batch.3.properties.contents.0.content_id: Not a valid string", 5),
    ).toEqual([3]);
    expect(
      refusedIndexes("Batch.4.user.email: bad; Batch.1: bad; Batch.4.event_id: bad", 5),
    ).toEqual([1, 4]);
  });

  it("ignores messages without an index and indexes outside the batch", () => {
    expect(refusedIndexes("Param error", 5)).toEqual([]);
    expect(refusedIndexes("Batch.5.user: bad", 5)).toEqual([]);
    expect(refusedIndexes("NotBatch.1.user; Batch.x", 5)).toEqual([]);
  });
});
