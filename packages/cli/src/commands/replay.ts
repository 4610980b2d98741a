/**
 * `revtrace replay --from <file|dir|chargebee|quarantine|dead-letters>`: ingests again, through the
 * webhook's own parse and dedupe, what was recorded, what Chargebee's List Events API still has, what
 * was quarantined, or puts dead-lettered deliveries back in their queues. Every replay is idempotent
 * (event ids are claimed once), so it is safe to interrupt and run again. Then, unless `drain` is off
 * (a running `serve` will pick the work up), the worker processes and delivers it.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "@revtrace/core";
import { DrainTimeoutError, type Pipeline, recordedFiles } from "@revtrace/pipeline";
import type { RevtraceConfig } from "../config.js";
import { openConfiguredPipeline } from "../configured-pipeline.js";
import { createUi, type Ui } from "../ui.js";
import { UsageError } from "../usage-error.js";

/** How long processing and delivery may take before the replay reports what is still queued. */
const DRAIN_TIMEOUT_MS = 300_000;

export type ReplaySource = "chargebee" | "quarantine" | "dead-letters" | (string & {});

export interface ReplayCommandOptions {
  config: RevtraceConfig;
  /** A file or folder of recorded bodies, or `chargebee`, `quarantine`, `dead-letters`. */
  from: ReplaySource;
  /** `chargebee`: only events after this time (epoch ms). */
  since?: number | undefined;
  /** `dead-letters`: only this sink's. */
  sink?: string | undefined;
  /** Process and deliver what was replayed before returning. @default true */
  drain?: boolean | undefined;
  /**
   * How long processing and delivery may take; what is not delivered by then stays queued and is
   * counted as `undelivered`. @default 300000 (5 minutes)
   */
  drainTimeoutMs?: number | undefined;
  /** Stops a replay of files after the file in progress (the CLI aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal | undefined;
  ui?: Ui | undefined;
}

export interface ReplayCommandResult {
  from: string;
  /** Bodies or items looked at. */
  total: number;
  stored: number;
  duplicates: number;
  invalid: number;
  /** `quarantine`: bodies that still fail validation (kept). */
  stillInvalid: number;
  /** `dead-letters`: items put back in their queue. */
  requeued: number;
  /** Stopped by `signal` before the end: run it again (what was stored is a duplicate then). */
  interrupted: boolean;
  /**
   * Items still queued when processing ran out of time (a destination down or slow): they are
   * delivered by `revtrace serve` or the next replay.
   */
  undelivered: number;
  /** Deliveries (or events) dead-lettered while this replay processed: `--from dead-letters`. */
  deadLettered: number;
  durationMs: number;
}

const SOURCES = new Set(["chargebee", "quarantine", "dead-letters"]);

/** Throws a {@link UsageError} when `from` is neither a known source nor an existing file or folder. */
export function checkReplaySource(from: string): void {
  if (!SOURCES.has(from) && !existsSync(resolve(from))) {
    throw new UsageError(
      `replay --from ${from}: no such file or folder (give a file or folder of .json bodies, or chargebee, quarantine, dead-letters)`,
    );
  }
}

/** How a drain ended: done, interrupted, or out of time with items still queued. */
type DrainOutcome = { interrupted: boolean; undelivered: number };

/**
 * Drains the pipeline, or stops when `signal` aborts (Ctrl-C, SIGTERM): the pipeline is closed, which
 * ends the drain, lets the batches in flight finish within its grace and keeps what is left in the
 * outbox for the next run. A drain that runs out of time (a destination down) is no crash either:
 * what it could not deliver stays queued, and the outcome counts it.
 */
