/**
 * The pipeline's counters, as an object and in the Prometheus text exposition format (version 0.0.4).
 * Counters are per process; the backlog is what this process enqueued (webhooks and collect batches
 * for the worker, deliveries for the sinks) or claimed and has not seen settled yet (waiting, in
 * flight, or waiting for a retry), with the age of the oldest of those items (from when it was
 * enqueued). An item this process enqueued but another process claimed leaves the backlog when a
 * claim of this process finds the queue short of it (see {@link MetricsRegistry.claimed}).
 *
 * @module
 */
import type { CollectCounters } from "./collect/collect-handler.js";

/** Counters of one sink (or of the worker's queue). */
export interface QueueMetrics {
  delivered: number;
  skipped: number;
  rejected: number;
  retries: number;
  deadLetters: number;
  /**
   * Items enqueued or claimed by this process and not yet delivered or dead-lettered (waiting, in
   * flight or retrying).
   */
  backlog: number;
  /** Age of the oldest of them (ms), `0` when there is none. */
  oldestAgeMs: number;
}

/** A snapshot of every counter. */
export interface PipelineMetrics {
  /** Webhook requests that passed authentication and validation and were stored (never collect). */
  received: number;
  /** Webhook deliveries of an event already received (answered 200, audited; never collect). */
  duplicates: number;
  /** Authenticated bodies that failed validation and were kept for replay. */
  quarantined: number;
  /** Requests refused (401, 405, 413, 415) or failed (500). */
  refused: number;
  /** Inbound events the worker finished (deliveries enqueued). */
  processed: number;
  /** Worker retries and dead letters. */
  worker: { retries: number; deadLetters: number; backlog: number; oldestAgeMs: number };
  /** Per sink. */
  sinks: Record<string, QueueMetrics>;
  /** The collect endpoint: requests, touchpoints and identifies stored, bots, refusals, limits. */
  collect: CollectCounters;
}

/** The `queue` label of the worker's queue in the Prometheus series (no sink may have this name). */
export const WORKER_QUEUE_LABEL = "worker";

/** How many enqueued, unclaimed items per queue a process remembers (a bound on memory). */
export const MAX_WAITING = 100_000;

/** Tracks an item between enqueue/claim and its settlement. */
export interface BacklogEntry {
  createdAt: number;
}

/** The mutable counters behind {@link PipelineMetrics}. */
export class MetricsRegistry {
  received = 0;
  duplicates = 0;
  quarantined = 0;
  refused = 0;
  processed = 0;
  readonly collect: CollectCounters = {
    requests: 0,
    touchpoints: 0,
    identifies: 0,
    bots: 0,
    refused: 0,
    rateLimited: 0,
    unverifiedRefs: 0,
    invalidEvents: 0,
    droppedFields: 0,
    duplicates: 0,
  };
  readonly queues = new Map<string, QueueMetrics>();
  /** Per queue: outbox idempotency key → when the item was created. */
  readonly backlog = new Map<string, Map<string, BacklogEntry>>();
  /**
   * Per queue: items this process enqueued and has not claimed (key → when it was enqueued), in
   * enqueue order. At most {@link MAX_WAITING} per queue are remembered.
   */
  readonly waiting = new Map<string, Map<string, number>>();

  queue(name: string): QueueMetrics {
    let counters = this.queues.get(name);
    if (!counters) {
      counters = {
        delivered: 0,
        skipped: 0,
        rejected: 0,
        retries: 0,
        deadLetters: 0,
        backlog: 0,
        oldestAgeMs: 0,
      };
      this.queues.set(name, counters);
      this.backlog.set(name, new Map());
    }
    return counters;
  }

  /**
   * True once this process works the queues (`start()` or `drain()`). Before, enqueued items are not
   * its backlog: a process that only ingests (the HTTP processes of a scale-out) never claims, and
   * its readiness must not depend on how far behind the workers elsewhere are.
   */
  working = false;

  /**
   * This process enqueued an item: once it works the queues, the item counts in the backlog until it
   * is claimed and settled.
   */
  enqueued(queue: string, key: string, at: number): void {
    if (!this.working) return;
    this.queue(queue);
    if (this.backlog.get(queue)?.has(key)) return;
    let waiting = this.waiting.get(queue);
    if (!waiting) {
      waiting = new Map();
      this.waiting.set(queue, waiting);
    }
    if (!waiting.has(key) && waiting.size < MAX_WAITING) waiting.set(key, at);
  }

  /** This process claimed an item: it counts until {@link settle}, aged from its enqueue. */
  track(queue: string, key: string, createdAt: number): void {
    this.queue(queue);
    const entries = this.backlog.get(queue) as Map<string, BacklogEntry>;
    const enqueuedAt = this.waiting.get(queue)?.get(key);
    this.waiting.get(queue)?.delete(key);
    if (!entries.has(key)) {
      entries.set(key, { createdAt: Math.min(createdAt, enqueuedAt ?? createdAt) });
    }
  }

