/**
 * The collect endpoint's body: what `@revtrace/tracker` sends (`CollectBody`), validated and bounded
 * field by field. Nothing from the browser is trusted: lengths, URL schemes and the event count are
 * checked, unknown fields and click-id names are dropped.
 *
 * One bad value does not cost the rest of the body ({@link parseCollectBody}): an optional field that
 * breaks its bounds (a blank `utm_term`, a click id cut inside an emoji, an over-long `_ttp`) is
 * dropped and its event kept; an event that is invalid without it (no http(s) URL, an identify
 * without a valid email or phone) is dropped and the others kept. Each drop is reported. Only a
 * body with no valid event at all, or a broken envelope (`v`, `events`), is refused.
 *
 * @module
 */

import { isStorableText, redactIssues } from "@revtrace/core";
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
  .object(
    Object.fromEntries(CLICK_ID_PARAMS.map((name) => [name, text(500).optional()])) as Record<
      (typeof CLICK_ID_PARAMS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .partial();

const utm = z
  .object(
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

/** One event of a collect body. */
export const CollectEventSchema = z.discriminatedUnion("type", [
  TouchEventSchema,
  IdentifyEventSchema,
]);

/** The envelope of a collect body: its events are checked one by one ({@link parseCollectBody}). */
const EnvelopeSchema = z.object({
  v: z.literal(1),
  events: z.array(z.unknown()).min(1).max(MAX_COLLECT_EVENTS),
  /** A visitor id the page supplies (GA's client id), used only when the pipeline allows it. */
  vid: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1–100 letters, digits, dots, dashes or underscores")
    .optional(),
});

export type ValidTouchEvent = z.infer<typeof TouchEventSchema>;
export type ValidCollectEvent = z.infer<typeof CollectEventSchema>;
export interface ValidCollectBody {
  v: 1;
  events: ValidCollectEvent[];
  vid?: string | undefined;
}

/** What was wrong, where (paths into the body, never values). */
export interface CollectIssue {
  path: string[];
  message: string;
}

/** An issue of a field that was dropped while its event was kept. */
type DroppedIssue = CollectIssue & { field?: true };

/** What {@link parseCollectBody} kept, and what it dropped. */
export type ParsedCollectBody =
  | {
      ok: true;
      body: ValidCollectBody;
      /** Fields dropped from events that were kept, and events dropped whole. */
      dropped: CollectIssue[];
      /** How many events were dropped whole. */
      droppedEvents: number;
      /** How many fields were dropped from events that were kept (and a dropped `vid`). */
      droppedFields: number;
    }
  | { ok: false; issues: CollectIssue[] };

const issuesOf = (error: z.ZodError, prefix: (string | number)[]): CollectIssue[] =>
  redactIssues(error.issues).map((issue) => ({
    path: [...prefix, ...issue.path].map(String),
    message: issue.message,
  }));

/** The fields an event can do without: dropped when they break their bounds. */
const OPTIONAL_FIELDS = new Set([
  "referrer",
  "utm",
  "clickIds",
  "ref",
  "ttp",
  "first",
  "email",
  "phone",
]);

/** Deletes the value at `path` (one field, or one entry of `utm` or `clickIds`). */
function dropAt(event: Record<string, unknown>, path: readonly PropertyKey[]): boolean {
  const [field, entry] = path;
  if (typeof field !== "string" || !OPTIONAL_FIELDS.has(field) || !Object.hasOwn(event, field))
    return false;
  const value = event[field];
  if (
    typeof entry === "string" &&
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, entry)
  ) {
    delete (value as Record<string, unknown>)[entry];
    return true;
  }
  delete event[field];
  return true;
}

/** One event: as it is, without the optional fields that break their bounds, or `null`. */
function parseEvent(
  raw: unknown,
  index: number,
  dropped: DroppedIssue[],
): ValidCollectEvent | null {
  const first = CollectEventSchema.safeParse(raw);
  if (first.success) return first.data;
  let repaired = false;
  // a JSON copy (the body came from JSON.parse): the drops never touch what was parsed
  const copy = JSON.parse(JSON.stringify(raw)) as unknown;
  if (typeof copy === "object" && copy !== null && !Array.isArray(copy)) {
    for (const issue of first.error.issues)
      if (dropAt(copy as Record<string, unknown>, issue.path)) repaired = true;
  }
  const second = repaired ? CollectEventSchema.safeParse(copy) : first;
  if (second.success) {
    dropped.push(
      ...issuesOf(first.error, ["events", index]).map((i) => ({ ...i, field: true as const })),
    );
    return second.data;
  }
  // why its fields went (when any did), then why the event is still invalid without them
  if (repaired) dropped.push(...issuesOf(first.error, ["events", index]));
  dropped.push(...issuesOf(second.error, ["events", index]));
  return null;
}

/**
 * Validates a parsed collect body: the envelope strictly, each event on its own (see the module
 * doc). A `vid` that is not a visitor id is dropped (reported) and the events kept.
 */
export function parseCollectBody(json: unknown): ParsedCollectBody {
  let envelope = EnvelopeSchema.safeParse(json);
  const dropped: DroppedIssue[] = [];
  if (!envelope.success && envelope.error.issues.every((issue) => issue.path[0] === "vid")) {
    dropped.push(...issuesOf(envelope.error, []).map((i) => ({ ...i, field: true as const })));
    const { vid: _vid, ...rest } = json as Record<string, unknown>;
    envelope = EnvelopeSchema.safeParse(rest);
  }
  if (!envelope.success) return { ok: false, issues: issuesOf(envelope.error, []) };
  const events: ValidCollectEvent[] = [];
  let droppedEvents = 0;
  envelope.data.events.forEach((raw, index) => {
    const event = parseEvent(raw, index, dropped);
    if (event) events.push(event);
    else droppedEvents++;
  });
  const plain = dropped.map(({ path, message }) => ({ path, message }));
  if (events.length === 0) return { ok: false, issues: plain };
  const droppedFields = dropped.filter((issue) => issue.field).length;
  return {
    ok: true,
    body: { ...envelope.data, events },
    dropped: plain,
    droppedEvents,
    droppedFields,
  };
}
