import {
  type InboxEvent,
  type InboxStore,
  parseOutboxId,
  type QuarantinedBody,
  storageJson,
} from "@revtrace/core";
import type { MemoryOutbox } from "./memory-outbox-store.js";

const copyEvent = (event: InboxEvent): InboxEvent => ({
  ...event,
  event: structuredClone(event.event),
});
const copyBody = (body: QuarantinedBody): QuarantinedBody => ({
  ...body,
  error: structuredClone(body.error),
});

/**
 * The inbox in arrays in seq (and id) order, events indexed by key. `ingest` converts everything
 * before it changes anything, then claims, stores and enqueues in one synchronous step: atomic, and
 * concurrent ingests of a key never interleave.
 */
export function createMemoryInboxStore(
  outbox: Pick<MemoryOutbox, "prepare" | "commit">,
): InboxStore {
  const events: InboxEvent[] = [];
  const byKey = new Map<string, InboxEvent>();
  const quarantined: QuarantinedBody[] = [];

  return {
    async ingest(input, work) {
      // Converted first, duplicate or not (as the durable engines do): a failure changes nothing.
      const event = JSON.parse(storageJson(input.event, "event.event")) as unknown;
      const prepared = outbox.prepare(work, "work");
      const claimed = byKey.get(input.key);
      if (claimed) {
        claimed.duplicates++;
        return { duplicate: true };
      }
      outbox.commit(prepared, input.receivedAt);
      const stored: InboxEvent = {
        key: input.key,
        source: input.source,
        type: input.type,
        receivedAt: input.receivedAt,
        rawBody: input.rawBody,
        event,
        seq: events.length + 1,
        duplicates: 0,
      };
      events.push(stored);
      byKey.set(stored.key, stored);
      return { duplicate: false };
    },
    async getInboxEvent(key) {
      const event = byKey.get(key);
      return event ? copyEvent(event) : null;
    },
    async listInboxEvents({ afterSeq = 0, source, limit }) {
      const out: InboxEvent[] = [];
      for (let i = afterSeq; i < events.length && out.length < limit; i++) {
        const event = events[i] as InboxEvent;
        if (source === undefined || event.source === source) out.push(copyEvent(event));
      }
      return out;
    },
    async quarantine(body) {
      const error = JSON.parse(storageJson(body.error, "body.error")) as QuarantinedBody["error"];
      const id = String(quarantined.length + 1);
      quarantined.push({
        id,
        source: body.source,
        receivedAt: body.receivedAt,
        rawBody: body.rawBody,
        contentType: body.contentType,
        error,
        resolvedAt: null,
      });
      return id;
    },
    async listQuarantine({ afterId = "0", includeResolved = false, limit }) {
      const out: QuarantinedBody[] = [];
      for (let i = Number(afterId); i < quarantined.length && out.length < limit; i++) {
        const body = quarantined[i] as QuarantinedBody;
        if (includeResolved || body.resolvedAt === null) out.push(copyBody(body));
      }
      return out;
    },
    async resolveQuarantine(id, now) {
      const n = parseOutboxId(id);
      const body = n === null ? undefined : quarantined[n - 1];
      if (!body || body.resolvedAt !== null) return false;
      body.resolvedAt = now;
      return true;
    },
  };
}
