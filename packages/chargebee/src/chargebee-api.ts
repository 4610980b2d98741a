/**
 * Chargebee API helpers built on the official `chargebee` SDK (no hand-written HTTP): replay missed
 * webhooks from the List Events API, backfill customers and their subscriptions, and create hosted
 * checkout pages that carry the ad/affiliate click id into the subscription's `cf_click_id`.
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingEvent,
  type BillingSubscription,
  isCurrencyCode,
  type Logger,
  MoneyError,
  parseOptions,
  toLogger,
  WebhookPayloadError,
} from "@revtrace/core";
import Chargebee from "chargebee";
import { z } from "zod";
import { apiFailure, toChargebeeApiError } from "./chargebee-api-error.js";
import { normalizeCustomer, normalizeSubscription, type RawObject } from "./chargebee-normalize.js";
import { type ChargebeeEventPage, createChargebeeParser } from "./chargebee-parse.js";
import {
  type ChargebeeParseOptions,
  DEFAULT_PARSE_OPTIONS,
  ParseOptionsSchema,
  type ResolvedParseOptions,
} from "./chargebee-parse-options.js";
import { CustomerWire, SubscriptionWire } from "./chargebee-schemas.js";

/** The `fetch` the SDK's requests go through. */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createChargebeeApi}. */
export interface ChargebeeApiOptions {
  /**
   * The Chargebee site name, exactly as configured (`acme` for `acme.chargebee.com`, usually
   * `acme-test` for the test site). Required unless `client` is given.
   */
  site?: string;
  /** A Chargebee API key (full access for checkout; read-only suffices for replay/backfill). */
  apiKey?: string;
  /** An already configured SDK instance to use instead of `site`/`apiKey` (then `fetch`/`timeoutMs` are ignored). */
  client?: Chargebee;
  /** The `fetch` used for every request; resolved at call time. @default globalThis.fetch */
  fetch?: FetchLike;
  /** Time limit per request. @default 30000 */
  timeoutMs?: number;
  /** How events and subscriptions are normalized (click-id field, affiliate key, default currency). */
  parse?: ChargebeeParseOptions;
  /** Receives one `warn` per event skipped during replay (event id only). */
  logger?: Partial<Logger>;
}

/** Filters of {@link ChargebeeApi.replayEvents} and {@link ChargebeeApi.listEventPages}. */
export interface ReplayOptions {
  /** Only these event types (`event_type[in]`). @default all types */
  types?: readonly string[];
  /** Only events that occurred strictly after this time (epoch ms; Chargebee resolves to seconds). */
  occurredAfter?: number;
  /** Only events that occurred strictly before this time (epoch ms). */
  occurredBefore?: number;
  /** Events per request, 1–100 (spec §9). @default 100 */
  pageSize?: number;
  /** Stop after this many events. @default no limit */
  limit?: number;
  /** Resume from a `nextOffset` returned by an earlier page. */
  startOffset?: string;
  /**
   * Called for an event that fails validation, which is then skipped. Without it, the first invalid
   * event stops the replay with its `WebhookPayloadError`.
   */
  onInvalidEvent?: (error: WebhookPayloadError, eventId: string | null) => void;
  /** Checked before each request. */
  signal?: AbortSignal;
}

/** Options of {@link ChargebeeApi.backfillCustomers}. */
export interface BackfillOptions {
  /** Stop after this many customers. @default no limit */
  limit?: number;
  /** Customers per request, 1–100. @default 100 */
  pageSize?: number;
  /** Also list each customer's subscriptions (one extra request per 100 subscriptions). @default true */
  includeSubscriptions?: boolean;
  /** Checked before each request. */
  signal?: AbortSignal;
}

/** One backfilled customer. */
export interface BackfillRecord {
  customer: BillingCustomer;
  /** Empty when `includeSubscriptions` is false. */
  subscriptions: BillingSubscription[];
}

/** The customer fields a hosted checkout may prefill (spec §9). */
export interface CheckoutCustomer {
  /** Your own user id: makes identity joins trivial (spec §9). */
  id?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  company?: string;
}

/** Fields shared by both catalog models. */
interface CheckoutCommon {
  /** The ad/affiliate click id, stored in the subscription's click-id custom field (default `cf_click_id`). */
  clickId?: string;
  /** Further subscription custom fields (`cf_*`), e.g. `{ cf_campaign: "spring" }`. */
  subscriptionCustomFields?: Record<string, string | number | boolean>;
  customer?: CheckoutCustomer;
  redirectUrl?: string;
  cancelUrl?: string;
  couponIds?: readonly string[];
  /** Stored on the hosted page (≤ 2048 characters); not copied into webhooks (spec §9). */
  passThruContent?: string;
}

