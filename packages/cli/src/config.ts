/**
 * `revtrace.config.ts`: the typed configuration of `serve`, `replay`, `backfill`, `doctor` and
 * `report`. It is code (so sinks are built with their own typed factories) and reads its secrets from
 * environment variables through {@link env}; no command takes a secret on its command line.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "@revtrace/core";
import type { PipelineOptions } from "@revtrace/pipeline";
import { z } from "zod";

/** The configuration of a revtrace deployment. */
export interface RevtraceConfig {
  /** `createPipeline`'s options (storage, sinks, Chargebee credentials, attribution, commissions…). */
  pipeline: PipelineOptions;
  /** Where `serve` listens. @default { host: "127.0.0.1", port: 3000 } */
  server?: { host?: string | undefined; port?: number | undefined } | undefined;
  /**
   * The conversion log the report reads (one JSON line per delivered conversion, with the engine's
   * explanations and no contact data). @default "revtrace-conversions.jsonl"; `false` keeps none
   */
  conversionLog?: string | false | undefined;
  /** How long `serve` waits for requests and batches in flight on SIGTERM. @default 10_000 */
  shutdownTimeoutMs?: number | undefined;
}

/** Types a configuration file's default export (identity at run time). */
export function defineConfig(config: RevtraceConfig): RevtraceConfig {
  return config;
}

/**
 * An environment variable's value, or a `ConfigError` naming the variable (never a value) when it is
 * unset or empty. Use it for every secret of the config file.
 */
export function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`The environment variable ${name} is not set`, { fields: [name] });
}

const ConfigSchema = z.object({
  pipeline: z.looseObject({ chargebee: z.looseObject({}) }),
  server: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.int().min(0).max(65_535).optional(),
    })
    .optional(),
  conversionLog: z.union([z.string().min(1), z.literal(false)]).optional(),
  shutdownTimeoutMs: z.int().positive().optional(),
});

/** The default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = "revtrace.config.ts";

/** Loads and checks a config file (`.ts` runs on Node's type stripping, or `.js`/`.mjs`). */
export async function loadConfig(path = DEFAULT_CONFIG_FILE): Promise<RevtraceConfig> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new ConfigError(`No config file at ${file} (pass --config <file>)`, {
      fields: ["config"],
    });
  }
  let loaded: unknown;
  try {
    loaded = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    throw new ConfigError(
      `The config file ${file} could not be loaded: ${(error as Error).message}`,
      {
        fields: ["config"],
        cause: error,
      },
    );
  }
  const parsed = ConfigSchema.safeParse(loaded);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "default");
    throw new ConfigError(
      `The config file ${file} must export default defineConfig({ pipeline: { chargebee, … } }) (${fields.join(", ")})`,
      { fields },
    );
  }
  return loaded as RevtraceConfig;
}

/** The conversion log's path of a config (`null` when it keeps none). */
export function conversionLogPath(config: RevtraceConfig): string | null {
  if (config.conversionLog === false) return null;
  return resolve(config.conversionLog ?? "revtrace-conversions.jsonl");
}
