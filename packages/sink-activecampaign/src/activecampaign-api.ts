/**
 * The ActiveCampaign API v3 calls the sink makes, one function each, over core's HTTP client (which
 * paces every attempt through the rate limiter and retries 429/503 with `Retry-After`). Lookups
 * paginate with `limit=100` past the default page of 20 (spec §1). Section numbers refer to
 * shared/specs/activecampaign.md.
 *
 * @module
 */
import type { HttpClient } from "@revtrace/core";
import type { z } from "zod";
import {
  ACTIVECAMPAIGN_PAGE_SIZE,
  type ActiveCampaignOrder,
  AnyResponseSchema,
  ConnectionCreateResponseSchema,
  ConnectionListResponseSchema,
  ContactListCreateResponseSchema,
  ContactListsResponseSchema,
  ContactSearchResponseSchema,
  type ContactSyncBody,
  ContactSyncResponseSchema,
  ContactTagCreateResponseSchema,
  ContactTagsResponseSchema,
  EcomCustomerCreateResponseSchema,
  EcomCustomerListResponseSchema,
  type EcomOrderBody,
  EcomOrderListResponseSchema,
  EcomOrderResponseSchema,
  FieldCreateResponseSchema,
  FieldListResponseSchema,
  FieldRelResponseSchema,
  ListResponseSchema,
  TagCreateResponseSchema,
  TagListResponseSchema,
} from "./activecampaign-api-types.js";
import type { FieldDefinition } from "./activecampaign-settings.js";

type Signal = AbortSignal | undefined;
type Params = Record<string, string | number>;

/** Most pages one lookup reads (10,000 items): a guard against an API that ignores `offset`. */
const MAX_PAGES = 100;

/** The calls, bound to one HTTP client. */
export type ActiveCampaignApi = ReturnType<typeof createActiveCampaignApi>;