/** Product Catalog 2.0: `hosted_pages/checkout_new_for_items`. The first item must be a plan item price. */
export interface ItemsCheckoutInput extends CheckoutCommon {
  model: "items";
  items: ReadonlyArray<{ itemPriceId: string; quantity?: number }>;
}

/** Product Catalog 1.0: `hosted_pages/checkout_new`. */
export interface PlansCheckoutInput extends CheckoutCommon {
  model: "plans";
  planId: string;
  planQuantity?: number;
  addons?: ReadonlyArray<{ id: string; quantity?: number }>;
}

/** Input of {@link ChargebeeApi.createCheckout}. */
export type CheckoutInput = ItemsCheckoutInput | PlansCheckoutInput;

/** A created hosted checkout page. */
export interface HostedCheckout {
  id: string;
  /** Send the buyer here. Expires about 3 hours after creation (spec §9). */
  url: string;
  state: string | null;
  /** Epoch milliseconds. */
  createdAt: number | null;
  /** Epoch milliseconds. */
  expiresAt: number | null;
}

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

const OptionsSchema = z
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
    logger: z.unknown().optional(),
  })
  .refine((o) => o.client !== undefined || (o.site !== undefined && o.apiKey !== undefined), {
    message: "Either client, or site and apiKey, are required",
    path: ["site"],
  });

const pageSize = z.int().min(1).max(100).default(100);
const limit = z.int().positive().optional();
const epochMs = z.int().min(0).optional();

