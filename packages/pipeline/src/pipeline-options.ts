/**
 * The options of `createPipeline`, validated with zod at construction: a bad option throws a
 * `ConfigError` naming its dotted path (`chargebee.credentials`, `delivery.maxAttempts`), never its
 * value. Options of the composed parts (identity rules, attribution models, commission rules, the
 * Chargebee verifier and parser) are validated by those parts, and their `ConfigError`s are re-thrown
 * with the pipeline's path in front.
 *
 * @module
 */

import type { AttributionOptions, CommissionPolicyOptions } from "@revtrace/attribution";
import type {
  BasicCredentials,
  ChargebeeApiOptions,
  ChargebeeParseOptions,
} from "@revtrace/chargebee";
import {
  type Clock,
  ConfigError,
  type InboxStore,
  type Logger,
  LoggerSchema,
  parseOptions,
  type Sink,
  type Storage,
} from "@revtrace/core";
import type { IdentityRulesInput } from "@revtrace/identity";
import { z } from "zod";
import { type CollectOptions, CollectOptionsSchema } from "./collect/collect-settings.js";
import { WORK_QUEUE } from "./work-item.js";

/** What the pipeline needs from storage: every core storage interface plus the inbox. */
export type PipelineStorage = Storage & InboxStore;

/** Options of `createPipeline`. */
export interface PipelineOptions {
  /**
   * Where everything is kept. @default an embedded SQLite database (`sqlite.path`), created, migrated
   * and closed by the pipeline.
   */
  storage?: PipelineStorage | undefined;
  /** The SQLite database used when no `storage` is given. */
  sqlite?: { path?: string; synchronous?: "FULL" | "NORMAL" } | undefined;
  /** The destinations. Each gets the conversions whose name it `handles`. @default [] */
  sinks?: readonly Sink[] | undefined;
  /** The Chargebee webhook: Basic-auth credentials (several for rotation), parser and API options. */
  chargebee: {
    credentials: readonly BasicCredentials[];
    parse?: ChargebeeParseOptions | undefined;
    /** For `replayChargebeeEvents` (List Events API): `site` and `apiKey`, or a `client`. */
    api?: Omit<ChargebeeApiOptions, "parse" | "logger"> | undefined;
  };
  /** Chargebee Retention webhooks (HMAC-SHA1 `X-Hub-Signature`); off when absent. */
  retention?: { secret: string } | undefined;
  /** The collect endpoint of `@revtrace/tracker` (cookie, CORS, bots, limits, affiliate refs). */
  collect?: CollectOptions | undefined;
  /** Identity resolution rules (see `@revtrace/identity`). */
  identity?: { rules?: IdentityRulesInput | undefined } | undefined;
  /**
   * Attribution: the models and windows (see `@revtrace/attribution`), and how far back touchpoints
   * are read. @default models `["first_touch", "click_id_chain"]`, touchpoints of the last 90 days
   */
  attribution?: (AttributionOptions & { touchpointLookbackMs?: number | undefined }) | undefined;
  /**
   * The commission ledger: its rules (`@revtrace/attribution`), and the attribution run whose credited
   * touchpoint names the partner (its `clickIds.affiliateRef`; else the subscription's affiliate ref).
   * Off when absent.
   */
  commissions?: (CommissionPolicyOptions & { partnerModel?: string | undefined }) | undefined;
  /** Delivery to the sinks. */
  delivery?:
    | {
        /** Attempts before an item is dead-lettered. @default 10 */
        maxAttempts?: number | undefined;
        /** First retry delay. @default 1000 */
        baseDelayMs?: number | undefined;
        /** Largest computed delay. @default 3_600_000 (1 h) */
        maxDelayMs?: number | undefined;
        /** Lease of a claimed batch: another process may take it over after this. @default 60_000 */
        leaseMs?: number | undefined;
        /** Items per `send` when the sink declares no `batchSize`. @default 50 */
        batchSize?: number | undefined;
        /** How long one send may take before it is aborted and its items retried. @default 30_000 */
        sendTimeoutMs?: number | undefined;
        /**
         * How long a sink's loop lets deliveries gather before sending less than a full batch (ms):
         * a steady stream goes out in few large requests, which vendors' rate limits count. `0`: send
         * at once. `drain()` never waits. @default 50
         */
        lingerMs?: number | undefined;
      }
    | undefined;
  /** The worker that turns inbound events into deliveries. */
  worker?:
    | {
        /** Events claimed at once. @default 50 */
        batchSize?: number | undefined;
        /** Attempts before an event is dead-lettered. @default 10 */
        maxAttempts?: number | undefined;
        /** @default 30_000 */
        leaseMs?: number | undefined;
        /**
         * How long the worker lets events gather before claiming less than a full batch (ms): their
         * writes then share commits. `0`: at once. `drain()` never waits. @default 10
         */
        lingerMs?: number | undefined;
      }
    | undefined;
  /** How often idle background loops look for work another process enqueued. @default 1000 */
  pollMs?: number | undefined;
  /** The webhook endpoints. */
  http?: { maxBodyBytes?: number | undefined } | undefined;
  /** Readiness thresholds. */
  health?:
    | {
        /** Undelivered items (all sinks) above which the pipeline is not ready. @default 10_000 */
        maxBacklog?: number | undefined;
        /** Age of the oldest undelivered item above which it is not ready. @default 900_000 (15 min) */
        maxOldestAgeMs?: number | undefined;
      }
    | undefined;
  /** Structured logs (pino-compatible); entries are redacted. @default silent */
  logger?: Partial<Logger> | undefined;
  /** The clock. @default Date.now */
  now?: Clock | undefined;
  /** Random source of the retry jitter, in [0, 1). @default Math.random */
  random?: (() => number) | undefined;
}