/** Creates the API calls over `client` (whose base URL ends in `/api/3/`). */
export function createActiveCampaignApi(client: HttpClient) {
  async function get<S extends z.ZodType>(path: string, schema: S, params: Params, signal: Signal) {
    const response = await client.request({
      method: "GET",
      path,
      searchParams: params,
      schema,
      signal,
    });
    return response.data;
  }
  async function send<S extends z.ZodType>(
    method: "POST" | "PUT" | "DELETE",
    path: string,
    schema: S,
    json: unknown,
    signal: Signal,
    beforeRetry?: () => Promise<boolean | undefined>,
  ) {
    const response = await client.request({ method, path, json, schema, signal, beforeRetry });
    return response.data;
  }

  /** Every item of a list endpoint: pages of 100 until `meta.total` (or a short page) (spec §1). */
  async function all<T>(
    read: (params: Params) => Promise<{ items: T[]; total: number | undefined }>,
    params: Params,
  ): Promise<T[]> {
    const items: T[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const { items: batch, total } = await read({
        ...params,
        limit: ACTIVECAMPAIGN_PAGE_SIZE,
        offset: page * ACTIVECAMPAIGN_PAGE_SIZE,
      });
      items.push(...batch);
      const done = total !== undefined && Number.isFinite(total) ? items.length >= total : false;
      if (done || batch.length < ACTIVECAMPAIGN_PAGE_SIZE) return items;
    }
    return items;
  }

  /** `POST /fieldRels` with `relid: 0`: the field on every list (spec §3). */
  async function linkField(fieldId: string, signal: Signal): Promise<void> {
    await send(
      "POST",
      "fieldRels",
      FieldRelResponseSchema,
      { fieldRel: { field: fieldId, relid: 0 } },
      signal,
    );
  }

  return {
    /** `GET /lists/{id}`: checks the token and that the configured list exists. */
    getList: (listId: string, signal: Signal) =>
      get(`lists/${listId}`, ListResponseSchema, {}, signal),

    /**
     * Every contact field (spec §3: `GET /fields`, paginated), and the ids of those that have a
     * list link (`null` when the answers carry no `fieldRels`: unknown).
     */
    async listFields(signal: Signal) {
      let linked: Set<string> | null = null;
      const fields = await all(async (params) => {
        const data = await get("fields", FieldListResponseSchema, params, signal);
        if (data.fieldRels) {
          linked ??= new Set();
          for (const rel of data.fieldRels) linked.add(rel.field);
        }
        return { items: data.fields, total: data.meta?.total };
      }, {});
      return { fields, linked: linked as Set<string> | null };
    },

    linkField,

    /** `POST /fields` then `POST /fieldRels` with `relid: 0` (all lists, spec §3). */
    async createField(field: FieldDefinition, signal: Signal): Promise<string> {
      const created = await send(
        "POST",
        "fields",
        FieldCreateResponseSchema,
        {
          field: {
            title: field.title,
            type: field.type,
            perstag: field.perstag,
            descript: "Written by revtrace from Chargebee",
            visible: 1,
          },
        },
        signal,
      );
      await linkField(created.field.id, signal);
      return created.field.id;
    },

    /** `GET /contacts?email=`: the contact whose email really is `email` (Pipedream #4612), or null. */
    async findContact(email: string, signal: Signal): Promise<string | null> {
      const data = await get("contacts", ContactSearchResponseSchema, { email }, signal);
      const match = data.contacts.find((c) => c.email?.trim().toLowerCase() === email);
      return match?.id ?? null;
    },

    /** `POST /contact/sync`: the contact's id (spec §2). */
    async syncContact(body: ContactSyncBody, signal: Signal): Promise<string> {
      const data = await send("POST", "contact/sync", ContactSyncResponseSchema, body, signal);
      return data.contact.id;
    },

    /** `GET /contacts/{id}/contactLists`: the contact's status on `listId`, or null (spec §4). */
    async listStatus(contactId: string, listId: string, signal: Signal): Promise<string | null> {
      const memberships = await all(async (params) => {
        const data = await get(
          `contacts/${contactId}/contactLists`,
          ContactListsResponseSchema,
          params,
          signal,
        );
        return { items: data.contactLists, total: data.meta?.total };
      }, {});
      return memberships.find((m) => m.list === listId)?.status ?? null;
    },

    /** `POST /contactLists` with status 1 (subscribe) or 2 (unsubscribe) (spec §4). */
    setListStatus: (contactId: string, listId: string, status: 1 | 2, signal: Signal) =>
      send(
        "POST",
        "contactLists",
        ContactListCreateResponseSchema,
        { contactList: { list: listId, contact: contactId, status } },
        signal,
      ),

    /** Tags whose name contains `search` (spec §5: a "contains" match), every page. */
    searchTags: (search: string, signal: Signal) =>
      all(
        async (params) => {
          const data = await get("tags", TagListResponseSchema, params, signal);
          return { items: data.tags, total: data.meta?.total };
        },
        { search },
      ),

    /** `POST /tags` (spec §5). */
    async createTag(name: string, signal: Signal): Promise<string> {
      const data = await send(
        "POST",
        "tags",
        TagCreateResponseSchema,
        {
          tag: { tag: name, tagType: "contact", description: "Written by revtrace from Chargebee" },
        },
        signal,
      );
      return data.tag.id;
    },

    /** `GET /contacts/{id}/contactTags`, every page (spec §5). */
    contactTags: (contactId: string, signal: Signal) =>
      all(async (params) => {
        const data = await get(
          `contacts/${contactId}/contactTags`,
          ContactTagsResponseSchema,
          params,
          signal,
        );
        return { items: data.contactTags, total: data.meta?.total };
      }, {}),

    /** `POST /contactTags` (spec §5). */
    addTag: (contactId: string, tagId: string, signal: Signal) =>
      send(
        "POST",
        "contactTags",
        ContactTagCreateResponseSchema,
        { contactTag: { contact: contactId, tag: tagId } },
        signal,
      ),

    /** `DELETE /contactTags/{id}` (spec §5). */
    removeContactTag: (contactTagId: string, signal: Signal) =>
      send("DELETE", `contactTags/${contactTagId}`, AnyResponseSchema, undefined, signal),

    /** `DELETE /contacts/{id}` (spec §2). */
    deleteContact: (contactId: string, signal: Signal) =>
      send("DELETE", `contacts/${contactId}`, AnyResponseSchema, undefined, signal),

    /** The Deep Data connection of (service, externalid), or null (spec §6). */
    async findConnection(service: string, externalid: string, signal: Signal) {
      const data = await get(
        "connections",
        ConnectionListResponseSchema,
        { "filters[service]": service, "filters[externalid]": externalid },
        signal,
      );
      return data.connections.find((c) => c.externalid === externalid)?.id ?? null;
    },

    /** `POST /connections` (spec §6); `beforeRetry` as for {@link createOrder}. */
    async createConnection(
      connection: Record<string, string>,
      signal: Signal,
      beforeRetry?: () => Promise<boolean | undefined>,
    ): Promise<string> {
      const data = await send(
        "POST",
        "connections",
        ConnectionCreateResponseSchema,
        { connection },
        signal,
        beforeRetry,
      );
      return data.connection.id;
    },

    /** The ecomCustomer of a Chargebee customer on a connection, or null (spec §6). */
    async findEcomCustomer(connectionId: string, externalid: string, signal: Signal) {
      const data = await get(
        "ecomCustomers",
        EcomCustomerListResponseSchema,
        { "filters[connectionid]": connectionId, "filters[externalid]": externalid },
        signal,
      );
      return data.ecomCustomers.find((c) => c.externalid === externalid)?.id ?? null;
    },

    /** `POST /ecomCustomers` (spec §6); `beforeRetry` as for {@link createOrder}. */
    async createEcomCustomer(
      connectionId: string,
      externalid: string,
      email: string,
      signal: Signal,
      beforeRetry?: () => Promise<boolean | undefined>,
    ): Promise<string> {
      const data = await send(
        "POST",
        "ecomCustomers",
        EcomCustomerCreateResponseSchema,
        { ecomCustomer: { connectionid: connectionId, externalid, email, acceptsMarketing: "0" } },
        signal,
        beforeRetry,
      );
      return data.ecomCustomer.id;
    },

    /** The order with this `externalid` on the connection, or null (spec §6). */
    async findOrder(
      connectionId: string,
      externalid: string,
      signal: Signal,
    ): Promise<ActiveCampaignOrder | null> {
      const data = await get(
        "ecomOrders",
        EcomOrderListResponseSchema,
        { "filters[connectionid]": connectionId, "filters[externalid]": externalid },
        signal,
      );
      return data.ecomOrders.find((o) => o.externalid === externalid) ?? null;
    },

    /**
     * `POST /ecomOrders` (spec §6). No idempotency key (spec §1): `beforeRetry` looks for the order
     * before a retry (an attempt whose answer was lost may have created it); `false` stops retrying.
     */
    createOrder: (
      body: EcomOrderBody,
      signal: Signal,
      beforeRetry?: () => Promise<boolean | undefined>,
    ) => send("POST", "ecomOrders", EcomOrderResponseSchema, body, signal, beforeRetry),

    /** `PUT /ecomOrders/{id}` (spec §6). */
    updateOrder: (orderId: string, body: unknown, signal: Signal) =>
      send("PUT", `ecomOrders/${orderId}`, EcomOrderResponseSchema, body, signal),
  };
}
