/**
 * Personal data, marked on the model's own schemas: every field that holds information about a person
 * is registered in {@link personalData} with its kind. Redaction (`redact()` in the logger) derives its
 * key set from these marks, so a personal field added to the model is masked in logs without a second
 * list to keep in sync.
 *
 * @module
 */
import { z } from "zod";

/** What kind of personal data a field holds. */
export type PersonalDataKind =
  | "email"
  | "phone"
  | "name"
  | "address"
  | "organization"
  | "network"
  | "device"
  | "free_text";

/** The registry of personal fields: schema → `{ personal: kind }`. */
export const personalData = z.registry<{ personal: PersonalDataKind }>();

/** Marks `schema` (a fresh instance: a registry entry is per schema object) as personal data of `kind`. */
export function personal<S extends z.ZodType>(schema: S, kind: PersonalDataKind): S {
  personalData.add(schema, { personal: kind });
  return schema;
}
