/**
 * A local emulator of one ActiveCampaign account's API v3: contacts (`contact/sync`, lookups,
 * delete), custom fields and field values, lists and list membership, tags and contact tags, Deep
 * Data connections, customers and orders. It validates bodies against the documented contract,
 * answers with ActiveCampaign's (non-uniform) error shapes, paginates with a default page of 20,
 * and enforces the account's 5 requests a second for every client of the account at once (HTTP 429
 * with `Retry-After`), so that a breach by several processes shows up. Section numbers refer to
 * shared/specs/activecampaign.md.
 *
 * @module
 */
import { type Clock, parseOptions, systemClock } from "@revtrace/core";
import type { RequestHandler } from "msw";
import { z } from "zod";
import { mswHandlers } from "../msw-handlers.js";
import {
  createFailureQueue,
  failureOutcome,
  type SandboxFailure,
  SandboxFailureSchema,
  type SandboxOutcome,
  type SandboxRequest,
  type VendorEmulator,
} from "../sandbox-types.js";
import {
  ACTIVECAMPAIGN_API_PREFIX,
  ACTIVECAMPAIGN_DEFAULT_PAGE,
  ACTIVECAMPAIGN_MAX_PAGE,
  ACTIVECAMPAIGN_ORIGIN,
  ACTIVECAMPAIGN_RATE_LIMIT,
  ConnectionContract,
  ContactListContract,
  ContactSyncContract,
  ContactTagContract,
  EcomCustomerContract,
  EcomOrderContract,
  EcomOrderUpdateContract,
  FieldContract,
  FieldRelContract,
  messageError,
  TagContract,
  titledError,
  validationError,
} from "./activecampaign-contract.js";

type Row = Record<string, unknown> & { id: string };

/** Options of {@link createActiveCampaignSandbox}. */
export interface ActiveCampaignSandboxOptions {
  /** The account's API tokens (they share one limit). When omitted, any non-empty token works. */
  tokens?: readonly string[];
  /** Lists that exist in the account. @default [{ id: "1", name: "Customers" }] */
  lists?: ReadonlyArray<{ id: string; name: string }>;
  /** The account limit, or `false` for none. @default { limit: 5, windowMs: 1000 } */
  rateLimit?: { limit: number; windowMs: number } | false;
  /** `Retry-After` of a 429, seconds. @default 1 */
  retryAfterSeconds?: number;
  /** The clock (epoch milliseconds) of timestamps and the limit. */
  now?: Clock;
  /** Origin intercepted by {@link ActiveCampaignSandbox.handlers}. @default "https://sandbox.api-us1.com" */
  origin?: string;
}

/** One request the emulator answered. */
export interface ActiveCampaignRequestLogEntry {
  /** When it arrived, epoch milliseconds (the emulator's clock). */
  at: number;
  method: string;
  /** Path relative to `/api/3`, with the query string. */
  path: string;
  /** HTTP status answered (0 for a dropped connection). */
  status: number;
}

/** The account's data, as plain rows (ids are numeric strings, spec §1). */
export interface ActiveCampaignState {
  contacts: Row[];
  fields: Row[];
  fieldRels: Row[];
  fieldValues: Row[];
  lists: Row[];
  contactLists: Row[];
  tags: Row[];
  contactTags: Row[];
  connections: Row[];
  ecomCustomers: Row[];
  ecomOrders: Row[];
}

/** What the emulator saw that a careful client never does. */
export interface ActiveCampaignAudit {
  /** `contact/sync` calls that set a stored value to `""` (spec §2 pitfall: blanks overwrite). */
  blanked: Array<{ contactId: string; key: string }>;
  /** Contacts set back to status 1 after they unsubscribed (spec §4 compliance warning). */
  resubscribed: Array<{ contactId: string; listId: string }>;
  /** `POST /tags` for a name that already existed (spec §5). */
  duplicateTags: string[];
}

