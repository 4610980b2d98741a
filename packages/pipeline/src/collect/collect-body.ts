/**
 * The collect endpoint's body: what `@revtrace/tracker` sends (`CollectBody`), validated and bounded
 * field by field. Nothing from the browser is trusted: lengths, URL schemes and the event count are
 * checked, unknown fields are dropped.
 *
 * @module
 */

import { isStorableText } from "@revtrace/core";
import { CLICK_ID_PARAMS, UTM_PARAMS } from "@revtrace/tracker";
import { z } from "zod";

/** At most this many events per request (the tracker sends one or a few). */
export const MAX_COLLECT_EVENTS = 50;
/** The tracker stays under 64 KB (keepalive and beacon limit); larger bodies are refused with 413. */
export const MAX_COLLECT_BYTES = 64 * 1024;

/**
 * U+0000 or a lone UTF-16 surrogate: no storage engine holds them (core's storage input rules), so a
 * touchpoint carrying one would be acknowledged and then fail in the worker every time.
 */
const STORABLE = "must not contain U+0000 or a lone UTF-16 surrogate";
const storable = isStorableText;

const text = (max: number) => z.string().trim().min(1).max(max).refine(storable, STORABLE);

/** An absolute http(s) URL: nothing else (no `javascript:`, `data:` or relative URLs) is stored. */
const httpUrl = z
  .string()
  .max(2_048)
  .refine(storable, STORABLE)
  .refine((value) => {
    try {
      const { protocol } = new URL(value);
      return protocol === "http:" || protocol === "https:";
    } catch {
      return false;
    }
  }, "must be an absolute http(s) URL");

const clickIds = z
  .strictObject(
    Object.fromEntries(CLICK_ID_PARAMS.map((name) => [name, text(500).optional()])) as Record<
      (typeof CLICK_ID_PARAMS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .partial();

const utm = z
  .strictObject(
    Object.fromEntries(UTM_PARAMS.map((name) => [name, text(500).optional()])) as Record<
      (typeof UTM_PARAMS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .partial();

/** Epoch milliseconds as the browser saw them (only used to order a batch; the server clock rules). */
const at = z.number().int().nonnegative().max(8_640_000_000_000_000);

export const TouchEventSchema = z.object({
  type: z.literal("touch"),
  at,
  url: httpUrl,
  referrer: httpUrl.optional(),
  utm: utm.optional(),
  clickIds: clickIds.optional(),
  ref: text(200).optional(),
  ttp: text(200).optional(),
  first: z.literal(true).optional(),
});

export const IdentifyEventSchema = z
  .object({
    type: z.literal("identify"),
    at,
    email: text(254).optional(),
    phone: text(40).optional(),
  })
  .refine((event) => event.email !== undefined || event.phone !== undefined, {
    message: "an identify needs an email or a phone",
  });

export const CollectBodySchema = z.object({
  v: z.literal(1),
  events: z
    .array(z.discriminatedUnion("type", [TouchEventSchema, IdentifyEventSchema]))
    .min(1)
    .max(MAX_COLLECT_EVENTS),
  /** A visitor id the page supplies (GA's client id), used only when the pipeline allows it. */
  vid: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1–100 letters, digits, dots, dashes or underscores")
    .optional(),
});
export type ValidCollectBody = z.infer<typeof CollectBodySchema>;
export type ValidTouchEvent = z.infer<typeof TouchEventSchema>;
