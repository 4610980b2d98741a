import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  ChargebeeApiError,
  ConfigError,
  MoneyError,
  RevtraceError,
  redactIssues,
  SinkError,
  StorageError,
  WebhookAuthError,
  WebhookPayloadError,
} from "./errors.js";

describe("error family", () => {
  const errors = [
    [new ConfigError("bad option", { fields: ["accessToken"] }), "config_invalid", 500],
    [new WebhookAuthError(), "webhook_auth_failed", 401],
    [new WebhookPayloadError("bad body"), "webhook_payload_invalid", 400],
    [
      new SinkError("down", {
        sink: "tiktok",
        reason: "http_status",
        retryable: true,
        status: 503,
      }),
      "sink_failed",
      502,
    ],
    [new StorageError("gone", { engine: "sqlite" }), "storage_failed", 503],
    [new MoneyError("bad amount"), "money_invalid", 400],
    [
      new ChargebeeApiError("down", {
        operation: "list events",
        reason: "http_status",
        retryable: true,
        status: 503,
      }),
      "chargebee_api_failed",
      502,
    ],
  ] as const;

  it.each(errors)("%s has its code, HTTP status, name and marker", (error, code, status) => {
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.name).toBe(error.constructor.name);
    expect(RevtraceError.isInstance(error)).toBe(true);
  });

  it("isInstance works across copies of the package (marker, not prototype)", () => {
    const foreign = Object.assign(new Error("from another copy"), {
      code: "sink_failed",
      [Symbol.for("@revtrace/error")]: true,
    });
    expect(foreign instanceof SinkError).toBe(false);
    expect(SinkError.isInstance(foreign)).toBe(true);
    expect(WebhookAuthError.isInstance(foreign)).toBe(false);
    expect(RevtraceError.isInstance(new Error("plain"))).toBe(false);
    expect(RevtraceError.isInstance(null)).toBe(false);
  });

  it("keeps the cause", () => {
    const cause = new Error("root");
    expect(new StorageError("wrapped", { engine: "postgres", cause }).cause).toBe(cause);
  });

  it("carries zod issues without the input values", () => {
    const result = z.object({ email: z.email() }).safeParse({ email: "not-an-email" });
    expect(result.success).toBe(false);
    const issues = redactIssues(result.error?.issues ?? []);
    const error = new WebhookPayloadError("invalid", { issues });
    expect(error.issues[0]?.path).toEqual(["email"]);
    expect(JSON.stringify(error.issues)).not.toContain("not-an-email");
  });

  it("never quotes the input of a union's branches", () => {
    const union = z.union([z.email(), z.uuid()]).safeParse("jane@@example.org");
    const issues = redactIssues(union.error?.issues ?? []);
    expect(issues[0]?.code).toBe("invalid_union");
    expect(JSON.stringify(issues)).not.toContain("jane@@example.org");
  });

  it("a Chargebee API abort is never retryable, whatever the caller passes", () => {
    const error = new ChargebeeApiError("stopped", {
      operation: "list events",
      reason: "aborted",
      retryable: true,
    });
    expect(error.retryable).toBe(false);
    expect(ChargebeeApiError.isInstance(error)).toBe(true);
    expect(SinkError.isInstance(error)).toBe(false);
  });
});
