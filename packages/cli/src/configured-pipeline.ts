/**
 * A pipeline built from a config file: its storage (the configured engine, or the embedded SQLite
 * file), migrated; its sinks, plus the conversion log the report reads.
 *
 * @module
 */
import type { AttributionOptions } from "@revtrace/attribution";
import type { Sink } from "@revtrace/core";
import { createPipeline, type Pipeline, type PipelineStorage } from "@revtrace/pipeline";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { conversionLogPath, type RevtraceConfig } from "./config.js";
import { createConversionLogSink } from "./conversion-log.js";

export interface ConfiguredPipeline {
  pipeline: Pipeline;
  storage: PipelineStorage;
  /** The configured sinks (without the conversion log). */
  sinks: readonly Sink[];
  logPath: string | null;
}

/** The configured storage (not migrated): the given engine, or SQLite at `pipeline.sqlite.path`. */
export function configuredStorage(config: RevtraceConfig): PipelineStorage {
  return (
    config.pipeline.storage ??
    (createSqliteStorage({
      path: config.pipeline.sqlite?.path ?? "revtrace.db",
      synchronous: config.pipeline.sqlite?.synchronous ?? "FULL",
    }) as PipelineStorage)
  );
}

/** Builds (and migrates the storage of) the configured pipeline; `close()` closes the storage too. */
export async function openConfiguredPipeline(config: RevtraceConfig): Promise<ConfiguredPipeline> {
  const storage = configuredStorage(config);
  await storage.migrate();
  const logPath = conversionLogPath(config);
  const sinks = config.pipeline.sinks ?? [];
  const { touchpointLookbackMs, ...attribution } = config.pipeline.attribution ?? {};
  const log = logPath
    ? [
        createConversionLogSink({
          path: logPath,
          storage,
          attribution: attribution as AttributionOptions,
          touchpointLookbackMs,
        }),
      ]
    : [];
  const { sqlite: _sqlite, ...options } = config.pipeline;
  const pipeline = createPipeline({ ...options, storage, sinks: [...sinks, ...log] });
  return { pipeline, storage, sinks, logPath };
}
