/**
 * `createChargebeeApi`: the Chargebee API helpers, built on the official `chargebee` SDK (no
 * hand-written HTTP): replay (`chargebee-replay.ts`), backfill (`chargebee-backfill.ts`) and hosted
 * checkout (`chargebee-checkout.ts`). Failures are `ChargebeeApiError`s (`chargebee-api-error.ts`).
 *
 * @module
 */
import { type BillingEvent, parseOptions, toLogger } from "@revtrace/core";
import { ApiOptionsSchema, type ChargebeeApiOptions } from "./chargebee-api-options.js";
import {
  type BackfillOptions,
  type BackfillRecord,
  backfillCustomers,
} from "./chargebee-backfill.js";
import { type CheckoutInput, createCheckout, type HostedCheckout } from "./chargebee-checkout.js";
import { createChargebeeClient } from "./chargebee-client.js";
import { type ChargebeeEventPage, createChargebeeParser } from "./chargebee-parse.js";
import { DEFAULT_PARSE_OPTIONS, type ResolvedParseOptions } from "./chargebee-parse-options.js";
import { listEventPages, type ReplayOptions } from "./chargebee-replay.js";

/** See {@link createChargebeeApi}. */
export interface ChargebeeApi {
  /** Pages of the List Events API (oldest first), parsed; each page's `nextOffset` can resume a replay. */
  listEventPages(options?: ReplayOptions): AsyncGenerator<ChargebeeEventPage>;
  /** Every event matching `options`, oldest first, parsed like webhooks: use it to replay missed webhooks. */
  replayEvents(options?: ReplayOptions): AsyncGenerator<BillingEvent>;
  /** Customers newest first (`sort_by[desc]=created_at`), with their subscriptions. */
  backfillCustomers(options?: BackfillOptions): AsyncGenerator<BackfillRecord>;
  /** Creates a hosted checkout page carrying the click id; returns its URL. */
  createCheckout(input: CheckoutInput): Promise<HostedCheckout>;
}

/**
 * Creates the API helpers. Requests go through the official SDK (`https://{site}.chargebee.com/api/v2`,
 * Basic auth with the API key, form-encoded bodies); its own retries stay off: failures surface as
 * `ChargebeeApiError` with `retryable` and `retryAfterMs` so the caller owns the retry policy
 * (spec §10).
 *
 * @throws {ConfigError} naming the bad option.
 *
 * @example
 * const api = createChargebeeApi({ site: "acme-test", apiKey: process.env.CHARGEBEE_API_KEY });
 * for await (const event of api.replayEvents({ occurredAfter: Date.now() - 86_400_000 })) await handle(event);
 */
export function createChargebeeApi(options: ChargebeeApiOptions): ChargebeeApi {
  const config = parseOptions(ApiOptionsSchema, options, "Chargebee API options");
  const parse: ResolvedParseOptions = config.parse ?? DEFAULT_PARSE_OPTIONS;
  const parser = createChargebeeParser(parse);
  const logger = toLogger(options.logger);
  const client =
    options.client ??
    createChargebeeClient({
      site: config.site as string,
      apiKey: config.apiKey as string,
      timeoutMs: config.timeoutMs,
      fetch: options.fetch,
    });
  return {
    listEventPages: (input) => listEventPages(client, parser, logger, input),
    async *replayEvents(input) {
      for await (const page of listEventPages(client, parser, logger, input)) yield* page.events;
    },
    backfillCustomers: (input) => backfillCustomers(client, parse, logger, input),
    createCheckout: (input) => createCheckout(client, parse, input),
  };
}
