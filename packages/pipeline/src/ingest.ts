/**
 * The one durable write of an inbound event: parse, then in a single `ingest` transaction claim its
 * dedupe key, store the raw body and the normalized event, and enqueue the worker's item. A body that
 * fails validation is quarantined (raw body + error) instead, and so is one that cannot be stored for
 * a reason of its own: bytes that are not UTF-8 (kept in base64), JSON nested deeper than
 * {@link MAX_JSON_DEPTH}, or anything else storage refuses as invalid input. Shared by the webhook
 * handlers and every replay, so replays go through exactly the same path.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { ChargebeeParser } from "@revtrace/chargebee";
import { parseRetentionEvent } from "@revtrace/chargebee";
import {
  type Clock,
  createRecentMap,
  redactIssues,
  StorageError,
  WebhookPayloadError,
} from "@revtrace/core";
import type { CollectBatch } from "./collect/collect-batch.js";
import { jsonDepthExceeds } from "./json-depth.js";
import type { MetricsRegistry } from "./metrics.js";
import type { PipelineStorage } from "./pipeline-options.js";
import { WORK_QUEUE, type WorkPayload } from "./work-item.js";

/** The outcome of {@link Ingestor.ingest}. */
export type IngestOutcome =
  | { kind: "stored"; key: string; type: string; duplicate: boolean }
  | { kind: "quarantined"; error: WebhookPayloadError; quarantineId: string };

/** Where a body came from. */
export type InboundSource = "chargebee" | "retention";

export interface Ingestor {
  /**
   * Parses and stores one body. Storage failures throw (`StorageError`); a body that fails validation
   * or cannot be stored as it is (not UTF-8, too deep, refused by storage as input) is quarantined and
   * returned as such (unless `quarantine: false`, then a `WebhookPayloadError` is thrown). A body this
   * process quarantined already is not quarantined again (Chargebee retries a 400).
   */
  ingest(
    source: InboundSource,
    body: Uint8Array | string,
    meta: { contentType: string | null; quarantine?: boolean },
  ): Promise<IngestOutcome>;
  /**
   * Stores what one collect request brought (deduplicated on the batch id: a beacon sent twice is one
   * batch) with the raw body, and enqueues its work, in the same group-committed write as webhooks.
   */
  ingestCollect(batch: CollectBatch, rawBody: string): Promise<{ duplicate: boolean }>;
}

// The raw body is kept as received, a byte-order mark included (the parser skips one itself).
const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The deepest nesting of objects and arrays an inbound body may have. A Chargebee event nests a few
 * levels (custom `meta_data` a few more); a body nested deeper cannot be stored faithfully by every
 * engine (JSON serialization runs out of stack), so it is refused as invalid input and quarantined.
 */
export const MAX_JSON_DEPTH = 256;

/** How quarantined bodies that had to be re-encoded are marked in their error message. */
export const BASE64_MARKER = "the quarantined rawBody holds the received bytes in base64";

/** How many body digests this process remembers to quarantine a retried body once. */
const QUARANTINE_MEMORY = 1000;

const LABELS: Record<InboundSource, string> = {
  chargebee: "Chargebee webhook body",
  retention: "Chargebee Retention webhook body",
};

/** The dedupe key of a Retention event: its `messageId`, else a digest of the body. */
function retentionId(messageId: string | null, raw: string): string {
  return messageId ?? `sha256-${createHash("sha256").update(raw).digest("hex").slice(0, 32)}`;
}

