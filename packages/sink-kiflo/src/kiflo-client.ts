/**
 * The Kiflo API v3 calls the sink makes (shared/specs/kiflo.md §3), on the core HTTP client. Every
 * failure is a `SinkError` carrying Kiflo's `errorCode` as `vendorCode`. Lists are read newest first
 * and never past `maxPages` pages: Kiflo has no search by email or custom property (spec: Unknowns).
 *
 * @module
 */
import { type HttpClient, type HttpRequest, SinkError } from "@revtrace/core";
import { z } from "zod";
import {
  type KifloAssociateCustomerRequest,
  type KifloContact,
  KifloContactSchema,
  type KifloConvertLeadRequest,
  type KifloCreateCustomerRequest,
  type KifloCreateTransactionRequest,
  type KifloCustomer,
  KifloCustomerSchema,
  type KifloDeal,
  KifloDealSchema,
  type KifloLead,
  KifloLeadSchema,
  type KifloPropertyDefinition,
  KifloPropertyDefinitionsSchema,
  type KifloTransaction,
  KifloTransactionSchema,
  type KifloUpdateTransactionRequest,
  kifloPageSchema,
} from "./kiflo-api-types.js";
import { withKifloCode } from "./kiflo-error.js";

/** Paging limits of list scans. */
export interface KifloPaging {
  pageSize: number;
  maxPages: number;
}

/** What a bounded scan found. */
export interface ScanResult<T> {
  matches: T[];
  /** True when the scan stopped at `maxPages` with more items left unread. */
  truncated: boolean;
}

/** The calls of one sink instance. */
export interface KifloClient {
  propertyDefinitions(
    entity: "customers" | "transactions",
    signal?: AbortSignal,
  ): Promise<KifloPropertyDefinition[]>;
  /** Customers, newest first, whose `match` is true. */
  scanCustomers(
    match: (c: KifloCustomer) => boolean,
    signal?: AbortSignal,
  ): Promise<ScanResult<KifloCustomer>>;
  scanLeads(match: (l: KifloLead) => boolean, signal?: AbortSignal): Promise<ScanResult<KifloLead>>;
  scanDeals(match: (d: KifloDeal) => boolean, signal?: AbortSignal): Promise<ScanResult<KifloDeal>>;
  /** A customer's transactions, newest first, whose `match` is true (stops at the first match). */
  findTransaction(
    customerId: number,
    match: (t: KifloTransaction) => boolean,
    signal?: AbortSignal,
  ): Promise<KifloTransaction | null>;
  getLead(id: number, signal?: AbortSignal): Promise<KifloLead | null>;
  getDeal(id: number, signal?: AbortSignal): Promise<KifloDeal | null>;
  getContact(id: number, signal?: AbortSignal): Promise<KifloContact | null>;
  convertLead(id: number, body: KifloConvertLeadRequest, signal?: AbortSignal): Promise<KifloLead>;
  associateCustomer(
    dealId: number,
    body: KifloAssociateCustomerRequest,
    signal?: AbortSignal,
  ): Promise<KifloDeal>;
  /** `POST /customers`; `beforeRetry` looks for it first (see the core client's hook). */
  createCustomer(
    body: KifloCreateCustomerRequest,
    beforeRetry: () => Promise<boolean | undefined>,
    signal?: AbortSignal,
  ): Promise<KifloCustomer>;
  createTransaction(
    body: KifloCreateTransactionRequest,
    beforeRetry: () => Promise<boolean | undefined>,
    signal?: AbortSignal,
  ): Promise<KifloTransaction>;
  updateTransaction(
    id: number,
    body: KifloUpdateTransactionRequest,
    signal?: AbortSignal,
  ): Promise<KifloTransaction>;
  /** `DELETE /transactions/{id}`; `false` when Kiflo no longer has it (404). */
  deleteTransaction(id: number, signal?: AbortSignal): Promise<boolean>;
}

/** Runs a request; Kiflo's `errorCode` is added to any failure. */
async function call<S extends z.ZodType>(client: HttpClient, request: HttpRequest<S>) {
  try {
    return (await client.request(request)).data;
  } catch (error) {
    throw SinkError.isInstance(error) ? withKifloCode(error) : error;
  }
}

/** `null` for a 404 (the record is gone), the failure otherwise. */
async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (SinkError.isInstance(error) && error.status === 404) return null;
    throw error;
  }
}

