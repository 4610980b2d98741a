/**
 * The product as the suite runs it: the real pipeline (`createPipeline`, `@revtrace/pipeline/node`
 * over `node:http`) with all four sinks pointed at the sandbox's emulators, as the demo wires them,
 * plus a recording sink that keeps each conversion's credits for the accuracy figures. Logs of every
 * component go to one capture, which the privacy scan reads.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CONVERSION_NAMES,
  type Conversion,
  type ConversionName,
  type ItemResult,
  type Logger,
  type Sink,
} from "@revtrace/core";
import {
  createPipeline,
  type Pipeline,
  type PipelineOptions,
  type PipelineStorage,
} from "@revtrace/pipeline";
import { servePipeline } from "@revtrace/pipeline/node";
import {
  type SandboxCredentials,
  type SandboxServer,
  sandboxServerOptions,
  startSandbox,
} from "@revtrace/sandbox";
import { createSandboxSinks } from "@revtrace/sandbox/sinks";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { COMMISSION_PERCENT, PARTNERS } from "./simulator.js";

// Credentials of the local emulators only: nothing here reaches a real account.
export const WEBHOOK = { username: "chargebee", password: "reliability-webhook-secret-5c1e" };
export const CREDENTIALS: SandboxCredentials = {
  tiktok: { accessToken: "reliability-tiktok-token-9f2a", pixelCode: "CRELIABILITY01" },
  segment: { writeKey: "reliability-segment-key-77b1" },
  activecampaign: { apiToken: "reliability-ac-token-31d0" },
  kiflo: { apiToken: "reliability-kiflo-token-e4c8" },
};
/** Every secret of a run: none may appear in a log line. */
export const SECRETS = [
  WEBHOOK.password,
  CREDENTIALS.tiktok.accessToken,
  CREDENTIALS.segment.writeKey,
  CREDENTIALS.activecampaign.apiToken,
  CREDENTIALS.kiflo.apiToken,
  Buffer.from(`${WEBHOOK.username}:${WEBHOOK.password}`).toString("base64"),
];
export const AUTHORIZATION = `Basic ${Buffer.from(`${WEBHOOK.username}:${WEBHOOK.password}`).toString("base64")}`;

/** Every log line of the whole run (in-process loggers and the children's output). */
export const capturedLogs: string[] = [];

function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
  );
}

