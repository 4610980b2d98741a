/**
 * A local emulator of Kiflo's REST API v3 (shared/specs/kiflo.md): customers, leads (with convert to
 * customer), deals and contacts (with associate customer), transactions, property definitions,
 * Kiflo's `{ errorCode, errorMessage }` error answers, Bearer authentication, paging, and failure
 * injection, including failures *after* a write was applied (a lost answer), which is what makes an
 * idempotency bug visible.
 *
 * @module
 */
import { type Clock, parseOptions, systemClock } from "@revtrace/core";
import type { RequestHandler } from "msw";
import { z } from "zod";
import { mswHandlers } from "../msw-handlers.js";
import {
  failureOutcome,
  SandboxFailureSchema,
  type SandboxOutcome,
  type SandboxRequest,
  type VendorEmulator,
} from "../sandbox-types.js";
import {
  AssociateCustomerContract,
  ConvertLeadContract,
  CreateCustomerContract,
  CreateTransactionContract,
  KIFLO_API_PREFIX,
  KIFLO_CHARGEBEE_LABELS,
  KIFLO_MAX_PAGE_SIZE,
  KIFLO_ORIGIN,
  type KifloErrorBody,
  PatchCustomerContract,
  UpdateTransactionContract,
} from "./kiflo-contract.js";

/** Which requests a failure applies to (all when omitted). */
const FailureMatchSchema = z.strictObject({
  method: z.string().optional(),
  /** The path after `/v3`, without query, e.g. `/transactions`; `*` matches one segment. */
  path: z.string().optional(),
});

/** Failures the Kiflo emulator can be told to produce. */
export const KifloFailureSchema = z.intersection(
  z.union([
    SandboxFailureSchema,
    z.strictObject({
      /** A Kiflo error answer with this status and `errorCode`. */
      type: z.literal("error"),
      status: z.number().int().min(400).max(599),
      errorCode: z.string().min(1),
      errorMessage: z.string().optional(),
    }),
  ]),
  z.object({
    match: FailureMatchSchema.optional(),
    /**
     * Apply the request first, then fail (the write happened; the client never hears of it). Only
     * for `http` and `network` failures.
     */
    afterApply: z.boolean().optional(),
  }),
);
export type KifloFailure = z.infer<typeof KifloFailureSchema>;

/** One property definition (spec §2: `GET /{entity}/properties`). */
export interface KifloPropertyDefinition {
  id: number;
  entityType: string;
  propertyType: string;
  name: string;
  label: string;
  description: string | null;
  isRequired: boolean;
  isVisible: boolean;
  isPartnerEditable: boolean;
  isCustom: boolean;
  displayOrder: number;
  dropdownConfiguration: null;
}

export interface KifloCustomer {
  id: number;
  creationDate: string;
  properties: Record<string, unknown>;
  sourcePartnerId: number | null;
  status: string;
  source: string | null;
  isDeleted: boolean;
  deletionDate: string | null;
}

export interface KifloLead {
  id: number;
  creationDate: string;
  partnerId: number | null;
  sourcePartnerId: number | null;
  status: string;
  properties: Record<string, unknown>;
  convertedDate: string | null;
  customerId: number | null;
  dealId: number | null;
}

export interface KifloContact {
  id: number;
  properties: Record<string, unknown>;
  source: string | null;
}

export interface KifloDeal {
  id: number;
  contactId: number;
  sourcePartnerId: number | null;
  stage: string;
  creationDate: string;
  status: string;
  properties: Record<string, unknown>;
  customerId: number | null;
}

export interface KifloTransaction {
  id: number;
  creationDate: string;
  properties: Record<string, unknown>;
  customerId: number | null;
  partnerId: number | null;
  dealId: number | null;
  currency: string;
  isDeleted: boolean;
  deletionDate: string | null;
}

/** One request the emulator answered. */
export interface KifloRequestLogEntry {
  method: string;
  /** Path after `/v3`, with the query string. */
  path: string;
  /** The JSON body, `undefined` when empty or not JSON. */
  body: unknown;
  /** HTTP status answered (0 for a dropped connection). */
  status: number;
}