/** Creates the Kiflo calls over `client`. */
export function createKifloClient(client: HttpClient, paging: KifloPaging): KifloClient {
  async function scan<T extends z.ZodType>(
    path: string,
    schema: T,
    match: (item: z.infer<T>) => boolean,
    params: Record<string, string | number>,
    firstOnly: boolean,
    signal: AbortSignal | undefined,
  ): Promise<ScanResult<z.infer<T>>> {
    const pageSchema = kifloPageSchema(schema);
    const matches: z.infer<T>[] = [];
    let offset = 0;
    for (let page = 0; page < paging.maxPages; page++) {
      const data = await call(client, {
        method: "GET",
        path,
        // Newest first: what the sink created moments ago (and may not have recorded) comes first.
        searchParams: {
          ...params,
          offset,
          limit: paging.pageSize,
          sort_by: "creationDate",
          order_by: "desc",
        },
        schema: pageSchema,
        signal,
      });
      const items = data.items as z.infer<T>[];
      for (const item of items) {
        if (match(item)) {
          matches.push(item);
          if (firstOnly) return { matches, truncated: false };
        }
      }
      offset += items.length;
      const total = data.totalCount ?? undefined;
      // Kiflo's maximum `limit` is not documented (spec §1 "Pagination": "Max `limit` unknown"): a
      // page shorter than asked may only be Kiflo's cap, so when the list says how many items it has
      // (`totalCount`, spec §1), that count decides the end; a short page does only without it.
      if (
        items.length === 0 ||
        (total !== undefined ? offset >= total : items.length < paging.pageSize)
      ) {
        return { matches, truncated: false };
      }
    }
    return { matches, truncated: true };
  }

  const get = <T extends z.ZodType>(path: string, schema: T, signal?: AbortSignal) =>
    orNull(call(client, { method: "GET", path, schema, signal }));

  return {
    propertyDefinitions: (entity, signal) =>
      call(client, {
        method: "GET",
        path: `${entity}/properties`,
        schema: KifloPropertyDefinitionsSchema,
        signal,
      }),
    scanCustomers: (match, signal) =>
      scan("customers", KifloCustomerSchema, match, {}, false, signal),
    scanLeads: (match, signal) => scan("leads", KifloLeadSchema, match, {}, false, signal),
    scanDeals: (match, signal) => scan("deals", KifloDealSchema, match, {}, false, signal),
    async findTransaction(customerId, match, signal) {
      const found = await scan(
        "transactions",
        KifloTransactionSchema,
        match,
        { customer_id: customerId },
        true,
        signal,
      );
      return found.matches[0] ?? null;
    },
    getLead: (id, signal) => get(`leads/${id}`, KifloLeadSchema, signal),
    getDeal: (id, signal) => get(`deals/${id}`, KifloDealSchema, signal),
    getContact: (id, signal) => get(`contacts/${id}`, KifloContactSchema, signal),
    convertLead: (id, body, signal) =>
      call(client, {
        method: "POST",
        path: `leads/${id}/convert/customer`,
        json: body,
        schema: KifloLeadSchema,
        signal,
      }),
    associateCustomer: (dealId, body, signal) =>
      call(client, {
        method: "POST",
        path: `deals/${dealId}/associate/customer`,
        json: body,
        schema: KifloDealSchema,
        signal,
      }),
    createCustomer: (body, beforeRetry, signal) =>
      call(client, {
        method: "POST",
        path: "customers",
        json: body,
        schema: KifloCustomerSchema,
        signal,
        beforeRetry,
      }),
    createTransaction: (body, beforeRetry, signal) =>
      call(client, {
        method: "POST",
        path: "transactions",
        json: body,
        schema: KifloTransactionSchema,
        signal,
        beforeRetry,
      }),
    updateTransaction: (id, body, signal) =>
      call(client, {
        method: "PUT",
        path: `transactions/${id}`,
        json: body,
        schema: KifloTransactionSchema,
        signal,
      }),
    async deleteTransaction(id, signal) {
      // DELETE answers `true` (spec §3).
      const deleted = await orNull(
        call(client, {
          method: "DELETE",
          path: `transactions/${id}`,
          schema: z.unknown(),
          signal,
        }),
      );
      return deleted !== null;
    },
  };
}
