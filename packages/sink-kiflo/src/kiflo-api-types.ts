/**
 * The parts of Kiflo API v3 answers the sink reads (shared/specs/kiflo.md §2–§3), as zod schemas.
 * Kiflo's published schemas are untyped, so these are loose: unknown fields are kept, only what the
 * sink relies on is required. Ids are integers.
 *
 * @module
 */
import { z } from "zod";

const id = z.number().int();
const properties = z.record(z.string(), z.unknown());

/** A property definition (`GET /{entity}/properties`). */
export const KifloPropertyDefinitionSchema = z.looseObject({
  name: z.string().min(1),
  label: z.string(),
  isCustom: z.boolean().optional(),
});
export type KifloPropertyDefinition = z.infer<typeof KifloPropertyDefinitionSchema>;
export const KifloPropertyDefinitionsSchema = z.array(KifloPropertyDefinitionSchema);

export const KifloCustomerSchema = z.looseObject({
  id,
  properties: properties.nullish(),
  sourcePartnerId: id.nullish(),
  isDeleted: z.boolean().nullish(),
});
export type KifloCustomer = z.infer<typeof KifloCustomerSchema>;

export const KifloLeadSchema = z.looseObject({
  id,
  properties: properties.nullish(),
  partnerId: id.nullish(),
  sourcePartnerId: id.nullish(),
  status: z.string().nullish(),
  customerId: id.nullish(),
  dealId: id.nullish(),
  creationDate: z.string().nullish(),
});
export type KifloLead = z.infer<typeof KifloLeadSchema>;

export const KifloDealSchema = z.looseObject({
  id,
  contactId: id.nullish(),
  sourcePartnerId: id.nullish(),
  customerId: id.nullish(),
});
export type KifloDeal = z.infer<typeof KifloDealSchema>;

export const KifloContactSchema = z.looseObject({ id, properties: properties.nullish() });
export type KifloContact = z.infer<typeof KifloContactSchema>;

export const KifloTransactionSchema = z.looseObject({
  id,
  properties: properties.nullish(),
  customerId: id.nullish(),
  /** Set by Kiflo from the customer's source partner (spec §4); sent back on `PUT` (spec §3). */
  partnerId: id.nullish(),
  dealId: id.nullish(),
  currency: z.string().nullish(),
  isDeleted: z.boolean().nullish(),
});
export type KifloTransaction = z.infer<typeof KifloTransactionSchema>;

/** A list answer: `{ items, paginationSkipCount, totalCount }` (spec §1). */
export function kifloPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    items: z.array(item),
    paginationSkipCount: z.number().int().nullish(),
    totalCount: z.number().int().nullish(),
  });
}

/** Kiflo's error body (spec §1): `{ errorCode, errorMessage }`. */
export const KifloErrorBodySchema = z.looseObject({
  errorCode: z.string(),
  errorMessage: z.string().nullish(),
});
export type KifloErrorBody = z.infer<typeof KifloErrorBodySchema>;

/** `POST /customers`. */
export interface KifloCreateCustomerRequest {
  properties: Record<string, string>;
  partnerId?: number;
  source: string;
}

/** `POST /leads/{id}/convert/customer`. */
export interface KifloConvertLeadRequest {
  customer: { sourcePartnerId?: number; properties: Record<string, string> };
}

/** `POST /deals/{id}/associate/customer`: undocumented body; `{ customerId }` is assumed. */
export interface KifloAssociateCustomerRequest {
  customerId: number;
}

/** `POST /transactions`: currency, properties, exactly one customer identifier (spec §3, §5). */
export interface KifloCreateTransactionRequest {
  currency: string;
  properties: { name: string; amount: number } & Record<string, string | number>;
  customer: { id: number };
}

/** `PUT /transactions/{id}`. */
export interface KifloUpdateTransactionRequest {
  id: number;
  currency: string;
  properties: { name: string; amount: number } & Record<string, string | number>;
  customerId: number;
  /** The transaction's partner and deal as Kiflo set them (spec §3 PUT body), when it has them. */
  partnerId?: number;
  dealId?: number;
}
