/**
 * Replay missed webhooks from the List Events API (spec §9): every event parsed like a webhook,
 * oldest first, with an `onInvalidEvent` hook so one bad event does not stop a replay.
 *
 * @module
 */
import { type BillingEvent, type Logger, parseOptions, WebhookPayloadError } from "@revtrace/core";
import type Chargebee from "chargebee";
import { z } from "zod";
import { compact, PageSizeSchema, SignalSchema } from "./chargebee-api-options.js";
import { paginate } from "./chargebee-pagination.js";
import type { ChargebeeEventPage, ChargebeeParser } from "./chargebee-parse.js";

/** Filters of `replayEvents` and `listEventPages`. */
export interface ReplayOptions {
  /** Only these event types (`event_type[in]`). @default all types */
  types?: readonly string[];
  /** Only events that occurred strictly after this time (epoch ms; Chargebee resolves to seconds). */
  occurredAfter?: number;
  /** Only events that occurred strictly before this time (epoch ms). */
  occurredBefore?: number;
  /** Events per request, 1–100 (spec §9). @default 100 */
  pageSize?: number;
  /** Stop after this many events. @default no limit */
  limit?: number;
  /** Resume from a `nextOffset` returned by an earlier page. */
  startOffset?: string;
  /**
   * Called for an event that fails validation, which is then skipped. Without it, the first invalid
   * event stops the replay with its `WebhookPayloadError`.
   */
  onInvalidEvent?: (error: WebhookPayloadError, eventId: string | null) => void;
  /** Checked before each request. */
  signal?: AbortSignal;
}

const epochMs = z.int().min(0).optional();

const ReplaySchema = z.strictObject({
  types: z.array(z.string().min(1)).optional(),
  occurredAfter: epochMs,
  occurredBefore: epochMs,
  pageSize: PageSizeSchema,
  limit: z.int().positive().optional(),
  startOffset: z.string().min(1).optional(),
  onInvalidEvent: z
    .custom<ReplayOptions["onInvalidEvent"]>((v) => typeof v === "function")
    .optional(),
  signal: SignalSchema,
});

/** Epoch ms → unix seconds for `occurred_at` filters: strictly-after / strictly-before semantics. */
function occurredAtFilter(
  after: number | undefined,
  before: number | undefined,
): { between?: [number, number]; after?: number; before?: number } | undefined {
  if (after !== undefined && before !== undefined) {
    // `between` is inclusive on both ends (whole seconds).
    return { between: [Math.floor(after / 1000) + 1, Math.ceil(before / 1000) - 1] };
  }
  if (after !== undefined) return { after: Math.floor(after / 1000) };
  if (before !== undefined) return { before: Math.ceil(before / 1000) };
  return undefined;
}

/** The id of a raw event, for logs and `onInvalidEvent`. */
function eventIdOf(event: unknown): string | null {
  const id = typeof event === "object" && event !== null ? (event as { id?: unknown }).id : null;
  return typeof id === "string" ? id : null;
}

/** The List Events pages of `client`, each event parsed with `parser`. */
export async function* listEventPages(
  client: Chargebee,
  parser: ChargebeeParser,
  logger: Logger,
  input: ReplayOptions = {},
): AsyncGenerator<ChargebeeEventPage> {
  const filter = parseOptions(ReplaySchema, input, "replay options");
  const occurredAt = occurredAtFilter(filter.occurredAfter, filter.occurredBefore);
  let remaining = filter.limit ?? Number.POSITIVE_INFINITY;
  const pages = paginate(
    "list events",
    (offset) =>
      client.event.list(
        compact({
          limit: Math.min(filter.pageSize, remaining),
          offset,
          "sort_by[asc]": "occurred_at",
          event_type: filter.types ? { in: [...filter.types] } : undefined,
          occurred_at: occurredAt,
        }),
      ),
    filter.startOffset,
    filter.signal,
  );
  for await (const page of pages) {
    const events: BillingEvent[] = [];
    // `limit` counts the events read, including skipped invalid ones.
    const entries = page.list.slice(0, remaining);
    for (const entry of entries) {
      try {
        events.push(parser.parse(entry.event as object));
      } catch (error) {
        if (!WebhookPayloadError.isInstance(error) || filter.onInvalidEvent === undefined) {
          throw error;
        }
        const eventId = eventIdOf(entry.event);
        logger.warn({ eventId }, "Skipped an invalid Chargebee event during replay");
        filter.onInvalidEvent(error, eventId);
      }
    }
    remaining -= entries.length;
    const done = remaining <= 0;
    yield { events, nextOffset: page.nextOffset };
    if (done) return;
  }
}