/** Options of {@link createKifloSandbox}. */
export interface KifloSandboxOptions {
  /** Accepted API access tokens; when omitted, any non-empty Bearer token is accepted. */
  tokens?: readonly string[];
  /**
   * Whether the custom properties of Kiflo's Chargebee integration exist (they are added when the
   * integration is turned on). @default true
   */
  chargebeeProperties?: boolean;
  now?: Clock;
  /** Origin intercepted by {@link KifloSandbox.handlers}. @default "https://api.kiflo.com" */
  origin?: string;
}

/** The Kiflo emulator. */
export interface KifloSandbox extends VendorEmulator {
  readonly name: "kiflo";
  readonly customers: readonly KifloCustomer[];
  readonly leads: readonly KifloLead[];
  readonly deals: readonly KifloDeal[];
  readonly contacts: readonly KifloContact[];
  /** Every transaction, deleted ones included (`isDeleted`). */
  readonly transactions: readonly KifloTransaction[];
  readonly requests: readonly KifloRequestLogEntry[];
  /** The internal property name behind a label, e.g. `"ChargeBee Customer ID"` → `cf_chargebee_customer_id`. */
  propertyName(entity: "customers" | "transactions", label: string): string | undefined;
  addCustomer(input: {
    properties?: Record<string, unknown>;
    sourcePartnerId?: number | null;
  }): KifloCustomer;
  addLead(input: {
    email: string;
    partnerId?: number | null;
    status?: string;
    properties?: Record<string, unknown>;
  }): KifloLead;
  /** Adds a deal and its contact (whose `properties.email` is `contactEmail`). */
  addDeal(input: {
    contactEmail: string;
    sourcePartnerId?: number | null;
    customerId?: number | null;
  }): KifloDeal;
  /** Serves `failure` to the next `times` matching requests (default 1). */
  failNext(failure: KifloFailure, times?: number): void;
  handlers(origin?: string): RequestHandler[];
}

const OptionsSchema = z.strictObject({
  tokens: z.array(z.string().min(1)).optional(),
  chargebeeProperties: z.boolean().optional(),
  now: z.custom<Clock>((value) => typeof value === "function", "must be a function").optional(),
  origin: z.url().optional(),
});

const HTML_PAGE = (status: number) =>
  `<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>`;

type Entity = "customers" | "transactions" | "leads" | "deals" | "contacts";

function definitions(entity: Entity, chargebee: boolean): KifloPropertyDefinition[] {
  const entityType = {
    customers: "Customer",
    transactions: "Transaction",
    leads: "Lead",
    deals: "Deal",
    contacts: "Contact",
  }[entity];
  const builtIn: Record<Entity, Array<[string, string]>> = {
    customers: [
      ["name", "Name"],
      ["email", "Email"],
      ["website", "Website"],
    ],
    transactions: [
      ["name", "Name"],
      ["amount", "Amount"],
    ],
    leads: [
      ["firstName", "First name"],
      ["lastName", "Last name"],
      ["email", "Email"],
      ["company", "Company"],
    ],
    deals: [["name", "Name"]],
    contacts: [
      ["firstName", "First name"],
      ["lastName", "Last name"],
      ["email", "Email"],
    ],
  };
  const custom: Array<[string, string]> = !chargebee
    ? []
    : entity === "customers"
      ? [["cf_chargebee_customer_id", KIFLO_CHARGEBEE_LABELS.customerId]]
      : entity === "transactions"
        ? [
            ["cf_chargebee_transaction_id", KIFLO_CHARGEBEE_LABELS.transactionId],
            ["cf_chargebee_invoice_id", KIFLO_CHARGEBEE_LABELS.invoiceId],
          ]
        : [];
  let next = 1;
  const make = ([name, label]: [string, string], isCustom: boolean): KifloPropertyDefinition => ({
    id: next++,
    entityType,
    propertyType: name === "amount" ? "Decimal" : "SingleLineText",
    name,
    label,
    description: null,
    isRequired: name === "name" && entity === "transactions",
    isVisible: true,
    isPartnerEditable: false,
    isCustom,
    displayOrder: next,
    dropdownConfiguration: null,
  });
  return [...builtIn[entity].map((p) => make(p, false)), ...custom.map((p) => make(p, true))];
}

/** Matches a failure's path pattern against a concrete path (`*` = one segment). */
function pathMatches(pattern: string, path: string): boolean {
  const a = pattern.split("/");
  const b = path.split("/");
  return a.length === b.length && a.every((part, i) => part === "*" || part === b[i]);
}