export function createIngestor(options: {
  storage: PipelineStorage;
  parser: ChargebeeParser;
  metrics: MetricsRegistry;
  now: Clock;
  onStored: () => void;
}): Ingestor {
  const { storage, parser, metrics, now } = options;
  /** Digest of a quarantined body → its quarantine id: a retried body is quarantined once. */
  const quarantined = createRecentMap<string, string>(QUARANTINE_MEMORY);

  const quarantine = async (
    source: InboundSource,
    receivedAt: number,
    rawBody: string,
    meta: { contentType: string | null },
    error: WebhookPayloadError,
    { base64 = false } = {},
  ): Promise<IngestOutcome> => {
    const digest = createHash("sha256")
      .update(`${source}\n${base64 ? "base64" : "text"}\n${meta.contentType ?? ""}\n`)
      .update(rawBody)
      .digest("hex");
    const known = quarantined.get(digest);
    if (known !== undefined) return { kind: "quarantined", error, quarantineId: known };
    const write = (body: string, encoded: boolean) =>
      storage.quarantine({
        source,
        receivedAt,
        rawBody: body,
        contentType: meta.contentType,
        error: {
          code: error.code,
          message: encoded ? `${error.message}; ${BASE64_MARKER}` : error.message,
          issues: redactIssues([...error.issues]),
        },
      });
    let quarantineId: string;
    try {
      quarantineId = await write(rawBody, base64);
    } catch (failure) {
      // Text the engine cannot hold as it is: kept as its UTF-8 bytes in base64 instead.
      if (base64 || !StorageError.isInstance(failure) || !failure.invalidInput) throw failure;
      quarantineId = await write(Buffer.from(rawBody, "utf8").toString("base64"), true);
    }
    metrics.quarantined++;
    quarantined.set(digest, quarantineId);
    return { kind: "quarantined", error, quarantineId };
  };

  return {
    async ingest(source, body, meta) {
      const receivedAt = now();
      let rawBody: string;
      if (typeof body === "string") rawBody = body;
      else {
        try {
          rawBody = text.decode(body);
        } catch {
          // Nothing Chargebee sent is lost: the bytes are quarantined in base64.
          const error = new WebhookPayloadError(`${LABELS[source]}: not valid UTF-8`);
          if (meta.quarantine === false) throw error;
          return quarantine(source, receivedAt, Buffer.from(body).toString("base64"), meta, error, {
            base64: true,
          });
        }
      }
      let key: string;
      let type: string;
      let event: unknown;
      try {
        if (jsonDepthExceeds(rawBody, MAX_JSON_DEPTH)) {
          throw new WebhookPayloadError(
            `${LABELS[source]}: nested deeper than ${MAX_JSON_DEPTH} levels`,
          );
        }
        if (source === "chargebee") {
          const parsed = parser.parse(rawBody);
          key = `chargebee:${parsed.id}`;
          type = parsed.type;
          event = parsed;
        } else {
          const parsed = parseRetentionEvent(rawBody);
          key = `retention:${retentionId(parsed.messageId, rawBody)}`;
          type = parsed.type;
          event = parsed;
        }
      } catch (error) {
        if (!WebhookPayloadError.isInstance(error) || meta.quarantine === false) throw error;
        return quarantine(source, receivedAt, rawBody, meta, error);
      }
      const work: WorkPayload = { key, source };
      let duplicate: boolean;
      try {
        ({ duplicate } = await storage.ingest({ key, source, type, receivedAt, rawBody, event }, [
          { sink: WORK_QUEUE, idempotencyKey: key, payload: work },
        ]));
      } catch (error) {
        // Refused as input (a value JSON or the engine cannot hold): the body's own fault, so
        // retrying cannot help. An engine failure stays a StorageError (500, Chargebee retries).
        if (!StorageError.isInstance(error) || !error.invalidInput) throw error;
        const refused = new WebhookPayloadError(
          `${LABELS[source]}: cannot be stored (${error.message})`,
          { cause: error },
        );
        if (meta.quarantine === false) throw refused;
        return quarantine(source, receivedAt, rawBody, meta, refused);
      }
      if (duplicate) metrics.duplicates++;
      else {
        metrics.received++;
        metrics.enqueued(WORK_QUEUE, key, receivedAt);
        options.onStored();
      }
      return { kind: "stored", key, type, duplicate };
    },

    async ingestCollect(batch, rawBody) {
      const key = `tracker:${batch.id}`;
      const work: WorkPayload = { key, source: "tracker" };
      const { duplicate } = await storage.ingest(
        { key, source: "tracker", type: "collect", receivedAt: batch.at, rawBody, event: batch },
        [{ sink: WORK_QUEUE, idempotencyKey: key, payload: work }],
      );
      // Counted by the collect handler (`collect.*`), never as webhooks.
      if (!duplicate) {
        metrics.enqueued(WORK_QUEUE, key, batch.at);
        options.onStored();
      }
      return { duplicate };
    },
  };
}
