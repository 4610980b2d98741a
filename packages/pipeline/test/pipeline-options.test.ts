import { ConfigError, type Sink } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { createPipeline, type PipelineOptions } from "../src/index.ts";

const SECRET = "s3cr3t-webhook-password";
const valid: PipelineOptions = {
  sqlite: { path: ":memory:" },
  chargebee: { credentials: [{ username: "chargebee", password: SECRET }] },
};

function sink(name: string): Sink {
  return {
    specificationVersion: "v1",
    name,
    handles: new Set(["first_payment"]),
    send: async (items) => items.map((item) => ({ id: item.id, status: "delivered" as const })),
  };
}

/** The ConfigError `build` throws. */
function configError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("createPipeline options", () => {
  it("accepts the minimal options (SQLite storage by default)", async () => {
    const pipeline = createPipeline(valid);
    expect(pipeline.storage.engine).toBe("sqlite");
    await pipeline.close();
  });

  it.each<[string, unknown, string[]]>([
    ["no chargebee options", { ...valid, chargebee: undefined }, ["chargebee"]],
    ["no credentials", { ...valid, chargebee: { credentials: [] } }, ["chargebee.credentials"]],
    [
      "a username with a colon",
      { ...valid, chargebee: { credentials: [{ username: "a:b", password: SECRET }] } },
      ["chargebee.credentials.0.username"],
    ],
    [
      "an unknown parser option",
      { ...valid, chargebee: { ...valid.chargebee, parse: { clickIdField: "click" } } },
      ["chargebee.parse.clickIdField"],
    ],
    ["a storage that is not one", { ...valid, storage: { engine: "x" } }, ["storage"]],
    ["a sink that is not one", { ...valid, sinks: [{ name: "x" }] }, ["sinks.0"]],
    ["two sinks with one name", { ...valid, sinks: [sink("a"), sink("a")] }, ["sinks.1.name"]],
    ["the reserved sink name", { ...valid, sinks: [sink("~revtrace-worker")] }, ["sinks.0.name"]],
    ["zero attempts", { ...valid, delivery: { maxAttempts: 0 } }, ["delivery.maxAttempts"]],
    ["a fractional lease", { ...valid, worker: { leaseMs: 1.5 } }, ["worker.leaseMs"]],
    ["a negative body limit", { ...valid, http: { maxBodyBytes: -1 } }, ["http.maxBodyBytes"]],
    ["an empty Retention secret", { ...valid, retention: { secret: "" } }, ["retention.secret"]],
    [
      "an unknown attribution model",
      { ...valid, attribution: { models: ["best_guess"] } },
      ["attribution.models.0"],
    ],
    [
      "a commission rule without a rate",
      { ...valid, commissions: { rules: [{ duration: "lifetime" }] } },
      ["commissions.rules.0"],
    ],
    [
      "a partner model that is not run",
      { ...valid, commissions: { rules: [{ percent: 20 }], partnerModel: "linear" } },
      ["commissions.partnerModel"],
    ],
    ["a clock that is not a function", { ...valid, now: 5 }, ["now"]],
    ["an unknown option", { ...valid, sinkz: [] }, ["(root)"]],
  ])("%s → ConfigError naming the field", (_what, options, fields) => {
    const error = configError(() => createPipeline(options as PipelineOptions));
    for (const field of fields) {
      expect(error.fields.some((f) => f === field || f.startsWith(`${field}.`))).toBe(true);
    }
    expect(error.message).not.toContain(SECRET);
  });
});
