/**
 * `revtrace doctor`: is this deployment ready? The configuration loads and validates, the storage
 * answers, its migrations are applied, and every configured destination accepts its credentials
 * (`verifyCredentials`), as a pass/fail table.
 *
 * @module
 */
import { ConfigError } from "@revtrace/core";
import { createPipeline } from "@revtrace/pipeline";
import { loadConfig, type RevtraceConfig } from "../config.js";
import { configuredStorage } from "../configured-pipeline.js";

export type CheckStatus = "pass" | "fail" | "skip";

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorResult {
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** A loaded config, or the path of the config file. */
  config: RevtraceConfig | string;
  /** Per destination check. @default 15_000 */
  timeoutMs?: number | undefined;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs every check (a failing check never stops the others). */
export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: CheckStatus, detail: string) =>
    checks.push({ name, status, detail });
  let config: RevtraceConfig;
  try {
    config = typeof options.config === "string" ? await loadConfig(options.config) : options.config;
    // createPipeline validates every option (and the composed parts'): nothing runs or connects yet.
    const { sqlite: _sqlite, storage: _storage, ...rest } = config.pipeline;
    const probe = createPipeline({ ...rest, sqlite: { path: ":memory:" } });
    await probe.close();
    add(
      "configuration",
      "pass",
      `${(config.pipeline.sinks ?? []).length} destination(s) configured`,
    );
  } catch (error) {
    // The fields the message does not already name (a config file's message lists them itself).
    const text = message(error);
    const unnamed = ConfigError.isInstance(error)
      ? error.fields.filter((field) => !text.includes(field))
      : [];
    add("configuration", "fail", unnamed.length ? `${text} (${unnamed.join(", ")})` : text);
    return { ok: false, checks };
  }

  // Built inside the check: SQLite opens its file right away (a missing folder, a folder, not a
  // database), which is the storage check failing, not the command.
  let storage: ReturnType<typeof configuredStorage> | undefined;
  try {
    storage = configuredStorage(config);
    await storage.migrate();
    add("migrations", "pass", "applied (idempotent)");
    await storage.listQuarantine({ limit: 1 });
    const failures = await storage.listFailures({ limit: 100 });
    add(
      "storage",
      "pass",
      failures.length === 0
        ? "answers; no dead letters"
        : `answers; ${failures.length}${failures.length === 100 ? "+" : ""} dead letters`,
    );
  } catch (error) {
    add("storage", "fail", message(error));
  } finally {
    await storage?.close().catch(() => {});
  }

  for (const sink of config.pipeline.sinks ?? []) {
    const name = `destination ${sink.name}`;
    if (!sink.verifyCredentials) {
      add(name, "skip", "the sink has no credential check");
      continue;
    }
    try {
      await sink.verifyCredentials({ signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
      add(name, "pass", "credentials accepted");
    } catch (error) {
      add(name, "fail", message(error));
    }
  }
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

/** The pass/fail table. */
export function formatDoctor(
  result: DoctorResult,
  style: (format: "green" | "red" | "yellow", text: string) => string,
) {
  const width = Math.max(...result.checks.map((c) => c.name.length), 5) + 2;
  const mark = {
    pass: style("green", "PASS"),
    fail: style("red", "FAIL"),
    skip: style("yellow", "SKIP"),
  };
  return [
    `${"check".padEnd(width)}result  detail`,
    ...result.checks.map((c) => `${c.name.padEnd(width)}${mark[c.status]}    ${c.detail}`),
  ].join("\n");
}
