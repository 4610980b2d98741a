/**
 * The demo's running product: the destination sandbox (TikTok, Segment, ActiveCampaign, Kiflo) and
 * the pipeline on an embedded SQLite file in a temporary folder, behind `node:http` on free localhost
 * ports, with every sink pointed at its emulator and the conversion log for the report. The pipeline's
 * clock is the simulation's, so six weeks of visits and billing happen in seconds.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AttributionOptions } from "@revtrace/attribution";
import type { Sink } from "@revtrace/core";
import { createPipeline, type Pipeline, type PipelineStorage } from "@revtrace/pipeline";
import { servePipeline } from "@revtrace/pipeline/node";
import {
  type SandboxCredentials,
  type SandboxServer,
  sandboxServerOptions,
  startSandbox,
} from "@revtrace/sandbox";
import { createSandboxSinks } from "@revtrace/sandbox/sinks";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { createConversionLogSink } from "../conversion-log.js";
import { PARTNERS } from "./visitors.js";

// Demo-only credentials of the local emulators: nothing here reaches a real account.
export const DEMO_WEBHOOK = { username: "chargebee", password: "demo-webhook-password" };
const CREDENTIALS: SandboxCredentials = {
  tiktok: { accessToken: "demo-tiktok-token", pixelCode: "CDEMOPIXEL0001" },
  segment: { writeKey: "demo-segment-write-key" },
  activecampaign: { apiToken: "demo-activecampaign-token" },
  kiflo: { apiToken: "demo-kiflo-token" },
};

/** The demo's models: first touch and last non-direct side by side, and the click-id chain for partners. */
export const DEMO_ATTRIBUTION: AttributionOptions = {
  models: ["first_touch", "last_non_direct", "click_id_chain"],
};
/** 20 % lifetime commission, payable after a 14-day hold. */
export const DEMO_COMMISSIONS = {
  rules: [{ percent: 20, duration: "lifetime" as const, holdMs: 14 * 86_400_000 }],
};

/** Why each destination skipped what it skipped: sink → reason → count. */
export type SkipReasons = Record<string, Record<string, number>>;

/** The sink, counting the reasons of its `skipped` results. */
function countingSkips(sink: Sink, reasons: SkipReasons): Sink {
  return {
    ...sink,
    async send(items, options) {
      const results = await sink.send(items, options);
      for (const result of results) {
        if (result.status !== "skipped") continue;
        reasons[sink.name] ??= {};
        const bySink = reasons[sink.name] as Record<string, number>;
        bySink[result.reason] = (bySink[result.reason] ?? 0) + 1;
      }
      return results;
    },
  };
}

export interface DemoStack {
  pipeline: Pipeline;
  storage: PipelineStorage;
  sandbox: SandboxServer;
  sinks: Sink[];
  skipReasons: SkipReasons;
  /** The pipeline's base URL. */
  url: string;
  dir: string;
  logPath: string;
  close(): Promise<void>;
}

export async function startDemoStack(now: () => number, dir?: string): Promise<DemoStack> {
  const root = dir ?? mkdtempSync(join(tmpdir(), "revtrace-demo-"));
  // Ctrl-C or SIGTERM ends the demo as before (the signal is raised again when nothing else of the
  // process listens to it), but not before its temporary folder is removed: only the normal end
  // removed it.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(root, { recursive: true, force: true });
    stopCleanup();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const stopCleanup = () => {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  };
  if (!dir) {
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
  }
  // ActiveCampaign's account limit (5 requests/s) is tested in the sink's package: lifted here.
  const sandbox = await startSandbox(sandboxServerOptions(CREDENTIALS));
  let storage: PipelineStorage;
  try {
    storage = createSqliteStorage({
      path: join(root, "revtrace.db"),
      synchronous: "NORMAL",
    }) as PipelineStorage;
    await storage.migrate();
  } catch (error) {
    // The sandbox's server would keep the process alive after the error.
    await sandbox.close();
    stopCleanup();
    if (!dir) rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const logPath = join(root, "revtrace-conversions.jsonl");
  const skipReasons: SkipReasons = {};
  const vendorSinks = createSandboxSinks({
    vendors: sandbox.vendors,
    credentials: CREDENTIALS,
    store: storage,
    tiktokMaxEventAgeDays: 28,
  });
  const sinks = [
    ...vendorSinks.map((sink) => countingSkips(sink, skipReasons)),
    createConversionLogSink({ path: logPath, storage, attribution: DEMO_ATTRIBUTION }),
  ];
  const pipeline = createPipeline({
    storage,
    sinks,
    chargebee: { credentials: [DEMO_WEBHOOK] },
    collect: {
      verifyAffiliateRef: (ref) => (PARTNERS as readonly string[]).includes(ref),
      // every simulated visitor comes from 127.0.0.1: one address limit would refuse most of them
      rateLimit: { perAddress: null },
    },
    attribution: DEMO_ATTRIBUTION,
    commissions: DEMO_COMMISSIONS,
    delivery: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 20, batchSize: 100 },
    worker: { batchSize: 100 },
    pollMs: 20,
    now,
  });
  const served = await servePipeline(pipeline, { shutdownTimeoutMs: 0 });
  const { url } = served;
  return {
    pipeline,
    storage,
    sandbox,
    sinks,
    skipReasons,
    url,
    dir: root,
    logPath,
    async close() {
      await served.close();
      await sandbox.close();
      stopCleanup();
      if (!dir) rmSync(root, { recursive: true, force: true });
    },
  };
}
