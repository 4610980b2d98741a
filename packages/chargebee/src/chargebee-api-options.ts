/**
 * Options of `createChargebeeApi`, validated once with zod (core `parseOptions`).
 *
 * @module
 */
import { type Logger, LoggerSchema } from "@revtrace/core";
import type Chargebee from "chargebee";
import { z } from "zod";
import { type ChargebeeParseOptions, ParseOptionsSchema } from "./chargebee-parse-options.js";

/** The `fetch` the SDK's requests go through. */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options of `createChargebeeApi`. */
export interface ChargebeeApiOptions {
  /**
   * The Chargebee site name, exactly as configured (`acme` for `acme.chargebee.com`, usually
   * `acme-test` for the test site). Required unless `client` is given.
   */
  site?: string;
  /** A Chargebee API key (full access for checkout; read-only suffices for replay/backfill). */
  apiKey?: string;
  /**
   * An already configured SDK instance to use instead of `site`/`apiKey` (then `fetch`/`timeoutMs` are
   * ignored, and answers without a JSON body get the status the SDK gives them).
   */
  client?: Chargebee;
  /** The `fetch` used for every request; resolved at call time. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Time limit per request. @default 30000 */
  timeoutMs?: number;
  /** How events and subscriptions are normalized (click-id field, affiliate key, default currency). */
  parse?: ChargebeeParseOptions;
  /** Receives one `warn` per record skipped during replay or backfill (its id only). */
  logger?: Partial<Logger>;
}

export const ApiOptionsSchema = z
  .strictObject({
    site: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/i, { message: "A Chargebee site name (acme or acme-test)" })
      .optional(),
    apiKey: z.string().min(1).optional(),
    client: z.custom<Chargebee>((v) => typeof v === "object" && v !== null).optional(),
    fetch: z.custom<FetchLike>((v) => typeof v === "function").optional(),
    timeoutMs: z.int().positive().default(30_000),
    parse: ParseOptionsSchema.optional(),
    logger: LoggerSchema.optional(),
  })
  .refine((o) => o.client !== undefined || (o.site !== undefined && o.apiKey !== undefined), {
    message: "Either client, or site and apiKey, are required",
    path: ["site"],
  });

/** A caller's signal, checked between requests. */
export const SignalSchema = z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional();

/** Items per list request, 1–100 (spec §9). */
export const PageSizeSchema = z.int().min(1).max(100).default(100);

/** Drops `undefined` values so the SDK does not send empty parameters. */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
