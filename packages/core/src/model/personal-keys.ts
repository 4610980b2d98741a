/**
 * The property names that hold personal data, derived from the model's schemas (the fields marked
 * with `personal()`), in camelCase as the model has them and in snake_case as Chargebee and the
 * vendors' raw payloads spell them (`createdFromIp` and `created_from_ip`).
 *
 * @module
 */
import type { z } from "zod";
import { ConversionSchema } from "./conversion.js";
import { personalData } from "./personal-data.js";

/** The zod 4 definition fields the walk follows (wrappers, containers, unions). */
interface WalkableDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): WalkableDef =>
  (schema as unknown as { _zod: { def: WalkableDef } })._zod.def;

/** True when `schema`, or a wrapper around it (optional, nullable, default, …), is marked personal. */
function isPersonal(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current) {
    if (personalData.has(current)) return true;
    current = defOf(current).innerType;
  }
  return false;
}

/** The property names of every personal field reachable from `roots`. */
export function personalKeysOf(roots: readonly z.ZodType[]): Set<string> {
  const keys = new Set<string>();
  const seen = new Set<z.ZodType>();
  const walk = (schema: z.ZodType | undefined): void => {
    if (!schema || seen.has(schema)) return;
    seen.add(schema);
    const def = defOf(schema);
    if (def.shape) {
      for (const [key, field] of Object.entries(def.shape)) {
        if (isPersonal(field)) keys.add(key);
        walk(field);
      }
    }
    for (const inner of [
      def.innerType,
      def.element,
      def.valueType,
      def.in,
      def.out,
      def.left,
      def.right,
    ])
      walk(inner);
    for (const option of def.options ?? []) walk(option);
    if (def.type === "lazy" && def.getter) walk(def.getter());
  };
  for (const root of roots) walk(root);
  return keys;
}

/** `createdFromIp` → `created_from_ip`; `line1` stays `line1`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Every personal property name of the model (a {@link ConversionSchema} reaches the billing event,
 * the Retention event, the touchpoints and the contact), lower-cased, in both spellings.
 */
export const PERSONAL_KEYS: readonly string[] = Object.freeze(
  [...personalKeysOf([ConversionSchema])]
    .flatMap((key) => [key.toLowerCase(), snakeCase(key)])
    .filter((key, i, all) => all.indexOf(key) === i)
    .sort(),
);
