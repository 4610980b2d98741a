/**
 * Initial and full sync (seed 001: Chargebee's own integration first syncs the 10 latest customers
 * and lists the errors, then "Sync all records", carrying the unfixed errors along). Customers come
 * from `@revtrace/chargebee`'s backfill iterator (newest first); a full sync is resumable from an
 * opaque cursor, reports progress, and ends with an error list that `retrySync` takes back.
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingSubscription,
  parseOptions,
  SinkError,
} from "@revtrace/core";
import { z } from "zod";
import { failsTheSend } from "./activecampaign-error.js";

/** One customer as the backfill iterator yields it (`@revtrace/chargebee`'s `BackfillRecord`). */
export interface CustomerRecord {
  customer: BillingCustomer;
  subscriptions: BillingSubscription[];
}

/**
 * Where customers come from: `createChargebeeApi(...)` from `@revtrace/chargebee` fits (its
 * `backfillCustomers` lists customers newest first, with their subscriptions).
 */
export interface CustomerSource {
  backfillCustomers(options?: {
    limit?: number;
    includeSubscriptions?: boolean;
    signal?: AbortSignal;
  }): AsyncIterable<CustomerRecord>;
}

/** What syncing one customer did. */
export type SyncOutcome =
  | { status: "delivered" }
  | { status: "skipped"; reason: string }
  /** The customer cannot be synced until fixed in Chargebee (no email): a sync error (seed 001). */
  | { status: "invalid"; reason: string };

/** A customer that could not be synced. Messages never contain personal data. */
export interface SyncError {
  customerId: string;
  message: string;
  /** True when the cause was transient (rate limit, outage): retrying as is may succeed. */
  retryable: boolean;
  /** The data synced, so that `retrySync` can try again without asking Chargebee. */
  record?: CustomerRecord;
}

/** The result of a sync. */
export interface SyncResult {
  /** Customers read from the source (after the cursor). */
  processed: number;
  synced: number;
  skipped: Array<{ customerId: string; reason: string }>;
  errors: SyncError[];
}

/** Progress of a full sync. */
export interface SyncProgress {
  done: number;
  /** Customers to sync, when counted first (`null` otherwise). */
  total: number | null;
  /** Resume from here: every customer before it is done. */
  cursor: string | null;
}

/** Options of `initialSync`. */
export interface InitialSyncOptions {
  source: CustomerSource;
  /** How many of the latest customers. @default 10 */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

/** Options of `fullSync`. */
export interface FullSyncOptions {
  source: CustomerSource;
  /** A `cursor` from an earlier (interrupted) run or from progress: resume after it. */
  cursor?: string | null;
  onProgress?: (progress: SyncProgress) => void;
  /** Count the customers first (one cheap listing without subscriptions) for `total`. @default true */
  countFirst?: boolean;
  signal?: AbortSignal;
  /** Stop after this many customers (with a cursor to go on). */
  limit?: number;
}

/** The result of a full sync. */
export interface FullSyncResult extends SyncResult {
  /** Where to resume; `null` when the sync went through to the end. */
  cursor: string | null;
  complete: boolean;
  total: number | null;
}

interface Cursor {
  /** The last customer done, in the source's order (newest first). */
  id: string;
  createdAt: number | null;
  done: number;
}

const CursorSchema = z.object({
  id: z.string().min(1),
  createdAt: z.number().int().nullable(),
  done: z.number().int().min(0),
});

/** Encodes a cursor (opaque to callers). */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** Decodes a cursor; a malformed one is a `ConfigError`. */
export function decodeCursor(text: string): Cursor {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    json = undefined;
  }
  return parseOptions(z.object({ cursor: CursorSchema }), { cursor: json }, "sync cursor").cursor;
}

/**
 * Whether a record comes after the cursor in the newest-first order: customers created after the
 * cursor's (new since the first run) are skipped; webhooks deliver them.
 */
