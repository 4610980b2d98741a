import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { parseOptions } from "./options.js";

const Schema = z.object({
  accessToken: z.string().min(1, "is required"),
  retry: z.object({ retries: z.number().int().min(0) }).optional(),
  batchSize: z.number().int().max(1000).default(50),
});

describe("parseOptions", () => {
  it("returns the parsed options with defaults", () => {
    expect(parseOptions(Schema, { accessToken: "t" }, "sink options")).toEqual({
      accessToken: "t",
      batchSize: 50,
    });
  });

  it("throws a ConfigError naming every bad field and why, never the values", () => {
    let error: unknown;
    try {
      parseOptions(
        Schema,
        { accessToken: "", retry: { retries: -1 }, batchSize: 5000 },
        "sink options",
      );
    } catch (e) {
      error = e;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    const configError = error as ConfigError;
    expect(configError.fields).toEqual(["accessToken", "retry.retries", "batchSize"]);
    expect(configError.message).toMatch(
      /^Invalid sink options: accessToken: is required; retry\.retries: .+; batchSize: .+$/,
    );
    expect(configError.message).not.toContain("5000");
  });

  it("names an unknown (misspelt) key itself, at any depth, never the object holding it", () => {
    const strict = z.strictObject({
      accessToken: z.string(),
      retry: z.strictObject({ retries: z.number() }).optional(),
    });
    let error: unknown;
    try {
      parseOptions(
        strict,
        { accessToken: "t", acessToken: "s3cr3t", retry: { retries: 1, retires: 1 } },
        "sink options",
      );
    } catch (e) {
      error = e;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).fields).toEqual(["retry.retires", "acessToken"]);
    expect((error as ConfigError).message).toBe(
      "Invalid sink options: retry.retires: unknown option; acessToken: unknown option",
    );
  });

  it("names the root when the options are not an object", () => {
    expect(() => parseOptions(Schema, null, "sink options")).toThrow(
      /Invalid sink options: \(root\)/,
    );
  });
});