  /**
   * A claim of `queue` that started at `startedAt` returned `count` items for a `limit`: when it was
   * short, every item due then was claimed, so what this process enqueued before it and did not
   * claim itself was claimed elsewhere (another process counts it now).
   */
  claimed(queue: string, startedAt: number, count: number, limit: number): void {
    if (count >= limit) return;
    const waiting = this.waiting.get(queue);
    if (!waiting) return;
    for (const [key, at] of waiting) {
      if (at >= startedAt) break; // in enqueue order: the rest came later
      waiting.delete(key);
    }
  }

  settle(queue: string, key: string): void {
    this.backlog.get(queue)?.delete(key);
    this.waiting.get(queue)?.delete(key);
  }

  /** Undelivered items this process knows of, over every queue. */
  pendingCount(): number {
    let total = 0;
    for (const entries of this.backlog.values()) total += entries.size;
    for (const entries of this.waiting.values()) total += entries.size;
    return total;
  }

  private backlogOf(queue: string, now: number): { backlog: number; oldestAgeMs: number } {
    const entries = this.backlog.get(queue);
    const waiting = this.waiting.get(queue);
    const size = (entries?.size ?? 0) + (waiting?.size ?? 0);
    if (size === 0) return { backlog: 0, oldestAgeMs: 0 };
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of entries?.values() ?? []) oldest = Math.min(oldest, entry.createdAt);
    // In enqueue order: the first is the oldest.
    for (const at of waiting?.values() ?? []) {
      oldest = Math.min(oldest, at);
      break;
    }
    return { backlog: size, oldestAgeMs: Math.max(0, now - oldest) };
  }

  snapshot(now: number, workQueue: string, sinkNames: readonly string[]): PipelineMetrics {
    const work = this.queue(workQueue);
    // Own properties whatever the names (`__proto__` included).
    const sinks: Record<string, QueueMetrics> = Object.fromEntries(
      sinkNames.map((name) => [name, { ...this.queue(name), ...this.backlogOf(name, now) }]),
    );
    return {
      received: this.received,
      duplicates: this.duplicates,
      quarantined: this.quarantined,
      refused: this.refused,
      processed: this.processed,
      worker: {
        retries: work.retries,
        deadLetters: work.deadLetters,
        ...this.backlogOf(workQueue, now),
      },
      sinks,
      collect: { ...this.collect },
    };
  }
}

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** The snapshot in the Prometheus text format. */
export function prometheusText(metrics: PipelineMetrics): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: "counter" | "gauge",
    help: string,
    samples: Array<[Record<string, string>, number]>,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${label(v)}"`)
        .join(",");
      lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
    }
  };
  metric("revtrace_webhooks_received_total", "counter", "Webhooks stored.", [
    [{}, metrics.received],
  ]);
  metric("revtrace_webhooks_duplicate_total", "counter", "Duplicate webhook deliveries.", [
    [{}, metrics.duplicates],
  ]);
  metric("revtrace_webhooks_quarantined_total", "counter", "Authenticated invalid bodies kept.", [
    [{}, metrics.quarantined],
  ]);
  metric("revtrace_webhooks_refused_total", "counter", "Requests refused or failed.", [
    [{}, metrics.refused],
  ]);
  metric("revtrace_events_processed_total", "counter", "Inbound events processed.", [
    [{}, metrics.processed],
  ]);
  metric(
    "revtrace_collect_total",
    "counter",
    "Collect endpoint: requests, stored touchpoints and identifies, bots, refusals, limits.",
    Object.entries(metrics.collect).map(([outcome, value]): [Record<string, string>, number] => [
      { outcome },
      value,
    ]),
  );
  const sinks = Object.entries(metrics.sinks);
  for (const [status, key] of [
    ["delivered", "delivered"],
    ["skipped", "skipped"],
    ["rejected", "rejected"],
  ] as const) {
    metric(`revtrace_sink_${status}_total`, "counter", `Conversions ${status} per sink.`, [
      ...sinks.map(([sink, m]): [Record<string, string>, number] => [{ sink }, m[key]]),
    ]);
  }
  metric("revtrace_retries_total", "counter", "Retries scheduled.", [
    [{ queue: WORKER_QUEUE_LABEL }, metrics.worker.retries],
    ...sinks.map(([sink, m]): [Record<string, string>, number] => [{ queue: sink }, m.retries]),
  ]);
  metric("revtrace_dead_letters_total", "counter", "Items dead-lettered.", [
    [{ queue: WORKER_QUEUE_LABEL }, metrics.worker.deadLetters],
    ...sinks.map(([sink, m]): [Record<string, string>, number] => [{ queue: sink }, m.deadLetters]),
  ]);
  metric("revtrace_outbox_backlog", "gauge", "Undelivered items.", [
    [{ queue: WORKER_QUEUE_LABEL }, metrics.worker.backlog],
    ...sinks.map(([sink, m]): [Record<string, string>, number] => [{ queue: sink }, m.backlog]),
  ]);
  metric("revtrace_outbox_oldest_age_seconds", "gauge", "Age of the oldest undelivered item.", [
    [{ queue: WORKER_QUEUE_LABEL }, metrics.worker.oldestAgeMs / 1000],
    ...sinks.map(([sink, m]): [Record<string, string>, number] => [
      { queue: sink },
      m.oldestAgeMs / 1000,
    ]),
  ]);
  return `${lines.join("\n")}\n`;
}
