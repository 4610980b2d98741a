/**
 * Backfill customers and their subscriptions from the API (spec §9), newest first, normalized like
 * webhook content; an `onInvalid` hook skips a record that fails validation instead of stopping.
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingSubscription,
  type Logger,
  parseOptions,
  WebhookPayloadError,
} from "@revtrace/core";
import type Chargebee from "chargebee";
import { z } from "zod";
import { apiFailure } from "./chargebee-api-error.js";
import { compact, PageSizeSchema, SignalSchema } from "./chargebee-api-options.js";
import { normalizeCustomer, normalizeSubscription } from "./chargebee-normalize.js";
import { paginate } from "./chargebee-pagination.js";
import type { ResolvedParseOptions } from "./chargebee-parse-options.js";
import { currency, isObject, type RawObject } from "./chargebee-read.js";

/** A record backfill skipped because it failed validation. */
export interface InvalidRecord {
  kind: "customer" | "subscription";
  /** The record's id, when it has a string one. */
  id: string | null;
  /** For a subscription, the customer it was listed for. */
  customerId: string | null;
}

/** Options of `backfillCustomers`. */
export interface BackfillOptions {
  /** Stop after this many customers. @default no limit */
  limit?: number;
  /** Customers per request, 1–100. @default 100 */
  pageSize?: number;
  /** Also list each customer's subscriptions (one extra request per 100 subscriptions). @default true */
  includeSubscriptions?: boolean;
  /**
   * Called for a customer or subscription that fails validation (the error names the field), which
   * is then skipped. Without it, the first invalid record stops the backfill with that error.
   */
  onInvalid?: (error: WebhookPayloadError, record: InvalidRecord) => void;
  /** Checked before each request. */
  signal?: AbortSignal;
}

/** One backfilled customer. */
export interface BackfillRecord {
  customer: BillingCustomer;
  /** Empty when `includeSubscriptions` is false. */
  subscriptions: BillingSubscription[];
}

const BackfillSchema = z.strictObject({
  limit: z.int().positive().optional(),
  pageSize: PageSizeSchema,
  includeSubscriptions: z.boolean().default(true),
  onInvalid: z.custom<BackfillOptions["onInvalid"]>((v) => typeof v === "function").optional(),
  signal: SignalSchema,
});

function idOf(raw: unknown): string | null {
  const id = isObject(raw) ? raw.id : null;
  return typeof id === "string" ? id : null;
}

/** The backfill generator over `client`. */
export async function* backfillCustomers(
  client: Chargebee,
  parse: ResolvedParseOptions,
  logger: Logger,
  input: BackfillOptions = {},
): AsyncGenerator<BackfillRecord> {
  const filter = parseOptions(BackfillSchema, input, "backfill options");

  /** Runs `read`; an invalid record goes to `onInvalid` (→ `null`) or stops the backfill. */
  function tolerant<T>(record: InvalidRecord, read: () => T): T | null {
    try {
      return read();
    } catch (error) {
      if (!WebhookPayloadError.isInstance(error) || filter.onInvalid === undefined) throw error;
      logger.warn(
        { kind: record.kind, id: record.id },
        "Skipped an invalid Chargebee record during backfill",
      );
      filter.onInvalid(error, record);
      return null;
    }
  }

  async function listSubscriptions(
    customer: BillingCustomer,
    fallbackCurrency: string,
  ): Promise<BillingSubscription[]> {
    const customerId = customer.id;
    const subscriptions: BillingSubscription[] = [];
    const operation = "list subscriptions";
    const pages = paginate(
      operation,
      (offset) =>
        client.subscription.list(compact({ limit: 100, offset, customer_id: { is: customerId } })),
      undefined,
      filter.signal,
    );
    for await (const page of pages) {
      for (const entry of page.list) {
        const raw = entry.subscription;
        // Spec §10 (chargebee-typescript #6): a filter Chargebee ignores returns the whole list;
        // refuse results for another customer rather than attach them to this one.
        if (
          isObject(raw) &&
          typeof raw.customer_id === "string" &&
          raw.customer_id !== customerId
        ) {
          throw apiFailure(operation, "invalid_response", "the customer_id filter was not applied");
        }
        const subscription = tolerant({ kind: "subscription", id: idOf(raw), customerId }, () => {
          if (!isObject(raw)) {
            throw new WebhookPayloadError("Invalid Chargebee subscription: not an object");
          }
          return normalizeSubscription(
            raw,
            ["subscription"],
            fallbackCurrency,
            parse,
            customerId,
            customer,
          );
        });
        if (subscription !== null) subscriptions.push(subscription);
      }
    }
    return subscriptions;
  }

  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  const pages = paginate(
    "list customers",
    (offset) =>
      client.customer.list(
        compact({
          limit: Math.min(filter.pageSize, remaining),
          offset,
          "sort_by[desc]": "created_at",
        }),
      ),
    undefined,
    filter.signal,
  );
  for await (const page of pages) {
    for (const entry of page.list) {
      if (remaining <= 0) return;
      const raw = entry.customer;
      const customer = tolerant({ kind: "customer", id: idOf(raw), customerId: null }, () => {
        if (!isObject(raw))
          throw new WebhookPayloadError("Invalid Chargebee customer: not an object");
        return normalizeCustomer(raw, ["customer"]);
      });
      remaining -= 1;
      if (customer === null) continue;
      const preferred = currency(raw as RawObject, "preferred_currency_code", ["customer"]);
      const subscriptions = filter.includeSubscriptions
        ? await listSubscriptions(customer, preferred ?? parse.defaultCurrency)
        : [];
      yield { customer, subscriptions };
    }
    if (remaining <= 0) return;
  }
}