/** The ActiveCampaign emulator. */
export interface ActiveCampaignSandbox extends VendorEmulator {
  readonly name: "activecampaign";
  readonly state: Readonly<ActiveCampaignState>;
  readonly audit: Readonly<ActiveCampaignAudit>;
  /** Every request answered, in arrival order. */
  readonly requests: readonly ActiveCampaignRequestLogEntry[];
  /** The most requests that arrived in any window of `windowMs` (default 1000), 429s included. */
  maxRequestsInWindow(windowMs?: number): number;
  /** Serves `failure` to the next `times` requests (default 1), before anything else. */
  failNext(failure: SandboxFailure, times?: number): void;
  /** Adds a contact directly (no request counted); answers its id. */
  seedContact(contact: {
    email: string;
    firstName?: string;
    lastName?: string;
    phone?: string;
  }): string;
  /** Adds a custom field directly; answers its id. */
  seedField(field: { title: string; perstag: string; type?: string }): string;
  /** Adds a tag directly; answers its id. */
  seedTag(name: string): string;
  /** Sets a contact's status on a list directly (1 subscribed, 2 unsubscribed, 91 removed). */
  seedListStatus(contactId: string, listId: string, status: 1 | 2 | 91): void;
  /** Tags a contact directly; answers the contactTag id. */
  seedContactTag(contactId: string, tagId: string): string;
  /** The contact with this email (case-insensitive), with its field values by perstag. */
  contactByEmail(
    email: string,
  ): (Row & { fieldValuesByPerstag: Record<string, string>; tagNames: string[] }) | undefined;
  /** msw handlers for tests; `origin` defaults to the emulator's origin. */
  handlers(origin?: string): RequestHandler[];
}

const OptionsSchema = z.strictObject({
  tokens: z.array(z.string().min(1)).min(1).optional(),
  lists: z
    .array(z.strictObject({ id: z.string().regex(/^\d+$/), name: z.string().min(1) }))
    .optional(),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        limit: z.number().int().positive(),
        windowMs: z.number().int().positive(),
      }),
    ])
    .optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  now: z.custom<Clock>((value) => typeof value === "function", "must be a function").optional(),
  origin: z.url().optional(),
});

const JSON_HEADERS = { "content-type": "application/json" };

function respond(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SandboxOutcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    kind: "respond",
    response: { status, headers: { ...JSON_HEADERS, ...headers }, body: text },
  };
}

const notFound = (what: string, id: string) =>
  respond(404, messageError(`No result found for ${what} with id ${id}`));

function emptyState(): ActiveCampaignState {
  return {
    contacts: [],
    fields: [],
    fieldRels: [],
    fieldValues: [],
    lists: [],
    contactLists: [],
    tags: [],
    contactTags: [],
    connections: [],
    ecomCustomers: [],
    ecomOrders: [],
  };
}

