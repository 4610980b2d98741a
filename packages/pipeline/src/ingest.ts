/**
 * The one durable write of an inbound event: parse, then in a single `ingest` transaction claim its
 * dedupe key, store the raw body and the normalized event, and enqueue the worker's item. A body that
 * fails validation is quarantined (raw body + error) instead. Shared by the webhook handlers and every
 * replay, so replays go through exactly the same path.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { ChargebeeParser } from "@revtrace/chargebee";
import { parseRetentionEvent } from "@revtrace/chargebee";
import { type Clock, redactIssues, WebhookPayloadError } from "@revtrace/core";
import type { CollectBatch } from "./collect/collect-batch.js";
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
   * is quarantined and returned as such (unless `quarantine: false`, then the error is thrown).
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
  ingestCollect(batch: CollectBatch, rawBody: string): Promise<void>;
}

const text = new TextDecoder("utf-8");

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
  return {
    async ingest(source, body, meta) {
      const rawBody = typeof body === "string" ? body : text.decode(body);
      const receivedAt = now();
      let key: string;
      let type: string;
      let event: unknown;
      try {
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
        const quarantineId = await storage.quarantine({
          source,
          receivedAt,
          rawBody,
          contentType: meta.contentType,
          error: {
            code: error.code,
            message: error.message,
            issues: redactIssues([...error.issues]),
          },
        });
        metrics.quarantined++;
        return { kind: "quarantined", error, quarantineId };
      }
      const work: WorkPayload = { key, source };
      const { duplicate } = await storage.ingest(
        { key, source, type, receivedAt, rawBody, event },
        [{ sink: WORK_QUEUE, idempotencyKey: key, payload: work }],
      );
      if (duplicate) metrics.duplicates++;
      else {
        metrics.received++;
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
      if (duplicate) metrics.duplicates++;
      else {
        metrics.received++;
        options.onStored();
      }
    },
  };
}
