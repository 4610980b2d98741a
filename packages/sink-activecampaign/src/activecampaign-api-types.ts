/**
 * ActiveCampaign API v3 request bodies and response shapes, as zod schemas (only what the sink
 * reads; unknown keys are stripped). Section numbers refer to shared/specs/activecampaign.md.
 *
 * @module
 */
import { z } from "zod";

/** Most items per page; the default is 20 (spec §1: many integrations broke on it). */
export const ACTIVECAMPAIGN_PAGE_SIZE = 100;

/** Ids are numbers serialized as strings (spec §1); a number is accepted too. */
const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const optionalText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (value === null || value === undefined ? null : String(value)));

/** `meta.total` of list responses, a string (spec §1). */
export const ListMetaSchema = z
  .object({ total: z.union([z.string(), z.number()]).transform(Number) })
  .partial()
  .optional();

/** A value of a contact custom field in `contact/sync` (spec §2, §3: always a string). */
export interface FieldValueInput {
  field: string;
  value: string;
}

/** The body of `POST /contact/sync` (spec §2): only keys with a value are sent. */
export interface ContactSyncBody {
  contact: {
    email: string;
    firstName?: string;
    lastName?: string;
    phone?: string;
    fieldValues?: FieldValueInput[];
  };
}

export const ContactSchema = z.object({ id, email: optionalText });
export type ActiveCampaignContact = z.infer<typeof ContactSchema>;

/** Answer of `POST /contact/sync` (201 or 200, spec §2). */
export const ContactSyncResponseSchema = z.object({ contact: ContactSchema });

/** Answer of `GET /contacts?email=` (spec §2). */
export const ContactSearchResponseSchema = z.object({
  contacts: z.array(ContactSchema),
  meta: ListMetaSchema,
});

export const FieldSchema = z.object({
  id,
  title: optionalText,
  perstag: optionalText,
  type: optionalText,
});
/** A field's link to a list (`relid`; `0`: every list, spec §3). */
export const FieldRelSchema = z.object({ field: id, relid: id });
export const FieldListResponseSchema = z.object({
  fields: z.array(FieldSchema),
  /** The fields' list links (spec §3: `GET /fields` answers them beside the fields). */
  fieldRels: z.array(FieldRelSchema).optional(),
  meta: ListMetaSchema,
});
export const FieldCreateResponseSchema = z.object({ field: FieldSchema });
export const FieldRelResponseSchema = z.object({ fieldRel: z.object({ id }).optional() });

/** `status`: 1 subscribed, 2 unsubscribed, 91 removed (spec §4). */
export const ContactListSchema = z.object({
  id,
  list: id,
  contact: id.optional(),
  status: z.union([z.string(), z.number()]).transform(String),
});
export const ContactListsResponseSchema = z.object({
  contactLists: z.array(ContactListSchema),
  meta: ListMetaSchema,
});
export const ContactListCreateResponseSchema = z.object({
  contactList: ContactListSchema.partial(),
});

export const ListSchema = z.object({ id, name: optionalText });
export const ListResponseSchema = z.object({ list: ListSchema });

export const TagSchema = z.object({ id, tag: z.string() });
export const TagListResponseSchema = z.object({
  tags: z.array(TagSchema),
  meta: ListMetaSchema,
});
export const TagCreateResponseSchema = z.object({ tag: TagSchema });

export const ContactTagSchema = z.object({ id, tag: id, contact: id.optional() });
export const ContactTagsResponseSchema = z.object({
  contactTags: z.array(ContactTagSchema),
  meta: ListMetaSchema,
});
export const ContactTagCreateResponseSchema = z.object({ contactTag: ContactTagSchema });

export const ConnectionSchema = z.object({ id, service: optionalText, externalid: optionalText });
export const ConnectionListResponseSchema = z.object({
  connections: z.array(ConnectionSchema),
  meta: ListMetaSchema,
});
export const ConnectionCreateResponseSchema = z.object({ connection: ConnectionSchema });

export const EcomCustomerSchema = z.object({ id, externalid: optionalText, email: optionalText });
export const EcomCustomerListResponseSchema = z.object({
  ecomCustomers: z.array(EcomCustomerSchema),
  meta: ListMetaSchema,
});
export const EcomCustomerCreateResponseSchema = z.object({ ecomCustomer: EcomCustomerSchema });

/** One discount line of an order; the sink records each refund as one (spec §6: no negative orders). */
export const OrderDiscountSchema = z.object({
  name: z.string(),
  type: z.string().optional(),
  discountAmount: z.union([z.number(), z.string()]).transform(Number),
});
export type OrderDiscount = z.infer<typeof OrderDiscountSchema>;

export const EcomOrderSchema = z.object({
  id,
  externalid: optionalText,
  totalPrice: z.union([z.number(), z.string()]).transform(Number),
  discountAmount: z
    .union([z.number(), z.string()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? 0 : Number(v))),
  currency: optionalText,
  orderDiscounts: z.array(OrderDiscountSchema).nullish(),
});
export type ActiveCampaignOrder = z.infer<typeof EcomOrderSchema>;
export const EcomOrderListResponseSchema = z.object({
  ecomOrders: z.array(EcomOrderSchema),
  meta: ListMetaSchema,
});
/** Create and update answers use the singular key (spec §6, module-integration #12). */
export const EcomOrderResponseSchema = z.object({ ecomOrder: EcomOrderSchema });

/** One product line of an order (spec §6: prices in cents). */
export interface OrderProductInput {
  externalid: string;
  name: string;
  price: number;
  quantity: number;
  category?: string;
}

/** The body of `POST /ecomOrders` (spec §6). */
export interface EcomOrderBody {
  ecomOrder: {
    externalid: string;
    source: 0 | 1;
    email: string;
    totalPrice: number;
    currency: string;
    connectionid: string;
    customerid: string;
    externalCreatedDate: string;
    orderNumber?: string;
    orderProducts: OrderProductInput[];
    discountAmount?: number;
    orderDiscounts?: Array<{ name: string; type: "order"; discountAmount: number }>;
  };
}

/** Any answer whose body the sink does not read (`DELETE` answers `{}`). */
export const AnyResponseSchema = z.unknown();

/**
 * ActiveCampaign's error bodies, which are not uniform (spec §1 "Error shapes"): `{ errors: [{
 * title, detail, code }] }`, `{ message }`, `{ message, error }`, or `{}`.
 */
export const ErrorBodySchema = z.object({
  errors: z
    .array(
      z.object({
        title: z.string().optional(),
        detail: z.string().optional(),
        code: z.string().optional(),
      }),
    )
    .optional(),
  message: z.string().optional(),
  error: z.string().optional(),
});