/** Creates an ActiveCampaign emulator (one account). Throws `ConfigError` on bad options. */
export function createActiveCampaignSandbox(
  options: ActiveCampaignSandboxOptions = {},
): ActiveCampaignSandbox {
  const settings = parseOptions(OptionsSchema, options, "ActiveCampaign sandbox options");
  const now = settings.now ?? systemClock;
  const origin = (settings.origin ?? ACTIVECAMPAIGN_ORIGIN).replace(/\/+$/, "");
  const tokens = settings.tokens ? new Set(settings.tokens) : undefined;
  const rateLimit = settings.rateLimit ?? ACTIVECAMPAIGN_RATE_LIMIT;
  const retryAfter = String(settings.retryAfterSeconds ?? 1);
  const initialLists = settings.lists ?? [{ id: "1", name: "Customers" }];

  let state = emptyState();
  let audit: ActiveCampaignAudit = { blanked: [], resubscribed: [], duplicateTags: [] };
  const requests: ActiveCampaignRequestLogEntry[] = [];
  /** Arrival times of the requests admitted in the current window. */
  let admitted: number[] = [];
  const failures = createFailureQueue<SandboxFailure>();
  let nextId = 1;

  const newId = () => String(nextId++);
  const stamp = () => new Date(now()).toISOString();
  const resetLists = () => {
    for (const list of initialLists)
      state.lists.push({ id: list.id, name: list.name, stringid: list.name.toLowerCase() });
    nextId = Math.max(nextId, ...initialLists.map((l) => Number(l.id) + 1));
  };
  resetLists();

  const find = (table: Row[], id: string) => table.find((row) => row.id === id);
  const sameText = (a: unknown, b: unknown) =>
    String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase();

  /** Pagination (spec §1): `limit` default 20, max 100, `offset` zero-based; `meta.total` a string. */
  function page(
    key: string,
    rows: Row[],
    query: URLSearchParams,
    extra: Record<string, unknown> = {},
  ) {
    const limit = Math.min(
      Math.max(
        Number(query.get("limit") ?? ACTIVECAMPAIGN_DEFAULT_PAGE) || ACTIVECAMPAIGN_DEFAULT_PAGE,
        1,
      ),
      ACTIVECAMPAIGN_MAX_PAGE,
    );
    const offset = Math.max(Number(query.get("offset") ?? 0) || 0, 0);
    return respond(200, {
      [key]: rows.slice(offset, offset + limit),
      ...extra,
      meta: { total: String(rows.length) },
    });
  }

  function parse<S extends z.ZodType>(
    schema: S,
    body: string,
  ): { ok: true; data: z.infer<S> } | { ok: false; outcome: SandboxOutcome } {
    let json: unknown;
    try {
      json = body === "" ? undefined : JSON.parse(body);
    } catch {
      // Spec §1: a 400 often has an empty object body.
      return { ok: false, outcome: respond(400, {}) };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return { ok: false, outcome: respond(422, validationError(parsed.error.issues)) };
    return { ok: true, data: parsed.data };
  }

  // --- contacts (spec §2) ---

  /**
   * `POST /contact/sync` upserts by email; `POST /contacts` (`create: true`) only creates, and
   * answers an existing email with the 422 `duplicate` body quoted in spec §1 "Error shapes" (§2).
   */
  function contactSync(body: string, create = false): SandboxOutcome {
    const parsed = parse(ContactSyncContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.contact;
    if (create && state.contacts.some((c) => sameText(c.email, input.email))) {
      return respond(422, {
        errors: [
          {
            title: "Email address already exists in the system",
            detail: "",
            code: "duplicate",
            source: { pointer: "/data/attributes/email" },
          },
        ],
      });
    }
    for (const value of input.fieldValues ?? []) {
      // An unknown field id: real behaviour undocumented (spec "Unknowns"); the sandbox refuses it.
      if (!find(state.fields, String(value.field))) {
        return respond(422, titledError(`Field ${value.field} does not exist`, "field_missing"));
      }
    }
    let contact = state.contacts.find((c) => sameText(c.email, input.email));
    const created = contact === undefined;
    if (!contact) {
      contact = {
        id: newId(),
        email: input.email,
        firstName: "",
        lastName: "",
        phone: "",
        cdate: stamp(),
        udate: stamp(),
      };
      state.contacts.push(contact);
    }
    for (const key of ["firstName", "lastName", "phone"] as const) {
      const value = input[key];
      if (value === undefined) continue;
      if (value === "" && contact[key] !== "") audit.blanked.push({ contactId: contact.id, key });
      contact[key] = value;
    }
    for (const value of input.fieldValues ?? []) {
      const field = String(value.field);
      const existing = state.fieldValues.find(
        (fv) => fv.contact === contact?.id && fv.field === field,
      );
      if (existing) {
        if (value.value === "" && existing.value !== "")
          audit.blanked.push({ contactId: contact.id, key: `field:${field}` });
        existing.value = value.value;
      } else {
        state.fieldValues.push({ id: newId(), contact: contact.id, field, value: value.value });
      }
    }
    contact.udate = stamp();
    const fieldValues = state.fieldValues.filter((fv) => fv.contact === contact?.id);
    return respond(created ? 201 : 200, { fieldValues, contact });
  }

  function listContacts(query: URLSearchParams): SandboxOutcome {
    let rows = state.contacts;
    const email = query.get("email");
    if (email !== null) rows = rows.filter((c) => sameText(c.email, email));
    const like = query.get("email_like");
    if (like !== null)
      rows = rows.filter((c) => String(c.email).toLowerCase().includes(like.toLowerCase()));
    // Spec §2: `phone` is a prefix match; §1 Pagination: `id_greater` + `orders[id]` for big walks.
    const phone = query.get("phone");
    if (phone !== null) rows = rows.filter((c) => String(c.phone ?? "").startsWith(phone));
    const greater = query.get("id_greater");
    if (greater !== null) rows = rows.filter((c) => Number(c.id) > Number(greater));
    const order = query.get("orders[id]")?.toUpperCase();
    if (order === "ASC" || order === "DESC") {
      const sign = order === "ASC" ? 1 : -1;
      rows = [...rows].sort((a, b) => sign * (Number(a.id) - Number(b.id)));
    }
    return page("contacts", rows, query);
  }

  function deleteContact(id: string): SandboxOutcome {
    if (!find(state.contacts, id)) return notFound("contact", id);
    state.contacts = state.contacts.filter((c) => c.id !== id);
    state.fieldValues = state.fieldValues.filter((row) => row.contact !== id);
    state.contactLists = state.contactLists.filter((row) => row.contact !== id);
    state.contactTags = state.contactTags.filter((row) => row.contact !== id);
    return respond(200, {});
  }

  // --- fields (spec §3) ---

  function createField(body: string): SandboxOutcome {
    const parsed = parse(FieldContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.field;
    if (state.fields.some((f) => sameText(f.title, input.title))) {
      return respond(
        422,
        titledError("There is already a field with this title", "duplicate", input.title),
      );
    }
    const perstag = (input.perstag ?? input.title.replace(/\W+/g, "_")).toUpperCase();
    if (state.fields.some((f) => f.perstag === perstag)) {
      return respond(
        422,
        titledError("There is already a field with this personalization tag", "duplicate"),
      );
    }
    const field: Row = {
      id: newId(),
      title: input.title,
      type: input.type,
      perstag,
      descript: input.descript ?? "",
      defval: input.defval ?? "",
      visible: input.visible ?? 1,
    };
    state.fields.push(field);
    return respond(201, { field });
  }

  function listFields(query: URLSearchParams): SandboxOutcome {
    let rows = state.fields;
    const perstag = query.get("filters[perstag]");
    if (perstag !== null) rows = rows.filter((f) => sameText(f.perstag, perstag));
    return page("fields", rows, query, { fieldOptions: [], fieldRels: state.fieldRels });
  }

  function createFieldRel(body: string): SandboxOutcome {
    const parsed = parse(FieldRelContract, body);
    if (!parsed.ok) return parsed.outcome;
    const field = String(parsed.data.fieldRel.field);
    const relid = String(parsed.data.fieldRel.relid);
    if (!find(state.fields, field))
      return respond(422, titledError("Field not found", "field_missing"));
    if (relid !== "0" && !find(state.lists, relid))
      return respond(422, titledError("List not found", "list_missing"));
    const rel: Row = { id: newId(), field, relid };
    state.fieldRels.push(rel);
    return respond(201, { fieldRel: rel });
  }

  // --- lists (spec §4) ---

  function setListStatus(body: string): SandboxOutcome {
    const parsed = parse(ContactListContract, body);
    if (!parsed.ok) return parsed.outcome;
    const { list, contact, status } = parsed.data.contactList;
    const listId = String(list);
    const contactId = String(contact);
    if (!find(state.lists, listId))
      return respond(422, titledError("List not found", "list_missing"));
    if (!find(state.contacts, contactId))
      return respond(422, titledError("Contact not found", "contact_missing"));
    const value = String(status);
    let row = state.contactLists.find((cl) => cl.list === listId && cl.contact === contactId);
    if (row) {
      if (row.status === "2" && value === "1") audit.resubscribed.push({ contactId, listId });
      row.status = value;
      row.udate = stamp();
    } else {
      row = { id: newId(), list: listId, contact: contactId, status: value, udate: stamp() };
      state.contactLists.push(row);
    }
    return respond(201, {
      contactList: row,
      contacts: state.contacts.filter((c) => c.id === contactId),
    });
  }

  // --- tags (spec §5) ---

  function createTag(body: string): SandboxOutcome {
    const parsed = parse(TagContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.tag;
    if (state.tags.some((t) => sameText(t.tag, input.tag))) {
      audit.duplicateTags.push(input.tag);
      // The shape observed for a duplicate tag (spec §1, verbb/formie #1389).
      return respond(422, {
        message: "Could not process request",
        error: `Duplicate entry '${input.tagType}-${input.tag}' for key 'typetag'`,
      });
    }
    const tag: Row = {
      id: newId(),
      tag: input.tag,
      tagType: input.tagType,
      description: input.description ?? "",
    };
    state.tags.push(tag);
    return respond(201, { tag });
  }

  function listTags(query: URLSearchParams): SandboxOutcome {
    let rows = state.tags;
    const search = query.get("search") ?? query.get("filters[search][eq]");
    if (query.get("filters[search][eq]") !== null)
      rows = rows.filter((t) => sameText(t.tag, search));
    else if (search !== null)
      rows = rows.filter((t) => String(t.tag).toLowerCase().includes(search.toLowerCase()));
    return page("tags", rows, query);
  }

  function tagContact(body: string): SandboxOutcome {
    const parsed = parse(ContactTagContract, body);
    if (!parsed.ok) return parsed.outcome;
    const contact = String(parsed.data.contactTag.contact);
    const tag = String(parsed.data.contactTag.tag);
    if (!find(state.contacts, contact))
      return respond(422, titledError("Contact not found", "contact_missing"));
    if (!find(state.tags, tag)) return respond(422, titledError("Tag not found", "tag_missing"));
    // Tagging twice: undocumented; the sandbox answers the existing contactTag.
    const existing = state.contactTags.find((ct) => ct.contact === contact && ct.tag === tag);
    if (existing) return respond(201, { contactTag: existing });
    const row: Row = { id: newId(), contact, tag, cdate: stamp() };
    state.contactTags.push(row);
    return respond(201, { contactTag: row });
  }

  // --- Deep Data (spec §6) ---

  function createConnection(body: string): SandboxOutcome {
    const parsed = parse(ConnectionContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.connection;
    if (
      state.connections.some(
        (c) => c.service === input.service && c.externalid === input.externalid,
      )
    ) {
      return respond(
        422,
        titledError("A connection for this service and externalid already exists", "duplicate"),
      );
    }
    const row: Row = { id: newId(), ...input, status: "1" };
    state.connections.push(row);
    return respond(201, { connection: row });
  }

  function filtered(table: Row[], query: URLSearchParams, keys: readonly string[]): Row[] {
    return table.filter((row) =>
      keys.every((key) => {
        const wanted = query.get(`filters[${key}]`);
        return wanted === null || String(row[key]) === wanted;
      }),
    );
  }

  function createEcomCustomer(body: string): SandboxOutcome {
    const parsed = parse(EcomCustomerContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.ecomCustomer;
    const connectionid = String(input.connectionid);
    if (!find(state.connections, connectionid))
      return respond(422, titledError("Connection not found", "connection_missing"));
    // Duplicate externalid: undocumented (spec §6); the sandbox refuses it.
    if (
      state.ecomCustomers.some(
        (c) => c.connectionid === connectionid && c.externalid === input.externalid,
      )
    ) {
      return respond(
        422,
        titledError("A customer with this externalid already exists", "duplicate"),
      );
    }
    const row: Row = { id: newId(), ...input, connectionid, totalRevenue: "0", totalOrders: "0" };
    state.ecomCustomers.push(row);
    return respond(201, { ecomCustomer: row });
  }

  function createOrder(body: string): SandboxOutcome {
    const parsed = parse(EcomOrderContract, body);
    if (!parsed.ok) return parsed.outcome;
    const input = parsed.data.ecomOrder;
    const connectionid = String(input.connectionid);
    const customerid = String(input.customerid);
    if (!find(state.connections, connectionid))
      return respond(422, titledError("Connection not found", "connection_missing"));
    if (!find(state.ecomCustomers, customerid))
      return respond(422, titledError("Customer not found", "customer_missing"));
    // Duplicate externalid: undocumented (spec §6); the sandbox refuses it, as AC's Magento module expects.
    if (
      state.ecomOrders.some(
        (o) => o.connectionid === connectionid && o.externalid === input.externalid,
      )
    ) {
      return respond(422, titledError("An order with this externalid already exists", "duplicate"));
    }
    const row: Row = {
      id: newId(),
      ...input,
      source: String(input.source),
      connectionid,
      customerid,
      discountAmount: input.discountAmount ?? 0,
      orderDiscounts: input.orderDiscounts ?? [],
      orderProducts: input.orderProducts ?? [],
      state: "1",
    };
    state.ecomOrders.push(row);
    return respond(201, { ecomOrder: row });
  }

  function updateOrder(id: string, body: string): SandboxOutcome {
    const order = find(state.ecomOrders, id);
    if (!order) return notFound("ecomOrder", id);
    const parsed = parse(EcomOrderUpdateContract, body);
    if (!parsed.ok) return parsed.outcome;
    Object.assign(order, parsed.data.ecomOrder, { id });
    return respond(200, { ecomOrder: order });
  }

  // --- routing ---

  type Route = [
    method: string,
    pattern: RegExp,
    run: (match: string[], query: URLSearchParams, body: string) => SandboxOutcome,
  ];
  const routes: Route[] = [
    ["POST", /^\/contact\/sync$/, (_m, _q, body) => contactSync(body)],
    ["GET", /^\/contacts$/, (_m, query) => listContacts(query)],
    ["POST", /^\/contacts$/, (_m, _q, body) => contactSync(body, true)],
    [
      "GET",
      /^\/contacts\/(\d+)$/,
      ([id = ""]) => {
        const contact = find(state.contacts, id);
        return contact ? respond(200, { contact }) : notFound("contact", id);
      },
    ],
    ["DELETE", /^\/contacts\/(\d+)$/, ([id = ""]) => deleteContact(id)],
    [
      "GET",
      /^\/contacts\/(\d+)\/contactLists$/,
      ([id = ""], query) =>
        find(state.contacts, id)
          ? page(
              "contactLists",
              state.contactLists.filter((r) => r.contact === id),
              query,
            )
          : notFound("contact", id),
    ],
    [
      "GET",
      /^\/contacts\/(\d+)\/contactTags$/,
      ([id = ""], query) =>
        find(state.contacts, id)
          ? page(
              "contactTags",
              state.contactTags.filter((r) => r.contact === id),
              query,
            )
          : notFound("contact", id),
    ],
    [
      "GET",
      /^\/contacts\/(\d+)\/fieldValues$/,
      ([id = ""], query) =>
        find(state.contacts, id)
          ? page(
              "fieldValues",
              state.fieldValues.filter((r) => r.contact === id),
              query,
            )
          : notFound("contact", id),
    ],
    ["GET", /^\/fields$/, (_m, query) => listFields(query)],
    ["POST", /^\/fields$/, (_m, _q, body) => createField(body)],
    ["POST", /^\/fieldRels$/, (_m, _q, body) => createFieldRel(body)],
    ["GET", /^\/lists$/, (_m, query) => page("lists", state.lists, query)],
    [
      "GET",
      /^\/lists\/(\d+)$/,
      ([id = ""]) => {
        const list = find(state.lists, id);
        return list ? respond(200, { list }) : notFound("List", id);
      },
    ],
    ["POST", /^\/contactLists$/, (_m, _q, body) => setListStatus(body)],
    ["GET", /^\/tags$/, (_m, query) => listTags(query)],
    ["POST", /^\/tags$/, (_m, _q, body) => createTag(body)],
    ["POST", /^\/contactTags$/, (_m, _q, body) => tagContact(body)],
    [
      "DELETE",
      /^\/contactTags\/(\d+)$/,
      ([id = ""]) => {
        if (!find(state.contactTags, id)) return notFound("contactTag", id);
        state.contactTags = state.contactTags.filter((r) => r.id !== id);
        return respond(200, {});
      },
    ],
    [
      "GET",
      /^\/connections$/,
      (_m, query) =>
        page("connections", filtered(state.connections, query, ["service", "externalid"]), query),
    ],
    ["POST", /^\/connections$/, (_m, _q, body) => createConnection(body)],
    [
      "GET",
      /^\/ecomCustomers$/,
      (_m, query) =>
        page(
          "ecomCustomers",
          filtered(state.ecomCustomers, query, ["connectionid", "externalid", "email"]),
          query,
        ),
    ],
    ["POST", /^\/ecomCustomers$/, (_m, _q, body) => createEcomCustomer(body)],
    [
      "GET",
      /^\/ecomOrders$/,
      (_m, query) =>
        page(
          "ecomOrders",
          filtered(state.ecomOrders, query, ["connectionid", "externalid", "email", "state"]),
          query,
        ),
    ],
    ["POST", /^\/ecomOrders$/, (_m, _q, body) => createOrder(body)],
    ["PUT", /^\/ecomOrders\/(\d+)$/, ([id = ""], _q, body) => updateOrder(id, body)],
    [
      "DELETE",
      /^\/ecomOrders\/(\d+)$/,
      ([id = ""]) => {
        if (!find(state.ecomOrders, id)) return notFound("ecomOrder", id);
        state.ecomOrders = state.ecomOrders.filter((r) => r.id !== id);
        return respond(200, {});
      },
    ],
  ];

  /** Sliding window over admitted requests (spec §1: 5 per second per account, no burst). */
  function throttled(at: number): boolean {
    if (rateLimit === false) return false;
    admitted = admitted.filter((time) => time > at - rateLimit.windowMs);
    if (admitted.length >= rateLimit.limit) return true;
    admitted.push(at);
    return false;
  }

  function route(request: SandboxRequest): SandboxOutcome {
    const url = new URL(request.path, "http://sandbox.local");
    if (!url.pathname.startsWith(`${ACTIVECAMPAIGN_API_PREFIX}/`))
      return respond(404, messageError("Not Found"));
    const failure = failures.next();
    if (failure)
      return failureOutcome(failure, (status) => messageError(`sandbox: injected HTTP ${status}`));
    // Spec §1 errors table: a missing or wrong `Api-Token` answers 403, not 401.
    const token = request.headers.get("api-token")?.trim() ?? "";
    if (token === "" || (tokens && !tokens.has(token)))
      return respond(403, messageError("Forbidden"));
    const path = url.pathname.slice(ACTIVECAMPAIGN_API_PREFIX.length);
    for (const [method, pattern, run] of routes) {
      const match = pattern.exec(path);
      if (match && method === request.method)
        return run(match.slice(1), url.searchParams, request.body);
    }
    return respond(404, messageError("Not Found"));
  }

  function handle(request: SandboxRequest): SandboxOutcome {
    const at = now();
    const entry: ActiveCampaignRequestLogEntry = {
      at,
      method: request.method,
      path: request.path.replace(ACTIVECAMPAIGN_API_PREFIX, ""),
      status: 0,
    };
    requests.push(entry);
    let outcome: SandboxOutcome;
    if (throttled(at)) {
      outcome = respond(429, messageError("Too Many Requests"), {
        "retry-after": retryAfter,
        "ratelimit-limit": String(rateLimit === false ? 0 : rateLimit.limit),
        "ratelimit-remaining": "0",
      });
    } else {
      outcome = route(request);
    }
    entry.status = outcome.kind === "respond" ? outcome.response.status : 0;
    return outcome;
  }

  function insert(table: keyof ActiveCampaignState, row: Omit<Row, "id">): string {
    const id = newId();
    state[table].push({ ...row, id });
    return id;
  }

  const sandbox: ActiveCampaignSandbox = {
    name: "activecampaign",
    origin,
    get state() {
      return state;
    },
    get audit() {
      return audit;
    },
    requests,
    handle,
    maxRequestsInWindow(windowMs = 1000) {
      const times = requests.map((r) => r.at).sort((a, b) => a - b);
      let most = 0;
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
        most = Math.max(most, end - start + 1);
      }
      return most;
    },
    failNext: (failure, times) =>
      failures.push(
        parseOptions(SandboxFailureSchema, failure, "ActiveCampaign sandbox failure"),
        times,
      ),
    injectFailure: (failure, times) =>
      failures.push(
        parseOptions(SandboxFailureSchema, failure, "ActiveCampaign sandbox failure"),
        times,
      ),
    seedContact: (contact) =>
      insert("contacts", {
        firstName: "",
        lastName: "",
        phone: "",
        ...contact,
        cdate: stamp(),
        udate: stamp(),
      }),
    seedField: (field) =>
      insert("fields", {
        type: "text",
        ...field,
        perstag: field.perstag.toUpperCase(),
        visible: 1,
      }),
    seedTag: (name) => insert("tags", { tag: name, tagType: "contact", description: "" }),
    seedListStatus(contactId, listId, status) {
      const row = state.contactLists.find((cl) => cl.contact === contactId && cl.list === listId);
      if (row) row.status = String(status);
      else insert("contactLists", { contact: contactId, list: listId, status: String(status) });
    },
    seedContactTag: (contactId, tagId) => insert("contactTags", { contact: contactId, tag: tagId }),
    contactByEmail(email) {
      const contact = state.contacts.find((c) => sameText(c.email, email));
      if (!contact) return undefined;
      const fieldValuesByPerstag: Record<string, string> = {};
      for (const fv of state.fieldValues.filter((row) => row.contact === contact.id)) {
        const field = find(state.fields, String(fv.field));
        if (field) fieldValuesByPerstag[String(field.perstag)] = String(fv.value);
      }
      const tagNames = state.contactTags
        .filter((ct) => ct.contact === contact.id)
        .map((ct) => String(find(state.tags, String(ct.tag))?.tag));
      return { ...contact, fieldValuesByPerstag, tagNames };
    },
    handlers: (at = origin) => mswHandlers(sandbox, at),
    recordedJson: () => ({ state, audit, requests }),
    reset() {
      state = emptyState();
      audit = { blanked: [], resubscribed: [], duplicateTags: [] };
      requests.length = 0;
      admitted = [];
      failures.clear();
      nextId = 1;
      resetLists();
    },
  };
  return sandbox;
}
