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
    ["a logger whose method is not a function", { ...valid, logger: { info: 5 } }, ["logger"]],
    [
      "a misspelt Chargebee option",
      { ...valid, chargebee: { ...valid.chargebee, prase: {} } },
      ["chargebee"],
    ],
    [
      "a misspelt Chargebee API option",
      { ...valid, chargebee: { ...valid.chargebee, api: { site: "acme", apikey: "k" } } },
      ["chargebee.api"],
    ],
    [
      "an empty Chargebee site",
      { ...valid, chargebee: { ...valid.chargebee, api: { site: "", apiKey: "k" } } },
      ["chargebee.api.site"],
    ],
    [
      "a misspelt attribution option",
      { ...valid, attribution: { modles: ["linear"] } },
      ["attribution"],
    ],
    [
      "a misspelt model setting",
      { ...valid, attribution: { models: [{ model: "linear", windw: 5 }] } },
      ["attribution.models.0"],
    ],
    [
      "a misspelt commission option",
      { ...valid, commissions: { rules: [{ percent: 20 }], partnermodel: "x" } },
      ["commissions"],
    ],
    [
      "a misspelt commission rule field",
      { ...valid, commissions: { rules: [{ percent: 20, partnr: "p1" }] } },
      ["commissions.rules.0"],
    ],
    ["an unknown option", { ...valid, sinkz: [] }, ["sinkz"]],
  ])("%s → ConfigError naming the field", (_what, options, fields) => {
    const error = configError(() => createPipeline(options as PipelineOptions));
    for (const field of fields) {
      expect(error.fields.some((f) => f === field || f.startsWith(`${field}.`))).toBe(true);
    }
    expect(error.message).not.toContain(SECRET);
  });

  it("accepts a logger that is a class instance (pino's shape), and calls it", async () => {
    const lines: string[] = [];
    class ClassLogger {
      readonly prefix = "app";
      debug(_obj: unknown, msg?: string) {
        lines.push(`${this.prefix} debug ${msg ?? ""}`);
      }
      info(_obj: unknown, msg?: string) {
        lines.push(`${this.prefix} info ${msg ?? ""}`);
      }
      warn(_obj: unknown, msg?: string) {
        lines.push(`${this.prefix} warn ${msg ?? ""}`);
      }
      error(_obj: unknown, msg?: string) {
        lines.push(`${this.prefix} error ${msg ?? ""}`);
      }
      child() {
        return this;
      }
    }
    const pipeline = createPipeline({ ...valid, logger: new ClassLogger() });
    await pipeline.handleWebhook(
      new Request("http://localhost/webhooks/chargebee", {
        method: "POST",
        body: "{}",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`chargebee:${SECRET}`).toString("base64")}`,
        },
      }),
    );
    await pipeline.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.startsWith("app "))).toBe(true);
  });
});