/** Creates a Kiflo API emulator. Throws `ConfigError` on bad options. */
export function createKifloSandbox(options: KifloSandboxOptions = {}): KifloSandbox {
  const settings = parseOptions(OptionsSchema, options, "Kiflo sandbox options");
  const now = settings.now ?? systemClock;
  const origin = (settings.origin ?? KIFLO_ORIGIN).replace(/\/+$/, "");
  const tokens = settings.tokens ? new Set(settings.tokens) : undefined;
  const chargebee = settings.chargebeeProperties ?? true;
  const props = {
    customers: definitions("customers", chargebee),
    transactions: definitions("transactions", chargebee),
    leads: definitions("leads", chargebee),
    deals: definitions("deals", chargebee),
    contacts: definitions("contacts", chargebee),
  };

  const customers: KifloCustomer[] = [];
  const leads: KifloLead[] = [];
  const deals: KifloDeal[] = [];
  const contacts: KifloContact[] = [];
  const transactions: KifloTransaction[] = [];
  const requests: KifloRequestLogEntry[] = [];
  const failures: KifloFailure[] = [];
  let nextId = 1000;
  const iso = () => new Date(now()).toISOString();

  const json = (status: number, body: unknown): SandboxOutcome => ({
    kind: "respond",
    response: {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
    },
  });
  const error = (status: number, errorCode: string, errorMessage: string) =>
    json(status, { errorCode, errorMessage } satisfies KifloErrorBody);
  const notFound = (what: string) => error(404, `${what}.NotFound`, `${what} not found`);
  const invalid = (what: string, message: string) => error(400, `${what}.InvalidRequest`, message);

  /** Names of `entity`'s defined properties; any other key is refused (the emulator's assumption). */
  function unknownProperties(entity: Entity, given: Record<string, unknown> | undefined): string[] {
    const known = new Set(props[entity].map((p) => p.name));
    return Object.keys(given ?? {}).filter((key) => !known.has(key));
  }

  /** Offset paging with `sort_by` (`id` or `creationDate`) and `order_by` (`asc`/`desc`), spec §1. */
  function page<T extends { id: number; creationDate?: string }>(
    items: readonly T[],
    query: URLSearchParams,
  ): SandboxOutcome {
    const offset = Number(query.get("offset") ?? "0");
    const limit = Number(query.get("limit") ?? "20");
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) {
      return error(400, "Pagination.Invalid", "offset and limit must be non-negative integers");
    }
    const sortBy = query.get("sort_by") ?? "id";
    const desc = (query.get("order_by") ?? "asc").toLowerCase() === "desc";
    const sorted = [...items].sort((a, b) => {
      const x = sortBy === "creationDate" ? `${a.creationDate}\u0000${a.id}` : a.id;
      const y = sortBy === "creationDate" ? `${b.creationDate}\u0000${b.id}` : b.id;
      const order = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -order : order;
    });
    const size = Math.min(limit, KIFLO_MAX_PAGE_SIZE);
    return json(200, {
      items: sorted.slice(offset, offset + size),
      paginationSkipCount: offset,
      totalCount: sorted.length,
    });
  }

  const idOf = (value: string | undefined) =>
    value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;

  function createCustomer(input: {
    properties?: Record<string, unknown> | undefined;
    sourcePartnerId?: number | null | undefined;
    source?: string | undefined;
  }): KifloCustomer {
    const customer: KifloCustomer = {
      id: nextId++,
      creationDate: iso(),
      properties: { ...input.properties },
      sourcePartnerId: input.sourcePartnerId ?? null,
      status: "New",
      source: input.source ?? null,
      isDeleted: false,
      deletionDate: null,
    };
    customers.push(customer);
    return customer;
  }

  /** Resolves a transaction's customer identifier: exactly one key (spec §3, §5). */
  function resolveCustomer(identifier: Record<string, string | number> | undefined) {
    const keys = Object.keys(identifier ?? {});
    if (keys.length !== 1) return undefined;
    const [key] = keys as [string];
    const value = (identifier as Record<string, string | number>)[key];
    const live = customers.filter((c) => !c.isDeleted);
    if (key === "id") return live.find((c) => c.id === value) ?? null;
    // "Use one of your customer properties" to identify the customer (help centre article 30).
    return live.find((c) => c.properties[key] === value) ?? null;
  }

  function route(method: string, path: string, query: URLSearchParams, body: unknown) {
    const parts = path.split("/").slice(1);
    const [collection, rawId, action, target] = parts;
    const entity = collection as Entity;
    if (parts.length === 2 && rawId === "properties" && method === "GET" && entity in props) {
      return json(200, props[entity]);
    }
    const id = idOf(rawId);
    switch (collection) {
      case "customers": {
        if (parts.length === 1 && method === "GET") {
          const partner = idOf(query.get("partner_id") ?? undefined);
          return page(
            customers.filter(
              (c) => !c.isDeleted && (partner === undefined || c.sourcePartnerId === partner),
            ),
            query,
          );
        }
        if (parts.length === 1 && method === "POST") {
          const parsed = CreateCustomerContract.safeParse(body);
          if (!parsed.success) return invalid("Customers", parsed.error.issues[0]?.message ?? "");
          const unknown = unknownProperties("customers", parsed.data.properties);
          if (unknown.length > 0)
            return invalid("Customers", `Unknown properties: ${unknown.join(", ")}`);
          const customer = createCustomer({
            properties: parsed.data.properties,
            sourcePartnerId: parsed.data.partnerId,
            source: parsed.data.source,
          });
          return json(200, customer);
        }
        const customer = customers.find((c) => c.id === id && !c.isDeleted);
        if (parts.length === 2 && method === "GET")
          return customer ? json(200, customer) : notFound("Customers");
        if (parts.length === 2 && method === "PATCH") {
          if (!customer) return notFound("Customers");
          const parsed = PatchCustomerContract.safeParse(body);
          if (!parsed.success) return invalid("Customers", parsed.error.issues[0]?.message ?? "");
          const unknown = unknownProperties("customers", parsed.data.properties);
          if (unknown.length > 0)
            return invalid("Customers", `Unknown properties: ${unknown.join(", ")}`);
          Object.assign(customer.properties, parsed.data.properties);
          if (parsed.data.partnerId !== undefined) customer.sourcePartnerId = parsed.data.partnerId;
          if (parsed.data.status !== undefined) customer.status = parsed.data.status;
          return json(200, customer);
        }
        break;
      }
      case "leads": {
        if (parts.length === 1 && method === "GET") {
          const status = query.get("status");
          const partner = idOf(query.get("partnerId") ?? undefined);
          return page(
            leads.filter(
              (l) =>
                (status === null || l.status === status) &&
                (partner === undefined || l.partnerId === partner),
            ),
            query,
          );
        }
        const lead = leads.find((l) => l.id === id);
        if (parts.length === 2 && method === "GET")
          return lead ? json(200, lead) : notFound("Leads");
        if (
          parts.length === 4 &&
          action === "convert" &&
          target === "customer" &&
          method === "POST"
        ) {
          if (!lead) return notFound("Leads");
          const parsed = ConvertLeadContract.safeParse(body);
          if (!parsed.success) return invalid("Leads", parsed.error.issues[0]?.message ?? "");
          // A lead converts once (it then carries `customerId` and `convertedDate`, spec §2).
          if (lead.customerId !== null || lead.dealId !== null) {
            return error(400, "Leads.AlreadyConverted", "The lead is already converted");
          }
          const unknown = unknownProperties("customers", parsed.data.customer.properties);
          if (unknown.length > 0)
            return invalid("Leads", `Unknown properties: ${unknown.join(", ")}`);
          const customer = createCustomer({
            properties: { email: lead.properties.email, ...parsed.data.customer.properties },
            sourcePartnerId:
              parsed.data.customer.sourcePartnerId ?? lead.sourcePartnerId ?? lead.partnerId,
            source: "Lead",
          });
          lead.customerId = customer.id;
          lead.convertedDate = iso();
          lead.status = "Converted";
          return json(200, lead);
        }
        break;
      }
      case "deals": {
        if (parts.length === 1 && method === "GET") return page(deals, query);
        const deal = deals.find((d) => d.id === id);
        if (parts.length === 2 && method === "GET")
          return deal ? json(200, deal) : notFound("Deals");
        if (
          parts.length === 4 &&
          action === "associate" &&
          target === "customer" &&
          method === "POST"
        ) {
          if (!deal) return notFound("Deals");
          const parsed = AssociateCustomerContract.safeParse(body);
          if (!parsed.success) return invalid("Deals", parsed.error.issues[0]?.message ?? "");
          if (!customers.some((c) => c.id === parsed.data.customerId && !c.isDeleted)) {
            return notFound("Customers");
          }
          deal.customerId = parsed.data.customerId;
          return json(200, deal);
        }
        break;
      }
      case "contacts": {
        const contact = contacts.find((c) => c.id === id);
        if (parts.length === 2 && method === "GET")
          return contact ? json(200, contact) : notFound("Contacts");
        break;
      }
      case "transactions": {
        if (parts.length === 1 && method === "GET") {
          const customer = idOf(query.get("customer_id") ?? undefined);
          const partner = idOf(query.get("partner_id") ?? undefined);
          const deal = idOf(query.get("deal_id") ?? undefined);
          return page(
            transactions.filter(
              (t) =>
                !t.isDeleted &&
                (customer === undefined || t.customerId === customer) &&
                (partner === undefined || t.partnerId === partner) &&
                (deal === undefined || t.dealId === deal),
            ),
            query,
          );
        }
        if (parts.length === 1 && method === "POST") {
          const parsed = CreateTransactionContract.safeParse(body);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            return invalid(
              "Transactions",
              `${issue?.path.map(String).join(".") ?? ""}: ${issue?.message ?? ""}`,
            );
          }
          const unknown = unknownProperties("transactions", parsed.data.properties);
          if (unknown.length > 0)
            return invalid("Transactions", `Unknown properties: ${unknown.join(", ")}`);
          const customer = resolveCustomer(parsed.data.customer);
          if (customer === undefined) {
            // The one error body the spec quotes verbatim (spec §1).
            return error(
              400,
              "Transactions.InvalidCustomerIdentifier",
              "You must specify one customer identifier",
            );
          }
          if (customer === null) return error(404, "Customers.NotFound", "Customer not found");
          const transaction: KifloTransaction = {
            id: nextId++,
            creationDate: iso(),
            properties: { ...parsed.data.properties },
            customerId: customer.id,
            // Tied to the customer's source partner, which earns the reward (Chargebee page).
            partnerId: parsed.data.partner?.id ?? customer.sourcePartnerId,
            dealId: parsed.data.deal?.id ?? null,
            currency: parsed.data.currency,
            isDeleted: false,
            deletionDate: null,
          };
          transactions.push(transaction);
          return json(200, transaction);
        }
        const transaction = transactions.find((t) => t.id === id && !t.isDeleted);
        if (parts.length === 2 && method === "GET")
          return transaction ? json(200, transaction) : notFound("Transactions");
        if (parts.length === 2 && method === "PUT") {
          if (!transaction) return notFound("Transactions");
          const parsed = UpdateTransactionContract.safeParse(body);
          if (!parsed.success) {
            return invalid("Transactions", parsed.error.issues[0]?.message ?? "");
          }
          const unknown = unknownProperties("transactions", parsed.data.properties);
          if (unknown.length > 0)
            return invalid("Transactions", `Unknown properties: ${unknown.join(", ")}`);
          transaction.properties = { ...parsed.data.properties };
          transaction.currency = parsed.data.currency;
          if (parsed.data.customerId !== undefined) transaction.customerId = parsed.data.customerId;
          if (parsed.data.partnerId !== undefined) transaction.partnerId = parsed.data.partnerId;
          if (parsed.data.dealId !== undefined) transaction.dealId = parsed.data.dealId;
          return json(200, transaction);
        }
        if (parts.length === 2 && method === "DELETE") {
          if (!transaction) return notFound("Transactions");
          transaction.isDeleted = true;
          transaction.deletionDate = iso();
          // DELETE answers `true` (spec §3).
          return json(200, true);
        }
        break;
      }
    }
    return error(404, "NotFound", "Resource not found");
  }

  function takeFailure(method: string, path: string): KifloFailure | undefined {
    const index = failures.findIndex(
      (f) =>
        (f.match?.method === undefined || f.match.method.toUpperCase() === method) &&
        (f.match?.path === undefined || pathMatches(f.match.path, path)),
    );
    return index === -1 ? undefined : failures.splice(index, 1)[0];
  }

  function failed(failure: KifloFailure): SandboxOutcome {
    if (failure.type === "error") {
      return error(
        failure.status,
        failure.errorCode,
        failure.errorMessage ?? "Injected sandbox failure",
      );
    }
    return failureOutcome(failure, HTML_PAGE);
  }

  function handle(request: SandboxRequest): SandboxOutcome {
    const [rawPath = "", search = ""] = request.path.split("?");
    const query = new URLSearchParams(search);
    let body: unknown;
    try {
      body = request.body === "" ? undefined : JSON.parse(request.body);
    } catch {
      body = Symbol.for("invalid-json");
    }
    const log: KifloRequestLogEntry = {
      method: request.method,
      path: request.path.slice(KIFLO_API_PREFIX.length),
      body: typeof body === "symbol" ? undefined : body,
      status: 0,
    };
    requests.push(log);
    const done = (outcome: SandboxOutcome) => {
      log.status = outcome.kind === "respond" ? outcome.response.status : 0;
      return outcome;
    };
    if (!rawPath.startsWith(`${KIFLO_API_PREFIX}/`)) {
      return done(error(404, "NotFound", "Resource not found"));
    }
    const path = rawPath.slice(KIFLO_API_PREFIX.length).replace(/\/+$/, "");
    const failure = takeFailure(request.method, path);
    if (failure && !failure.afterApply) return done(failed(failure));

    // Spec §1: `Authorization: Bearer <API access token>`.
    const auth = request.headers.get("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/.exec(auth)?.[1];
    if (!token || (tokens && !tokens.has(token))) {
      return done(error(401, "Unauthorized", "Invalid or missing API access token"));
    }
    if (typeof body === "symbol") return done(error(400, "InvalidRequest", "Invalid JSON body"));
    if (["POST", "PUT", "PATCH"].includes(request.method) && body !== undefined) {
      const type = request.headers.get("content-type") ?? "";
      if (!type.includes("application/json")) {
        return done(error(415, "UnsupportedMediaType", "Expected application/json"));
      }
    }
    const outcome = route(request.method, path, query, body);
    if (failure?.afterApply) return done(failed(failure));
    return done(outcome);
  }

  const sandbox: KifloSandbox = {
    name: "kiflo",
    origin,
    customers,
    leads,
    deals,
    contacts,
    transactions,
    requests,
    handle,
    propertyName: (entity, label) =>
      props[entity].find((p) => p.label.toLowerCase() === label.toLowerCase())?.name,
    addCustomer: (input) => createCustomer(input),
    addLead(input) {
      const lead: KifloLead = {
        id: nextId++,
        creationDate: iso(),
        partnerId: input.partnerId ?? null,
        sourcePartnerId: input.partnerId ?? null,
        status: input.status ?? "Accepted",
        properties: { ...input.properties, email: input.email },
        convertedDate: null,
        customerId: null,
        dealId: null,
      };
      leads.push(lead);
      return lead;
    },
    addDeal(input) {
      const contact: KifloContact = {
        id: nextId++,
        properties: { email: input.contactEmail },
        source: null,
      };
      contacts.push(contact);
      const deal: KifloDeal = {
        id: nextId++,
        contactId: contact.id,
        sourcePartnerId: input.sourcePartnerId ?? null,
        stage: "Negotiation",
        creationDate: iso(),
        status: "Accepted",
        properties: {},
        customerId: input.customerId ?? null,
      };
      deals.push(deal);
      return deal;
    },
    failNext: (failure, times = 1) => {
      const parsed = parseOptions(KifloFailureSchema, failure, "Kiflo sandbox failure");
      for (let i = 0; i < times; i++) failures.push(parsed);
    },
    injectFailure: (failure, times = 1) => sandbox.failNext(failure as KifloFailure, times),
    handlers: (at = origin) => mswHandlers(sandbox, at),
    recordedJson: () => ({ customers, leads, deals, contacts, transactions }),
    reset() {
      for (const list of [customers, leads, deals, contacts, transactions, requests, failures]) {
        list.length = 0;
      }
    },
  };
  return sandbox;
}
