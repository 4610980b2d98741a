/**
 * Options of `createKifloSink`, validated with zod at construction the way Kiflo validates its own
 * Chargebee integration's settings. Bad options throw a `ConfigError` naming the field; values (the
 * token) never appear in the message.
 *
 * @module
 */
import {
  type Conversion,
  isMappingStore,
  type MappingStore,
  parseOptions,
  type RetryPolicy,
  TRANSPORT_OPTIONS_SHAPE,
} from "@revtrace/core";
import { z } from "zod";

/** The production API base URL (Kiflo spec §1; keep the trailing slash). */
export const KIFLO_DEFAULT_BASE_URL = "https://api.kiflo.com/v3/";

/**
 * The property labels Kiflo's Chargebee integration adds (Kiflo's Chargebee page, "Chargebee
 * Properties"). Their internal names are resolved from Kiflo's property definitions at setup.
 */
export const KIFLO_PROPERTY_LABELS = {
  /** Customer property: the Chargebee customer id. */
  chargebeeCustomerId: "ChargeBee Customer ID",
  /** Transaction property: the Chargebee transaction id. */
  chargebeeTransactionId: "Chargebee Transaction ID",
  /** Transaction property: the Chargebee invoice id. */
  chargebeeInvoiceId: "Chargebee Invoice ID",
} as const;

/** Largest page the sink asks for. Kiflo documents no maximum (spec: Unknowns). */
export const KIFLO_MAX_PAGE_SIZE = 100;

const token = z
  .string()
  .min(1, "is required")
  .refine((value) => !/^bearer\s/i.test(value), "must be the raw token, without a `Bearer ` prefix")
  .refine((value) => !/\s/.test(value), "must not contain whitespace");

const isFunction = (value: unknown) => typeof value === "function";

/** The options schema of `createKifloSink`. */
export const KifloSinkOptionsSchema = z
  .strictObject({
    /** API Access Token (Kiflo: Account → Integration → API Access Token → Add), sent as Bearer. */
    apiToken: token,
    /**
     * Where the sink keeps its mappings (Chargebee customer → Kiflo customer, email → leads and deals,
     * Chargebee transaction → Kiflo transaction) and its claims: any revtrace `Storage`, shared by
     * every process that runs this sink.
     */
    store: z.custom<MappingStore>(isMappingStore, "must be a MappingStore (a revtrace Storage)"),
    /** Convert the lead whose email matches the Chargebee customer's into a Kiflo customer. */
    convertLeadToCustomer: z.boolean().default(false),
    /** On the first payment, attach the customer (created if needed) to every deal whose contact email matches. */
    associateCustomerOnDeal: z.boolean().default(false),
    /** Create a Kiflo transaction for every successful payment of a known customer (and adjust it on refunds). */
    createTransactionFromPayment: z.boolean().default(false),
    /** The transaction's `name`. @default `Chargebee invoice <invoice id>` (else the transaction id) */
    transactionName: z
      .custom<(conversion: Conversion) => string>(isFunction, "must be a function")
      .optional(),
    /** `source` of the customers the sink creates. @default "Chargebee" */
    customerSource: z.string().trim().min(1).default("Chargebee"),
    /** Page size of list requests, 1–100. @default 100 */
    pageSize: z.number().int().min(1).max(KIFLO_MAX_PAGE_SIZE).default(KIFLO_MAX_PAGE_SIZE),
    /** Most pages read when a lookup misses the mappings (customers, leads, deals, transactions). @default 10 */
    maxPages: z.number().int().min(1).max(1_000).default(10),
    /**
     * How long a claim on a Chargebee transaction (or customer) protects a create in progress. Another
     * process takes a claim over only after it expired (its holder is presumed dead; the taker looks
     * in Kiflo before creating). Shorter than the outbox's retries of a busy item (1 s doubling with
     * equal jitter, 10 attempts: at least about 4 minutes), so an item that met a dead process's claim
     * is delivered, not dead-lettered; longer than a create (a few requests, 10 s each at most).
     * @default 120000 (2 minutes; the ActiveCampaign sink's `contactLeaseMs` is the same)
     */
    claimTtlMs: z.number().int().min(1_000).default(120_000),
    /** Mappings kept in memory in front of the store. @default 10000 */
    cacheSize: z.number().int().min(0).default(10_000),
    /** API base URL (point it at `@revtrace/sandbox` in tests and demos). */
    baseUrl: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .default(KIFLO_DEFAULT_BASE_URL),
    ...TRANSPORT_OPTIONS_SHAPE,
  })
  .superRefine((options, context) => {
    const { convertLeadToCustomer, associateCustomerOnDeal, createTransactionFromPayment } =
      options;
    // Kiflo's Chargebee page: "When enabling this option you must enable at least one of the
    // previous two options, either Convert lead to customer or Associate customer on deal."
    if (createTransactionFromPayment && !convertLeadToCustomer && !associateCustomerOnDeal) {
      context.addIssue({
        code: "custom",
        path: ["createTransactionFromPayment"],
        message:
          "needs convertLeadToCustomer or associateCustomerOnDeal as well (Kiflo requires one of them)",
      });
    }
    if (!createTransactionFromPayment && !convertLeadToCustomer && !associateCustomerOnDeal) {
      context.addIssue({
        code: "custom",
        path: ["convertLeadToCustomer"],
        message: "turn on at least one action (convertLeadToCustomer, associateCustomerOnDeal)",
      });
    }
  });

/** Options of `createKifloSink`. */
export type KifloSinkOptions = Omit<z.input<typeof KifloSinkOptionsSchema>, "retry"> & {
  retry?: RetryPolicy;
};

/** Validated options with defaults applied. */
export type KifloSettings = z.output<typeof KifloSinkOptionsSchema>;

/** Validates `options`; throws a `ConfigError` naming every bad field, never its value. */
export function parseKifloSinkOptions(options: unknown): KifloSettings {
  return parseOptions(KifloSinkOptionsSchema, options, "Kiflo sink options");
}
