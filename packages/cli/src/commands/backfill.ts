/**
 * `revtrace backfill activecampaign [--initial]`: the ActiveCampaign sync of existing Chargebee
 * customers — the 10 latest (`--initial`) or all of them, resumable with `--cursor` — with a progress
 * bar and the table of customers that could not be synced (never their personal data).
 *
 * @module
 */
import { createChargebeeApi } from "@revtrace/chargebee";
import { ConfigError } from "@revtrace/core";
import type { ActiveCampaignSink } from "@revtrace/sink-activecampaign";
import type { RevtraceConfig } from "../config.js";
import { createUi, type Ui } from "../ui.js";

export type CustomerSource = Parameters<ActiveCampaignSink["fullSync"]>[0]["source"];

export interface BackfillOptions {
  config: RevtraceConfig;
  /** Only the 10 latest customers (ActiveCampaign's own initial sync). @default false: all */
  initial?: boolean | undefined;
  /** Resume a full sync after this cursor (printed by an interrupted run). */
  cursor?: string | undefined;
  /** Where the customers come from. @default Chargebee's API (`pipeline.chargebee.api`) */
  source?: CustomerSource | undefined;
  ui?: Ui | undefined;
}

export interface BackfillResult {
  mode: "initial" | "full";
  processed: number;
  synced: number;
  skipped: { customerId: string; reason: string }[];
  errors: { customerId: string; message: string; retryable: boolean }[];
  /** Resume from here (full sync not complete), else `null`. */
  cursor: string | null;
  complete: boolean;
  durationMs: number;
}

function isActiveCampaignSink(sink: unknown): sink is ActiveCampaignSink {
  return (
    typeof sink === "object" &&
    sink !== null &&
    (sink as { name?: unknown }).name === "activecampaign" &&
    typeof (sink as { fullSync?: unknown }).fullSync === "function"
  );
}

/** Runs the sync. */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const started = Date.now();
  const ui = options.ui ?? createUi();
  const sink = (options.config.pipeline.sinks ?? []).find(isActiveCampaignSink);
  if (!sink) {
    throw new ConfigError(
      "backfill activecampaign needs an ActiveCampaign sink in pipeline.sinks",
      {
        fields: ["pipeline.sinks"],
      },
    );
  }
  let source = options.source;
  if (!source) {
    const api = options.config.pipeline.chargebee.api;
    if (!api) {
      throw new ConfigError("backfill needs pipeline.chargebee.api (site and apiKey)", {
        fields: ["pipeline.chargebee.api"],
      });
    }
    source = createChargebeeApi(api);
  }
  const errors = (list: { customerId: string; message: string; retryable: boolean }[]) =>
    list.map(({ customerId, message, retryable }) => ({ customerId, message, retryable }));
  if (options.initial) {
    const task = ui.task("Syncing the 10 latest Chargebee customers to ActiveCampaign");
    const result = await sink.initialSync({
      source,
      onProgress: ({ done }) => task.message(`Syncing the 10 latest customers: ${done} done`),
    });
    task.done(`Synced ${result.synced} of ${result.processed} customers`);
    return {
      mode: "initial",
      processed: result.processed,
      synced: result.synced,
      skipped: result.skipped,
      errors: errors(result.errors),
      cursor: null,
      complete: true,
      durationMs: Date.now() - started,
    };
  }
  let bar: ReturnType<Ui["progress"]> | undefined;
  let last = 0;
  const result = await sink.fullSync({
    source,
    cursor: options.cursor ?? null,
    onProgress: ({ done, total }) => {
      bar ??= ui.progress("Syncing Chargebee customers to ActiveCampaign", total ?? 0);
      bar.advance(done - last);
      last = done;
    },
  });
  bar?.done(`Synced ${result.synced} of ${result.processed} customers`);
  return {
    mode: "full",
    processed: result.processed,
    synced: result.synced,
    skipped: result.skipped,
    errors: errors(result.errors),
    cursor: result.cursor,
    complete: result.complete,
    durationMs: Date.now() - started,
  };
}