const ReplaySchema = z.strictObject({
  types: z.array(z.string().min(1)).optional(),
  occurredAfter: epochMs,
  occurredBefore: epochMs,
  pageSize,
  limit,
  startOffset: z.string().min(1).optional(),
  onInvalidEvent: z
    .custom<ReplayOptions["onInvalidEvent"]>((v) => typeof v === "function")
    .optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

const BackfillSchema = z.strictObject({
  limit,
  pageSize,
  includeSubscriptions: z.boolean().default(true),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});

const customFieldName = z
  .string()
  .regex(/^cf_.+/, { message: "Custom field names start with cf_" });
const quantity = z.int().positive().optional();

const CheckoutCommonShape = {
  clickId: z.string().min(1).optional(),
  subscriptionCustomFields: z
    .record(customFieldName, z.union([z.string(), z.number(), z.boolean()]))
    .optional(),
  customer: z
    .strictObject({
      id: z.string().min(1).optional(),
      email: z.string().min(1).optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      phone: z.string().optional(),
      company: z.string().optional(),
    })
    .optional(),
  redirectUrl: z.url().optional(),
  cancelUrl: z.url().optional(),
  couponIds: z.array(z.string().min(1)).optional(),
  passThruContent: z.string().max(2048).optional(),
};

const CheckoutSchema = z.discriminatedUnion("model", [
  z.strictObject({
    model: z.literal("items"),
    items: z.array(z.strictObject({ itemPriceId: z.string().min(1), quantity })).min(1),
    ...CheckoutCommonShape,
  }),
  z.strictObject({
    model: z.literal("plans"),
    planId: z.string().min(1),
    planQuantity: quantity,
    addons: z.array(z.strictObject({ id: z.string().min(1), quantity })).optional(),
    ...CheckoutCommonShape,
  }),
]);

const ListWire = z.object({
  list: z.array(z.record(z.string(), z.unknown())),
  next_offset: z.string().nullish(),
});

const HostedPageWire = z.object({
  hosted_page: z.object({
    id: z.string().min(1),
    url: z.string().min(1),
    state: z.string().nullish(),
    created_at: z.number().nullish(),
    expires_at: z.number().nullish(),
  }),
});

/** Drops `undefined` values so the SDK does not send empty parameters. */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Spec §9: list `offset`s are opaque; stop when `next_offset` is absent. */
async function* paginate(
  operation: string,
  fetchPage: (offset: string | undefined) => Promise<unknown>,
  startOffset: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ list: Record<string, unknown>[]; nextOffset: string | null }> {
  let offset = startOffset;
  do {
    // The documented error: a typed SinkError (reason `aborted`) carrying the abort reason as `cause`.
    if (signal?.aborted)
      throw apiFailure(operation, "aborted", "aborted by the signal", signal.reason);
    let response: unknown;
    try {
      response = await fetchPage(offset);
    } catch (error) {
      throw toChargebeeApiError(error, operation);
    }
    const page = ListWire.safeParse(response);
    if (!page.success) throw apiFailure(operation, "invalid_response", "unexpected list response");
    const nextOffset = page.data.next_offset ?? null;
    yield { list: page.data.list, nextOffset };
    offset = nextOffset ?? undefined;
  } while (offset !== undefined);
}

/** Epoch ms → unix seconds for `occurred_at` filters: strictly-after / strictly-before semantics. */
function occurredAtFilter(
  after: number | undefined,
  before: number | undefined,
): { between?: [number, number]; after?: number; before?: number } | undefined {
  if (after !== undefined && before !== undefined) {
    // `between` is inclusive on both ends (whole seconds).
    return { between: [Math.floor(after / 1000) + 1, Math.ceil(before / 1000) - 1] };
  }
  if (after !== undefined) return { after: Math.floor(after / 1000) };
  if (before !== undefined) return { before: Math.ceil(before / 1000) };
  return undefined;
}

/**
 * Creates the API helpers. Requests go through the official SDK (`https://{site}.chargebee.com/api/v2`,
 * Basic auth with the API key, form-encoded bodies); its own retries stay off: failures surface as
 * `SinkError` with `retryable` and `retryAfterMs` so the caller owns the retry policy (spec §10).
 *
 * @throws {ConfigError} naming the bad option.
 *
 * @example
 * const api = createChargebeeApi({ site: "acme-test", apiKey: process.env.CHARGEBEE_API_KEY });
 * for await (const event of api.replayEvents({ occurredAfter: Date.now() - 86_400_000 })) await handle(event);
 */
export function createChargebeeApi(options: ChargebeeApiOptions): ChargebeeApi {
  const config = parseOptions(OptionsSchema, options, "Chargebee API options");
  const parseSettings: ResolvedParseOptions = config.parse ?? DEFAULT_PARSE_OPTIONS;
  const parser = createChargebeeParser(parseSettings);
  const logger = toLogger(options.logger);
  const timeoutMs = config.timeoutMs;
  const client =
    options.client ??
    new Chargebee({
      site: config.site as string,
      apiKey: config.apiKey as string,
      timeout: timeoutMs,
      sdkTelemetryEnabled: false,
      httpClient: {
        makeApiRequest: (request) =>
          (options.fetch ?? globalThis.fetch)(request, { signal: AbortSignal.timeout(timeoutMs) }),
      },
    });

  async function* listEventPages(input: ReplayOptions = {}): AsyncGenerator<ChargebeeEventPage> {
    const filter = parseOptions(ReplaySchema, input, "replay options");
    const occurredAt = occurredAtFilter(filter.occurredAfter, filter.occurredBefore);
    let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
    const pages = paginate(
      "list events",
      (offset) =>
        client.event.list(
          compact({
            limit: Math.min(filter.pageSize, remaining),
            offset,
            "sort_by[asc]": "occurred_at",
            event_type: filter.types ? { in: [...filter.types] } : undefined,
            occurred_at: occurredAt,
          }),
        ),
      filter.startOffset,
      filter.signal,
    );
    for await (const page of pages) {
      const events: BillingEvent[] = [];
      // `limit` counts the events read, including skipped invalid ones.
      const entries = page.list.slice(0, remaining);
      for (const entry of entries) {
        try {
          events.push(parser.parse(entry.event as object));
        } catch (error) {
          if (!WebhookPayloadError.isInstance(error) || filter.onInvalidEvent === undefined)
            throw error;
          const id = (entry.event as RawObject | undefined)?.id;
          const eventId = typeof id === "string" ? id : null;
          logger.warn({ eventId }, "Skipped an invalid Chargebee event during replay");
          filter.onInvalidEvent(error, eventId);
        }
      }
      remaining -= entries.length;
      const done = remaining <= 0;
      yield { events, nextOffset: page.nextOffset };
      if (done) return;
    }
  }

  async function* replayEvents(input: ReplayOptions = {}): AsyncGenerator<BillingEvent> {
    for await (const page of listEventPages(input)) yield* page.events;
  }

  async function listSubscriptions(
    customerId: string,
    fallbackCurrency: string,
    signal: AbortSignal | undefined,
  ): Promise<BillingSubscription[]> {
    const subscriptions: BillingSubscription[] = [];
    const operation = "list subscriptions";
    const pages = paginate(
      operation,
      (offset) =>
        client.subscription.list(compact({ limit: 100, offset, customer_id: { is: customerId } })),
      undefined,
      signal,
    );
    for await (const page of pages) {
      for (const entry of page.list) {
        const wire = SubscriptionWire.safeParse(entry.subscription);
        if (!wire.success) throw apiFailure(operation, "invalid_response", "invalid subscription");
        // Spec §10 (chargebee-typescript #6): a filter Chargebee ignores returns the whole list;
        // refuse results for another customer rather than attach them to this one.
        if (wire.data.customer_id != null && wire.data.customer_id !== customerId) {
          throw apiFailure(operation, "invalid_response", "the customer_id filter was not applied");
        }
        try {
          subscriptions.push(
            normalizeSubscription(
              wire.data,
              entry.subscription as RawObject,
              fallbackCurrency,
              parseSettings,
            ),
          );
        } catch (error) {
          if (!MoneyError.isInstance(error)) throw error;
          throw apiFailure(operation, "invalid_response", "an amount is out of range", error);
        }
      }
    }
    return subscriptions;
  }

  async function* backfillCustomers(input: BackfillOptions = {}): AsyncGenerator<BackfillRecord> {
    const filter = parseOptions(BackfillSchema, input, "backfill options");
    let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
    const operation = "list customers";
    const pages = paginate(
      operation,
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
        const wire = CustomerWire.safeParse(entry.customer);
        if (!wire.success) throw apiFailure(operation, "invalid_response", "invalid customer");
        const preferred = wire.data.preferred_currency_code;
        const currency =
          preferred != null && isCurrencyCode(preferred)
            ? preferred
            : parseSettings.defaultCurrency;
        const subscriptions = filter.includeSubscriptions
          ? await listSubscriptions(wire.data.id, currency, filter.signal)
          : [];
        remaining -= 1;
        yield {
          customer: normalizeCustomer(wire.data, entry.customer as RawObject),
          subscriptions,
        };
      }
      if (remaining <= 0) return;
    }
  }

  async function createCheckout(input: CheckoutInput): Promise<HostedCheckout> {
    const checkout = parseOptions(CheckoutSchema, input, "checkout input");
    // Spec §9 and seeds/004: the click id travels as `subscription[cf_click_id]` (a subscription
    // custom field that must exist in Chargebee, set to "hidden parameter" in checkout).
    const subscription = compact({
      ...checkout.subscriptionCustomFields,
      [parseSettings.clickIdField]: checkout.clickId,
    });
    const customer = checkout.customer
      ? compact({
          id: checkout.customer.id,
          email: checkout.customer.email,
          first_name: checkout.customer.firstName,
          last_name: checkout.customer.lastName,
          phone: checkout.customer.phone,
          company: checkout.customer.company,
        })
      : undefined;
    const common = compact({
      customer,
      redirect_url: checkout.redirectUrl,
      cancel_url: checkout.cancelUrl,
      coupon_ids: checkout.couponIds,
      pass_thru_content: checkout.passThruContent,
    });
    const operation = checkout.model === "items" ? "checkout_new_for_items" : "checkout_new";
    let response: unknown;
    try {
      if (checkout.model === "items") {
        response = await client.hostedPage.checkoutNewForItems({
          ...common,
          subscription_items: checkout.items.map((item) =>
            compact({ item_price_id: item.itemPriceId, quantity: item.quantity }),
          ) as Array<{ item_price_id: string; quantity?: number }>,
          // The SDK's types omit custom fields; the API accepts extra `subscription[cf_*]` keys (spec §9).
          subscription: subscription as Record<string, never>,
        });
      } else {
        response = await client.hostedPage.checkoutNew({
          ...common,
          subscription: {
            ...subscription,
            ...compact({ plan_id: checkout.planId, plan_quantity: checkout.planQuantity }),
          } as Record<string, never>,
          addons: checkout.addons?.map((addon) =>
            compact({ id: addon.id, quantity: addon.quantity }),
          ),
        });
      }
    } catch (error) {
      throw toChargebeeApiError(error, operation);
    }
    const page = HostedPageWire.safeParse(response);
    if (!page.success)
      throw apiFailure(operation, "invalid_response", "no hosted page in the response");
    const hosted = page.data.hosted_page;
    return {
      id: hosted.id,
      url: hosted.url,
      state: hosted.state ?? null,
      createdAt: hosted.created_at == null ? null : hosted.created_at * 1000,
      expiresAt: hosted.expires_at == null ? null : hosted.expires_at * 1000,
    };
  }

  return { listEventPages, replayEvents, backfillCustomers, createCheckout };
}