/** A logger that keeps every entry as it was given (no redaction here: the scan checks the product's). */
export function captureLogger(component: string): Logger {
  const log =
    (level: string) =>
    (first: unknown, msg?: string): void => {
      capturedLogs.push(serialize({ component, level, entry: first, msg }));
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export async function startVendorSandbox(options: { acRateLimit?: boolean } = {}) {
  return startSandbox(
    sandboxServerOptions(CREDENTIALS, { activecampaignRateLimit: options.acRateLimit ?? false }),
  );
}

/** The partners' Kiflo ids (a lead registered by a partner converts into the paying customer). */
export const KIFLO_PARTNER_IDS: Record<string, number> = Object.fromEntries(
  PARTNERS.map((p, i) => [p, 101 + i]),
);

/** Registers the simulation's partner leads in the Kiflo emulator. */
export function seedKifloLeads(
  sandbox: SandboxServer,
  leads: readonly { email: string; partner: string }[],
): void {
  for (const lead of leads) {
    sandbox.kiflo.addLead({
      email: lead.email,
      partnerId: KIFLO_PARTNER_IDS[lead.partner] ?? null,
    });
  }
}

export type Vendors = SandboxServer["vendors"];

/** One request a sink sent, as the sink saw it. */
export interface FetchLogEntry {
  sink: string;
  start: number;
  end: number;
  /**
   * The order of the start and of the end among all starts and ends of the log (one counter): a
   * request started in the same millisecond as another's answer, but before it, is told apart.
   */
  startOrder?: number;
  endOrder?: number;
  /** 0 when no answer came (timeout, dropped connection). */
  status: number;
  retryAfter: string | null;
}

/** `fetch` that logs each request of `sink` into `log`. */
function loggingFetch(sink: string, log: FetchLogEntry[]): typeof fetch {
  return async (input, init) => {
    const start = Date.now();
    const startOrder = logOrder++;
    const record = (status: number, retryAfter: string | null) =>
      log.push({
        sink,
        start,
        end: Date.now(),
        startOrder,
        endOrder: logOrder++,
        status,
        retryAfter,
      });
    try {
      const response = await fetch(input, init);
      record(response.status, response.headers.get("retry-after"));
      return response;
    } catch (error) {
      record(0, null);
      throw error;
    }
  };
}

/** The counter of {@link FetchLogEntry.startOrder} and `endOrder` (one process, one event loop). */
let logOrder = 0;

/** The four vendor sinks, as the demo wires them; `acLimit` is ActiveCampaign's requests a second. */
export function createVendorSinks(
  vendors: Vendors,
  storage: PipelineStorage,
  options: { acLimit?: number; timeoutMs?: number; fetchLog?: FetchLogEntry[] } = {},
): Sink[] {
  const { fetchLog, timeoutMs } = options;
  return createSandboxSinks({
    vendors,
    credentials: CREDENTIALS,
    store: storage,
    tiktokMaxEventAgeDays: 28,
    ...(options.acLimit === undefined ? {} : { activecampaignRequestsPerSecond: options.acLimit }),
    // A customer claim left by a killed process is taken over after 10 s (default 5 min).
    kifloClaimTtlMs: 10_000,
    // Likewise an ActiveCampaign contact lease (default 5 min).
    activecampaignContactLeaseMs: 10_000,
    transport: (sink) => ({
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(fetchLog ? { fetch: loggingFetch(sink, fetchLog) } : {}),
    }),
  });
}

/** What the recording sink keeps of one conversion. */
export interface RecordedConversion {
  id: string;
  name: ConversionName;
  sourceEventId: string;
  credits: {
    model: string;
    touchpointId: string;
    landingPage: string | null;
    ref: string | null;
  }[];
}

/** A sink that handles every conversion and keeps its credits (the accuracy figures read them). */
export function createRecordingSink(into: RecordedConversion[]): Sink {
  return {
    specificationVersion: "v1",
    name: "recorder",
    handles: new Set<ConversionName>(CONVERSION_NAMES),
    async send(items: readonly Conversion[]) {
      for (const c of items) {
        into.push({
          id: c.id,
          name: c.name,
          sourceEventId: c.sourceEventId,
          credits: c.credits.map((credit) => ({
            model: credit.model,
            touchpointId: credit.touchpoint.id,
            landingPage: credit.touchpoint.landingPage ?? null,
            ref: credit.touchpoint.clickIds?.affiliateRef ?? null,
          })),
        });
      }
      return items.map((item): ItemResult => ({ id: item.id, status: "delivered" }));
    },
  } as Sink;
}

/** The pipeline options every run shares (the children use the same). */
export function basePipelineOptions(): Partial<PipelineOptions> {
  return {
    chargebee: { credentials: [WEBHOOK] },
    collect: {
      verifyAffiliateRef: (ref: string) => (PARTNERS as readonly string[]).includes(ref),
      rateLimit: { requests: 100_000, windowMs: 60_000 },
    },
    attribution: { models: ["first_touch", "click_id_chain"] },
    commissions: { rules: [{ percent: COMMISSION_PERCENT, duration: "lifetime" }] },
    delivery: { baseDelayMs: 20, maxDelayMs: 1_000, maxAttempts: 60, batchSize: 100 },
    worker: { batchSize: 100 },
    pollMs: 20,
  };
}

export interface Stack {
  pipeline: Pipeline;
  storage: PipelineStorage;
  sandbox: SandboxServer;
  recorded: RecordedConversion[];
  url: string;
  dir: string;
  server: Server;
  /** Sets the pipeline's clock (`null`: real time). */
  setClock(at: number | null): void;
  close(): Promise<void>;
}

export interface StackOptions {
  sandbox?: SandboxServer;
  acLimit?: number;
  timeoutMs?: number;
  recorder?: boolean;
  fetchLog?: FetchLogEntry[];
  /** Partner leads to register in Kiflo before the run. */
  kifloLeads?: readonly { email: string; partner: string }[];
  overrides?: Partial<PipelineOptions>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "revtrace-reliability-"));
  const ownSandbox = options.sandbox === undefined;
  const sandbox = options.sandbox ?? (await startVendorSandbox());
  seedKifloLeads(sandbox, options.kifloLeads ?? []);
  const storage = createSqliteStorage({
    path: join(dir, "revtrace.db"),
    synchronous: "NORMAL",
  }) as PipelineStorage;
  await storage.migrate();
  const recorded: RecordedConversion[] = [];
  const sinks = createVendorSinks(sandbox.vendors, storage, {
    ...(options.acLimit ? { acLimit: options.acLimit } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetchLog ? { fetchLog: options.fetchLog } : {}),
  });
  if (options.recorder !== false) sinks.push(createRecordingSink(recorded));
  let simulated: number | null = null;
  const pipeline = createPipeline({
    ...basePipelineOptions(),
    storage,
    sinks,
    now: () => simulated ?? Date.now(),
    logger: captureLogger("pipeline"),
    ...options.overrides,
  } as PipelineOptions);
  const served = await servePipeline(pipeline, { shutdownTimeoutMs: 0 });
  const { server, url } = served;
  return {
    pipeline,
    storage,
    sandbox,
    recorded,
    url,
    dir,
    server,
    setClock(at) {
      simulated = at;
    },
    async close() {
      await served.close();
      if (ownSandbox) await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
