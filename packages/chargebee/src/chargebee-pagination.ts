/**
 * Offset pagination of Chargebee list APIs (spec §9): pass `next_offset` back verbatim, stop when it
 * is absent. An offset handed back twice would loop forever, so after yielding that page it stops
 * with a typed error instead.
 *
 * @module
 */
import { z } from "zod";
import { apiFailure, toChargebeeApiError } from "./chargebee-api-error.js";

const ListWire = z.object({
  list: z.array(z.record(z.string(), z.unknown())),
  next_offset: z.string().nullish(),
});

/** One page of a list response. */
export interface ListPage {
  list: Record<string, unknown>[];
  nextOffset: string | null;
}

/**
 * Yields the pages of one list, requesting the next only when the previous one was consumed.
 *
 * @throws {ChargebeeApiError} `aborted` when `signal` fired before a request, `invalid_response` for a
 *   body that is not a list, `pagination_loop` when `next_offset` repeats, and whatever the request
 *   failed with.
 */
export async function* paginate(
  operation: string,
  fetchPage: (offset: string | undefined) => Promise<unknown>,
  startOffset: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ListPage> {
  const seen = new Set<string>();
  if (startOffset !== undefined) seen.add(startOffset);
  let offset = startOffset;
  do {
    if (signal?.aborted) {
      throw apiFailure(operation, "aborted", "aborted by the signal", signal.reason);
    }
    let response: unknown;
    try {
      response = await fetchPage(offset);
    } catch (error) {
      throw toChargebeeApiError(error, operation);
    }
    const page = ListWire.safeParse(response);
    if (!page.success) throw apiFailure(operation, "invalid_response", "unexpected list response");
    const nextOffset = page.data.next_offset ?? null;
    yield { list: page.data.list, nextOffset };
    if (nextOffset !== null) {
      if (seen.has(nextOffset)) {
        throw apiFailure(
          operation,
          "pagination_loop",
          "next_offset repeats an offset already followed; stopping instead of looping",
        );
      }
      seen.add(nextOffset);
    }
    offset = nextOffset ?? undefined;
  } while (offset !== undefined);
}