const STORAGE_METHODS = [
  "ingest",
  "getInboxEvent",
  "quarantine",
  "listQuarantine",
  "resolveQuarantine",
  "enqueue",
  "claim",
  "ack",
  "retry",
  "deadLetter",
  "listFailures",
  "listTouchpoints",
  "listPersonKeys",
  "advanceResourceVersion",
  "appendCommissions",
  "close",
] as const;

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `must be ${what}`);
const positiveInt = z.int().positive();
const nonNegativeInt = z.int().nonnegative();
/** Defaults of `delivery.lingerMs` and `worker.lingerMs` (see their docs). */
const DEFAULT_DELIVERY_LINGER_MS = 50;
const DEFAULT_WORKER_LINGER_MS = 10;

const SinkSchema = z.custom<Sink>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as Sink).name === "string" &&
    (v as Sink).name.length > 0 &&
    (v as Sink).handles instanceof Set &&
    typeof (v as Sink).send === "function",
  "must be a Sink (name, handles and send)",
);

export const PipelineOptionsSchema = z.strictObject({
  storage: z
    .custom<PipelineStorage>(
      (v) =>
        typeof v === "object" &&
        v !== null &&
        STORAGE_METHODS.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
      "must implement the core Storage and InboxStore interfaces",
    )
    .optional(),
  sqlite: z
    .strictObject({
      path: z.string().min(1).default("revtrace.db"),
      synchronous: z.enum(["FULL", "NORMAL"]).default("FULL"),
    })
    .default({ path: "revtrace.db", synchronous: "FULL" }),
  sinks: z
    .array(SinkSchema)
    .default([])
    .superRefine((sinks, ctx) => {
      const seen = new Set<string>();
      sinks.forEach((sink, index) => {
        if (sink.name === WORK_QUEUE) {
          ctx.addIssue({ code: "custom", path: [index, "name"], message: "is reserved" });
        } else if (seen.has(sink.name)) {
          ctx.addIssue({ code: "custom", path: [index, "name"], message: "is used twice" });
        }
        seen.add(sink.name);
      });
    }),
  chargebee: z.strictObject({
    credentials: z.array(z.unknown()).min(1),
    parse: z.unknown().optional(),
    api: z.record(z.string(), z.unknown()).optional(),
  }),
  retention: z.strictObject({ secret: z.string().min(1) }).optional(),
  collect: CollectOptionsSchema.prefault({}),
  identity: z.strictObject({ rules: z.unknown().optional() }).default({}),
  attribution: z
    .looseObject({
      // the rest is the attribution engine's (validated there, unknown keys refused)
      models: z.array(z.unknown()).min(1).optional(),
      touchpointLookbackMs: positiveInt.default(90 * 86_400_000),
    })
    .default({ touchpointLookbackMs: 90 * 86_400_000 }),
  commissions: z
    .looseObject({ rules: z.array(z.unknown()), partnerModel: z.string().min(1).optional() })
    .optional(),
  delivery: z
    .strictObject({
      maxAttempts: positiveInt.default(10),
      baseDelayMs: nonNegativeInt.default(1000),
      maxDelayMs: nonNegativeInt.default(3_600_000),
      leaseMs: positiveInt.default(60_000),
      batchSize: positiveInt.max(10_000).default(50),
      sendTimeoutMs: positiveInt.default(30_000),
      lingerMs: nonNegativeInt.max(60_000).default(DEFAULT_DELIVERY_LINGER_MS),
    })
    .default({
      maxAttempts: 10,
      baseDelayMs: 1000,
      maxDelayMs: 3_600_000,
      leaseMs: 60_000,
      batchSize: 50,
      sendTimeoutMs: 30_000,
      lingerMs: DEFAULT_DELIVERY_LINGER_MS,
    }),
  worker: z
    .strictObject({
      batchSize: positiveInt.max(10_000).default(50),
      maxAttempts: positiveInt.default(10),
      leaseMs: positiveInt.default(30_000),
      lingerMs: nonNegativeInt.max(60_000).default(DEFAULT_WORKER_LINGER_MS),
    })
    .default({
      batchSize: 50,
      maxAttempts: 10,
      leaseMs: 30_000,
      lingerMs: DEFAULT_WORKER_LINGER_MS,
    }),
  pollMs: positiveInt.default(1000),
  http: z
    .strictObject({ maxBodyBytes: positiveInt.default(1_048_576) })
    .default({ maxBodyBytes: 1_048_576 }),
  health: z
    .strictObject({
      maxBacklog: nonNegativeInt.default(10_000),
      maxOldestAgeMs: nonNegativeInt.default(900_000),
    })
    .default({ maxBacklog: 10_000, maxOldestAgeMs: 900_000 }),
  logger: LoggerSchema.optional(),
  now: fn("a function returning epoch milliseconds").optional(),
  random: fn("a function returning a number in [0, 1)").optional(),
});

/** The options with defaults applied. */
export type ResolvedPipelineOptions = z.output<typeof PipelineOptionsSchema>;

/** Validates the options; throws `ConfigError` naming the fields. */
export function parsePipelineOptions(options: unknown): ResolvedPipelineOptions {
  return parseOptions(PipelineOptionsSchema, options, "pipeline options");
}

/**
 * Runs a part's factory, re-throwing its `ConfigError` with `prefix` in front of every field, so the
 * error names the pipeline option (`chargebee.credentials.0.username`).
 */
export function withOptionPath<T>(prefix: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const fields = error.fields.map((field) =>
      field === "(root)" ? prefix : `${prefix}.${field}`,
    );
    throw new ConfigError(`Invalid pipeline options: ${fields.join(", ")}: ${error.message}`, {
      fields,
      cause: error,
    });
  }
}
