/**
 * Code 20001 ("Partial OK"): TikTok accepted the request but dropped some of its events. TikTok spec
 * §6 says to treat it as delivered and to "log message/data for the rejected part" — the spec records
 * no shape for that `data` (nor does any source it cites). This module reads the events the answer
 * names as failed, from the two places an answer can name them:
 *
 * - `data.failed_events[]`, each with the event's 0-based `index` in `data[]` (and a `message` or
 *   `reason`): the shape `@revtrace/sandbox`'s TikTok emulator answers, also accepted as
 *   `event_index` / `batch_index`;
 * - `Batch.N` in the message, the index notation of TikTok's validation messages (spec §5).
 *
 * An answer that names no event leaves every event delivered, as the spec says, and the sink warns.
 *
 * @module
 */
import { z } from "zod";
import type { TikTokResponse } from "./tiktok-api-types.js";
import { refusedIndexes } from "./tiktok-error.js";

/** One event a 20001 answer reports as failed: its 0-based index in the request's `data[]`. */
export interface TikTokFailedEvent {
  index: number;
  /** TikTok's reason, when it gives one (not yet redacted). */
  message: string | undefined;
}

const index = z.number().int().nonnegative();

const FailedEventSchema = z
  .object({
    index: index.optional(),
    event_index: index.optional(),
    batch_index: index.optional(),
    message: z.string().optional(),
    reason: z.string().optional(),
  })
  .transform((event) => ({
    index: event.index ?? event.event_index ?? event.batch_index,
    message: event.message ?? event.reason,
  }));

const PartialDataSchema = z.object({ failed_events: z.array(z.unknown()) });

/**
 * The events of a request of `size` events that a 20001 answer names as failed, sorted by index,
 * without duplicates, only indexes inside the request. Empty when the answer names none.
 */
export function failedEventsOf(answer: TikTokResponse, size: number): TikTokFailedEvent[] {
  const failed = new Map<number, string | undefined>();
  const data = PartialDataSchema.safeParse(answer.data);
  if (data.success) {
    for (const raw of data.data.failed_events) {
      const event = FailedEventSchema.safeParse(raw);
      if (!event.success || event.data.index === undefined || event.data.index >= size) continue;
      if (!failed.has(event.data.index)) failed.set(event.data.index, event.data.message);
    }
  }
  for (const position of refusedIndexes(answer.message, size)) {
    if (!failed.has(position)) failed.set(position, undefined);
  }
  return [...failed.entries()]
    .sort(([a], [b]) => a - b)
    .map(([position, message]) => ({ index: position, message }));
}
