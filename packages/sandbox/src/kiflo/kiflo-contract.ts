/**
 * What the Kiflo emulator accepts, written from Kiflo's public API description (shared/specs/kiflo.md;
 * Kiflo API v3, `https://api.kiflo.com/v3`, Bearer token). Where Kiflo documents no schema, the rule
 * here is the emulator's assumption and says so.
 *
 * @module
 */
import { z } from "zod";

/** The real API origin. */
export const KIFLO_ORIGIN = "https://api.kiflo.com";
/** Every path is under this prefix (Kiflo spec §1). */
export const KIFLO_API_PREFIX = "/v3";
/**
 * Largest `limit` the emulator serves; larger values are clamped. Kiflo does not document its maximum
 * page size (spec: Unknowns), so this is an assumption.
 */
export const KIFLO_MAX_PAGE_SIZE = 100;

/** Property labels Kiflo's Chargebee integration adds (Kiflo's Chargebee page, "Chargebee Properties"). */
export const KIFLO_CHARGEBEE_LABELS = {
  customerId: "ChargeBee Customer ID",
  transactionId: "Chargebee Transaction ID",
  invoiceId: "Chargebee Invoice ID",
} as const;

/** The error body Kiflo answers with (spec §1 "Errors"): `{ errorCode, errorMessage }`. */
export interface KifloErrorBody {
  errorCode: string;
  errorMessage: string;
}

const properties = z.record(z.string(), z.unknown());
const id = z.number().int().positive();

/** `POST /customers` (spec §3). */
export const CreateCustomerContract = z.looseObject({
  properties: properties.optional(),
  partnerId: id.nullable().optional(),
  source: z.string().optional(),
});

/** `PATCH /customers/{id}` (spec §3). */
export const PatchCustomerContract = z.looseObject({
  properties: properties.optional(),
  partnerId: id.nullable().optional(),
  status: z.string().optional(),
  source: z.string().optional(),
});

/** `POST /leads/{id}/convert/customer` (spec §3). */
export const ConvertLeadContract = z.looseObject({
  customer: z.looseObject({
    sourcePartnerId: id.nullable().optional(),
    properties: properties.optional(),
  }),
});

/**
 * `POST /deals/{id}/associate/customer`. Kiflo does not document this body (spec §3); the emulator
 * assumes `{ customerId }`, the field the answer carries.
 */
export const AssociateCustomerContract = z.looseObject({ customerId: id });

/** A customer identifier of `POST /transactions`: exactly one key (spec §3, §5). */
export const CustomerIdentifierContract = z.record(
  z.string(),
  z.union([z.string().min(1), z.number()]),
);

/** `POST /transactions` (spec §3): currency, properties with `name` and `amount`, one customer identifier. */
export const CreateTransactionContract = z.looseObject({
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  properties: z.looseObject({
    name: z.string().min(1),
    // Decimals in major units, invariant culture (spec §1): a JSON number here.
    amount: z.number().finite(),
  }),
  customer: CustomerIdentifierContract.optional(),
  partner: z.looseObject({ id }).optional(),
  deal: z.looseObject({ id }).optional(),
});

/** `PUT /transactions/{id}` (spec §3). */
export const UpdateTransactionContract = z.looseObject({
  id: id.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  properties: z.looseObject({ name: z.string().min(1), amount: z.number().finite() }),
  customerId: id.nullable().optional(),
  dealId: id.nullable().optional(),
  partnerId: id.nullable().optional(),
});
