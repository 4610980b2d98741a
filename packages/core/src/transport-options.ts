/**
 * The transport options every sink takes, as one zod shape to spread into a sink's options schema:
 * the attempt timeout, the retry policy and hook of `createHttpClient`, and the injection points
 * (`fetch`, `logger`, `now`).
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "./clock.js";
import type { HttpClientOptions } from "./http/http-client.js";
import type { Logger } from "./logger.js";

const isFunction = (value: unknown) => typeof value === "function";

const LOG_METHODS = ["debug", "info", "warn", "error"] as const;

/**
 * A logger option: any object (a pino logger or child, a class instance, a plain object) whose
 * `debug`/`info`/`warn`/`error`, where present, are functions. Missing methods are no-ops.
 */
export const LoggerSchema = z.custom<Partial<Logger>>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    LOG_METHODS.every((method) => {
      const fn = (value as Record<string, unknown>)[method];
      return fn === undefined || typeof fn === "function";
    }),
  "must be a logger: an object whose debug, info, warn and error are functions",
);

/** `createHttpClient`'s retry policy, validated. */
export const RetryPolicySchema = z.strictObject({
  retries: z.number().int().min(0).optional(),
  minTimeoutMs: z.number().int().min(0).optional(),
  maxTimeoutMs: z.number().int().min(0).optional(),
  maxElapsedMs: z.number().int().positive().optional(),
  /** Spread of each backoff wait (see `backoffDelay`). @default "equal" */
  jitter: z.enum(["equal", "full", "none"]).optional(),
  /** Retry 501 and 505 too (see `RetryPolicy.every5xx`). @default the sink's, from its vendor spec */
  every5xx: z.boolean().optional(),
});

/** Spread into a sink's options schema: `z.strictObject({ ...own, ...TRANSPORT_OPTIONS_SHAPE })`. */
export const TRANSPORT_OPTIONS_SHAPE = {
  /** Timeout of one attempt. @default 10000 */
  timeoutMs: z.number().int().positive().optional(),
  /** Retry policy of the core HTTP client. */
  retry: RetryPolicySchema.optional(),
  /** Called before each retry with the attempt number and the wait chosen (for metrics and tests). */
  onRetry: z
    .custom<NonNullable<HttpClientOptions["onRetry"]>>(isFunction, "must be a function")
    .optional(),
  fetch: z.custom<typeof globalThis.fetch>(isFunction, "must be a function").optional(),
  logger: LoggerSchema.optional(),
  now: z.custom<Clock>(isFunction, "must be a function").optional(),
};
