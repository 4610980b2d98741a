/**
 * The documented contract of the ActiveCampaign API v3 endpoints revtrace uses, as zod schemas the
 * emulator validates every request body against, and the error bodies ActiveCampaign answers with.
 * Written from shared/specs/activecampaign.md (section numbers below), independently of
 * `@revtrace/sink-activecampaign`, so that a misreading in the sink is caught here rather than
 * repeated. Where the spec marks a behaviour unknown, the choice made here is named as such.
 *
 * @module
 */
import { z } from "zod";

/** The emulated account's origin (spec §1: the real one is per account, `<account>.api-us1.com`). */
export const ACTIVECAMPAIGN_ORIGIN = "https://sandbox.api-us1.com";

/** Every endpoint lives under this prefix (spec §1). */
export const ACTIVECAMPAIGN_API_PREFIX = "/api/3";

/** The account limit: 5 requests a second, shared by every API key (spec §1). */
export const ACTIVECAMPAIGN_RATE_LIMIT = { limit: 5, windowMs: 1000 } as const;

/** Default and largest page size of list endpoints (spec §1). */
export const ACTIVECAMPAIGN_DEFAULT_PAGE = 20;
export const ACTIVECAMPAIGN_MAX_PAGE = 100;

/** Field types `POST /fields` accepts (spec §3). */
export const ACTIVECAMPAIGN_FIELD_TYPES = [
  "text",
  "textarea",
  "date",
  "datetime",
  "dropdown",
  "multiselect",
  "listbox",
  "checkbox",
  "radio",
  "hidden",
] as const;

/** A numeric id, sent as a number or a numeric string (spec §1: ids are numbers as strings). */
export const IdContract = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+$/, "must be a numeric id"),
]);

/** `POST /contact/sync` (spec §2): `email` is the only required property; values are strings. */
export const ContactSyncContract = z.object({
  contact: z.object({
    email: z.email("must be an email address"),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    phone: z.string().optional(),
    fieldValues: z.array(z.object({ field: IdContract, value: z.string() })).optional(),
  }),
});

/** `POST /fields` (spec §3): `title` and `type` required. */
export const FieldContract = z.object({
  field: z.object({
    title: z.string().min(1),
    type: z.enum(ACTIVECAMPAIGN_FIELD_TYPES),
    perstag: z.string().min(1).optional(),
    descript: z.string().optional(),
    defval: z.string().optional(),
    visible: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
});

/** `POST /fieldRels` (spec §3): `relid: 0` relates the field to every list. */
export const FieldRelContract = z.object({
  fieldRel: z.object({
    field: IdContract,
    relid: z.union([z.literal(0), z.literal("0"), IdContract]),
  }),
});

/** `POST /contactLists` (spec §4): status 1 subscribes, 2 unsubscribes. */
export const ContactListContract = z.object({
  contactList: z.object({
    list: IdContract,
    contact: IdContract,
    status: z.union([z.literal(1), z.literal(2), z.literal("1"), z.literal("2")]),
    sourceid: z.number().int().optional(),
  }),
});

/** `POST /tags` (spec §5). */
export const TagContract = z.object({
  tag: z.object({
    tag: z.string().min(1),
    tagType: z.enum(["contact", "template"]),
    description: z.string().optional(),
  }),
});

/** `POST /contactTags` (spec §5). */
export const ContactTagContract = z.object({
  contactTag: z.object({ contact: IdContract, tag: IdContract }),
});

/** `POST /connections` (spec §6): service, externalid, name, logoUrl, linkUrl required. */
export const ConnectionContract = z.object({
  connection: z.object({
    service: z.string().min(1),
    externalid: z.string().min(1),
    name: z.string().min(1),
    logoUrl: z.url(),
    linkUrl: z.url(),
    listId: IdContract.optional(),
  }),
});

/** `POST /ecomCustomers` (spec §6). */
export const EcomCustomerContract = z.object({
  ecomCustomer: z.object({
    connectionid: IdContract,
    externalid: z.string().min(1),
    email: z.email(),
    acceptsMarketing: z.enum(["0", "1"]).optional(),
  }),
});

/** Integer cents, never negative (spec §6). */
const cents = z.number().int("must be integer cents").nonnegative("must not be negative");

const OrderProductContract = z.object({
  externalid: z.string().min(1),
  name: z.string().min(1),
  price: cents,
  quantity: z.number().int().positive(),
  category: z.string().optional(),
  sku: z.string().optional(),
  description: z.string().optional(),
  imageUrl: z.url().optional(),
  productUrl: z.url().optional(),
});

const OrderDiscountContract = z.object({
  name: z.string().min(1),
  type: z.enum(["order", "shipping"]),
  discountAmount: cents,
});

/** ISO-8601 date-time, with `Z` or an offset (spec §6 `externalCreatedDate`). */
const isoDateTime = z.iso.datetime({ offset: true });

const orderShape = {
  externalid: z.string().min(1),
  /** 1 = real time, 0 = historical (spec §6). */
  source: z.union([z.literal(0), z.literal(1), z.literal("0"), z.literal("1")]),
  email: z.email(),
  totalPrice: cents,
  currency: z.string().regex(/^[A-Za-z]{3}$/, "must be a 3-letter ISO code"),
  connectionid: IdContract,
  customerid: IdContract,
  externalCreatedDate: isoDateTime,
  externalUpdatedDate: isoDateTime.optional(),
  orderNumber: z.string().optional(),
  orderUrl: z.url().optional(),
  shippingMethod: z.string().optional(),
  shippingAmount: cents.optional(),
  taxAmount: cents.optional(),
  discountAmount: cents.optional(),
  orderProducts: z.array(OrderProductContract).optional(),
  orderDiscounts: z.array(OrderDiscountContract).optional(),
};

/** `POST /ecomOrders` (spec §6): completed orders only (no cart fields). */
export const EcomOrderContract = z.object({ ecomOrder: z.object(orderShape) });

/** `PUT /ecomOrders/{id}` (spec §6): any subset of the order. */
export const EcomOrderUpdateContract = z.object({ ecomOrder: z.object(orderShape).partial() });

/** A 422 body in ActiveCampaign's JSON:API-like shape (spec §1 "Error shapes"). */
export function validationError(issues: readonly z.core.$ZodIssue[]): string {
  return JSON.stringify({
    errors: issues.map((issue) => ({
      title: issue.message,
      detail: "",
      code: "field_invalid",
      source: { pointer: `/data/attributes/${issue.path.map(String).join("/")}` },
    })),
  });
}

/** `{ errors: [{ title, detail, code }] }` (spec §1). */
export function titledError(title: string, code: string, detail = ""): string {
  return JSON.stringify({ errors: [{ title, detail, code }] });
}

/** `{ message }` (spec §1: 404 and 403 bodies). */
export function messageError(message: string): string {
  return JSON.stringify({ message });
}
