/**
 * The inbox: what the webhook and collect handlers write before they answer. One `ingest` call is one
 * transaction: claim the event's dedupe key, store the raw body and the normalized event, and enqueue
 * the work for the worker; a duplicate writes only a flagged audit row. Bodies that were authenticated
 * but failed validation are quarantined, so an upgrade can replay them.
 *
 * @module
 */
import type { OutboxItemInput } from "./outbox-store.js";

/** One inbound event as received (the webhook handler's durable write). */
export interface InboxEventInput {
  /** The dedupe key, e.g. `chargebee:ev_123` (no expiry window: a key is claimed forever). */
  key: string;
  /** Where it came from: `chargebee`, `retention`, `tracker`, … */
  source: string;
  /** Event type as received (`payment_succeeded`, or anything unsupported). */
  type: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** The raw body exactly as received, as UTF-8 text. */
  rawBody: string;
  /** The normalized event: a JSON value, returned the way `JSON.parse(JSON.stringify(event))` gives. */
  event: unknown;
}

/** A stored inbound event. */
export interface InboxEvent extends InboxEventInput {
  /** Position in the inbox: 1, 2, 3 … in ingest order (gaps allowed). */
  seq: number;
  /** How many later deliveries of the same key were recorded as duplicates. */
  duplicates: number;
}

/** The outcome of {@link InboxStore.ingest}. */
export interface IngestResult {
  /** `true` when the key was already claimed: only a duplicate audit row was written. */
  duplicate: boolean;
}

/** An authenticated body that failed parsing or validation, kept for a later replay. */
export interface QuarantineInput {
  source: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** The raw body exactly as received (UTF-8 text; bytes that are not UTF-8 are replaced). */
  rawBody: string;
  /** The request's `content-type`, when it had one. */
  contentType: string | null;
  /** Why it was refused (no input values: redacted zod issues, the error code and message). */
  error: { code: string; message: string; issues?: unknown };
}

/** A stored quarantined body. */
export interface QuarantinedBody extends QuarantineInput {
  /** Canonical decimal id in quarantine order (`"7"`). */
  id: string;
  /** When it was replayed successfully (epoch ms), or `null` while it waits. */
  resolvedAt: number | null;
}

/** The durable inbox of the pipeline. */
export interface InboxStore {
  /**
   * Atomically: when `event.key` was never claimed, claims it, stores the event (raw body included) and
   * enqueues `work` (idempotent per outbox rules); otherwise records one duplicate delivery of the key
   * (its `duplicates` count goes up) and writes nothing else. Exactly one of any number of concurrent
   * ingests of a key, in this process or any other, gets `duplicate: false`. Nothing is visible before
   * the call resolves, and a failure writes nothing.
   *
   * The work is enqueued as `enqueue(work, event.receivedAt)` would (`createdAt` and the default
   * `availableAt` are `receivedAt`). The raw body comes back exactly as given (any well-formed string,
   * U+0000 included); the key, source and type follow the usual string rules (`checkStorageInput`).
   * Engines may group concurrent ingests in one transaction; each still resolves after its commit.
   */
  ingest(event: InboxEventInput, work: readonly OutboxItemInput[]): Promise<IngestResult>;
  /** One stored event by key, or `null`. */
  getInboxEvent(key: string): Promise<InboxEvent | null>;
  /**
   * Stored events in `seq` order: only those with `seq > afterSeq`, optionally of one source, at most
   * `limit` (for replaying recorded bodies).
   */
  listInboxEvents(query: {
    afterSeq?: number;
    source?: string;
    limit: number;
  }): Promise<InboxEvent[]>;
  /**
   * Keeps an authenticated body that failed validation; returns its id (canonical decimal, assigned in
   * quarantine order). `error` is stored as JSON and read back as `JSON.parse(JSON.stringify(error))`.
   */
  quarantine(body: QuarantineInput): Promise<string>;
  /**
   * Quarantined bodies in id order: only those with id greater than `afterId` (`"0"` or an id), unresolved
   * ones only unless `includeResolved`, at most `limit`.
   */
  listQuarantine(query: {
    afterId?: string;
    includeResolved?: boolean;
    limit: number;
  }): Promise<QuarantinedBody[]>;
  /**
   * Marks a quarantined body replayed (`resolvedAt = now`). Returns `false`, changing nothing, when the
   * id is unknown (or not canonical: ids are named like outbox ids) or already resolved.
   */
  resolveQuarantine(id: string, now: number): Promise<boolean>;
}