function afterCursor(record: CustomerRecord, cursor: Cursor, passed: { value: boolean }): boolean {
  if (passed.value) return true;
  if (record.customer.id === cursor.id) {
    passed.value = true;
    return false;
  }
  const created = record.customer.createdAt;
  if (cursor.createdAt !== null && created !== null && created < cursor.createdAt) {
    passed.value = true;
    return true;
  }
  return false;
}

/** The message of a sync error: the SinkError's own (never personal data), else a generic one. */
function messageOf(error: unknown): string {
  return SinkError.isInstance(error) ? error.message : "unexpected failure";
}

/**
 * Runs a sync over `options.source` with at most `concurrency` customers at a time. An account
 * failure (bad token, 402) or an abort ends it early (a full sync then answers a cursor to resume).
 */
export async function runSync(
  syncRecord: (record: CustomerRecord, signal: AbortSignal | undefined) => Promise<SyncOutcome>,
  options: FullSyncOptions | InitialSyncOptions,
  concurrency: number,
  count: boolean,
): Promise<FullSyncResult> {
  const { source, signal } = options;
  const cursor = "cursor" in options && options.cursor ? decodeCursor(options.cursor) : null;
  const passed = { value: cursor === null };
  let total: number | null = null;
  if (count) {
    let customers = 0;
    const counted = { value: cursor === null };
    for await (const record of source.backfillCustomers({
      includeSubscriptions: false,
      limit: cursor ? undefined : options.limit,
      signal,
    })) {
      if (!cursor || afterCursor(record, cursor, counted)) customers++;
    }
    total = Math.min(customers, options.limit ?? customers);
  }
  const result: FullSyncResult = {
    processed: 0,
    synced: 0,
    skipped: [],
    errors: [],
    cursor: null,
    complete: false,
    total,
  };
  const base = cursor?.done ?? 0;
  const order: Array<{ record: CustomerRecord; done: boolean }> = [];
  let settledThrough = 0;
  let lastDone: Cursor | null = cursor;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();

  const progress = () => {
    while (settledThrough < order.length && order[settledThrough]?.done) {
      const { record } = order[settledThrough] as { record: CustomerRecord };
      settledThrough++;
      lastDone = {
        id: record.customer.id,
        createdAt: record.customer.createdAt,
        done: base + settledThrough,
      };
    }
    result.cursor = lastDone ? encodeCursor(lastDone) : null;
    options.onProgress?.({ done: base + settledThrough, total, cursor: result.cursor });
  };

  async function one(entry: { record: CustomerRecord; done: boolean }) {
    const { record } = entry;
    const customerId = record.customer.id;
    try {
      const outcome = await syncRecord(record, signal);
      if (outcome.status === "delivered") result.synced++;
      else if (outcome.status === "invalid") {
        // Seed 001: a customer without an email is a sync error to fix, not a silent skip.
        result.errors.push({ customerId, message: outcome.reason, retryable: false, record });
      } else result.skipped.push({ customerId, reason: outcome.reason });
    } catch (error) {
      const sinkError = SinkError.isInstance(error) ? error : undefined;
      if (signal?.aborted || (failsTheSend(error) && !sinkError?.retryable)) {
        fatal ??= error;
        return;
      }
      result.errors.push({
        customerId,
        message: messageOf(error),
        retryable: sinkError?.retryable ?? true,
        record,
      });
    }
    entry.done = true;
    progress();
  }

  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const listing = source.backfillCustomers({
    limit: cursor ? undefined : options.limit,
    signal,
  });
  for await (const record of listing) {
    if (fatal !== undefined || signal?.aborted) break;
    if (cursor && !afterCursor(record, cursor, passed)) continue;
    if (result.processed >= limit) break;
    result.processed++;
    const entry = { record, done: false };
    order.push(entry);
    const task = one(entry).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const everything = fatal === undefined && !signal?.aborted && settledThrough === order.length;
  result.complete = everything && result.processed < limit;
  if (result.complete) result.cursor = null;
  if (fatal !== undefined && !signal?.aborted) throw fatal;
  return result;
}