async function drainUnlessInterrupted(
  pipeline: Pipeline,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<DrainOutcome> {
  const draining = pipeline.drain({ timeoutMs }).then(
    () => ({ interrupted: false, undelivered: 0 }),
    (error: unknown) => {
      if (error instanceof DrainTimeoutError) {
        return { interrupted: false, undelivered: error.undelivered };
      }
      throw error;
    },
  );
  if (!signal) return draining;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<"interrupted">((resolve) => {
    onAbort = () => resolve("interrupted");
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const first = await Promise.race([draining, aborted]);
    if (first !== "interrupted") return first;
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
  // close() ends the drain with "closed while draining": that is the interruption, not an error.
  await pipeline.close();
  await draining.catch(() => {});
  return { interrupted: true, undelivered: 0 };
}

/** Items this process dead-lettered (the worker's and every sink's). */
function deadLettersOf(pipeline: Pipeline): number {
  const metrics = pipeline.metrics();
  return Object.values(metrics.sinks).reduce(
    (sum, sink) => sum + sink.deadLetters,
    metrics.worker.deadLetters,
  );
}

/** Runs a replay. */
export async function runReplay(options: ReplayCommandOptions): Promise<ReplayCommandResult> {
  const started = Date.now();
  const ui = options.ui ?? createUi();
  const result: ReplayCommandResult = {
    from: options.from,
    total: 0,
    stored: 0,
    duplicates: 0,
    invalid: 0,
    stillInvalid: 0,
    requeued: 0,
    interrupted: false,
    undelivered: 0,
    deadLettered: 0,
    durationMs: 0,
  };
  if (options.from === "chargebee" && !options.config.pipeline.chargebee.api) {
    throw new ConfigError(
      "replay --from chargebee needs pipeline.chargebee.api (site and apiKey)",
      {
        fields: ["pipeline.chargebee.api"],
      },
    );
  }
  checkReplaySource(options.from);
  const { pipeline, sinks, logPath } = await openConfiguredPipeline(options.config);
  try {
    const known = [...sinks.map((sink) => sink.name), ...(logPath ? ["report"] : [])];
    if (options.sink !== undefined && !known.includes(options.sink)) {
      throw new UsageError(
        `replay --sink ${options.sink}: no such sink (known: ${known.join(", ") || "none"})`,
      );
    }
    if (options.from === "quarantine") {
      const task = ui.task("Replaying quarantined bodies");
      const report = await pipeline.replayQuarantine();
      Object.assign(result, report, {
        total: report.stored + report.duplicates + report.invalid + report.stillInvalid,
      });
      task.done(`Replayed ${result.total} quarantined bodies`);
    } else if (options.from === "dead-letters") {
      const task = ui.task("Putting dead letters back in their queues");
      result.requeued = await pipeline.replayDeadLetters({ sink: options.sink });
      result.total = result.requeued;
      task.done(`Requeued ${result.requeued} dead letters`);
    } else if (options.from === "chargebee") {
      const task = ui.task("Replaying events from Chargebee's List Events API");
      const report = await pipeline.replayChargebeeEvents({ occurredAfter: options.since });
      Object.assign(result, report, { total: report.stored + report.duplicates + report.invalid });
      task.done(`Replayed ${result.total} events from Chargebee`);
    } else {
      // the pipeline's own walk, listed here to replay (and count) one file at a time
      const files = await recordedFiles(resolve(options.from));
      result.total = files.length;
      const bar = ui.progress("Replaying recorded bodies", files.length);
      for (const file of files) {
        if (options.signal?.aborted) {
          result.interrupted = true;
          break;
        }
        const report = await pipeline.replayFiles([file]);
        result.stored += report.stored;
        result.duplicates += report.duplicates;
        result.invalid += report.invalid;
        bar.advance();
      }
      bar.done(result.interrupted ? "Interrupted" : `Replayed ${files.length} files`);
    }
    // A signal during a single call (quarantine, dead letters, Chargebee) is seen once it returns.
    if (options.signal?.aborted) result.interrupted = true;
    if (options.drain !== false && !result.interrupted) {
      const task = ui.task("Processing and delivering");
      const drained = await drainUnlessInterrupted(
        pipeline,
        options.signal,
        options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS,
      );
      result.interrupted = drained.interrupted;
      result.undelivered = drained.undelivered;
      result.deadLettered = deadLettersOf(pipeline);
      task.done(
        result.interrupted
          ? "Interrupted"
          : result.undelivered > 0 || result.deadLettered > 0
            ? "Processed, not all delivered"
            : "Processed and delivered",
      );
    }
  } finally {
    await pipeline.close();
  }
  result.durationMs = Date.now() - started;
  return result;
}
