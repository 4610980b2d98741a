/**
 * `createPipeline`: the whole revtrace flow behind one object. The HTTP handlers do verify → parse →
 * one durable `ingest` → answer; a worker turns each stored event into deliveries; one runner per
 * sink delivers them in batches with retries and dead letters. Every queue is a storage outbox, so
 * several processes on one PostgreSQL database share the work (claims are leased).
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributionOptions,
  type CommissionLedger,
  createAttributionEngine,
  createCommissionLedger,
} from "@revtrace/attribution";
import {
  type ChargebeeApi,
  createChargebeeApi,
  createChargebeeParser,
  createChargebeeWebhookVerifier,
  type FetchLike,
  type ReplayOptions,
} from "@revtrace/chargebee";
import { ConfigError, type DeferredCommitStorage, type Sink, systemClock } from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { MAX_COLLECT_BYTES } from "./collect/collect-body.js";
import { createCollectHandler } from "./collect/collect-handler.js";
import { DrainTimeoutError } from "./drain-timeout.js";
import { createEventProcessor } from "./event-processor.js";
import { livenessAnswer, readiness, readinessAnswer, readOnly } from "./health.js";
import { errorAnswer } from "./http-answers.js";
import {
  type HttpAnswer,
  type HttpHandler,
  type HttpRequest,
  toWebHandler,
  type WebHandler,
} from "./http-exchange.js";
import { createIngestor } from "./ingest.js";
import { redactingLogger } from "./log.js";
import {
  MetricsRegistry,
  type PipelineMetrics,
  prometheusText,
  WORKER_QUEUE_LABEL,
} from "./metrics.js";
import {
  type PipelineOptions,
  type PipelineStorage,
  parsePipelineOptions,
  withOptionPath,
} from "./pipeline-options.js";
import { createQueueRunner, type QueueRunner } from "./queue-runner.js";
import {
  type ReplayReport,
  replayApiEvents,
  replayDeadLetters,
  replayFiles,
  replayQuarantine,
} from "./replay.js";
import { serialLinks } from "./serial-links.js";
import { createSinkDelivery } from "./sink-delivery.js";
import {
  basicAuthenticator,
  createWebhookHandler,
  retentionAuthenticator,
} from "./webhook-handler.js";
import { WORK_QUEUE } from "./work-item.js";
import { createWorker } from "./worker.js";

export type { WebHandler } from "./http-exchange.js";

/** See {@link createPipeline}. */
export interface Pipeline {
  /** The Chargebee webhook endpoint (POST, Basic auth). */
  readonly handleWebhook: WebHandler;
  /** The Chargebee Retention webhook endpoint (POST, `X-Hub-Signature`); 404 unless `retention` is set. */
  readonly handleRetentionWebhook: WebHandler;
  /** The collect endpoint of `@revtrace/tracker` (touchpoints, lead forms, the visitor cookie). */
  readonly handleCollect: WebHandler;
  /** Liveness: 200 while running, 503 once closing. */
  readonly handleLive: WebHandler;
  /** Readiness: storage reachable, backlog and oldest age under the thresholds (503 otherwise). */
  readonly handleReady: WebHandler;
  /** The counters in the Prometheus text format. */
  readonly handleMetrics: WebHandler;
  /** The storage in use. */
  readonly storage: PipelineStorage;
  /**
   * The largest body any endpoint accepts (`http.maxBodyBytes`, or the collect endpoint's bound if
   * larger): the most the Node, Express and Fastify adapters read before answering 413.
   */
  readonly maxBodyBytes: number;
  /** Starts the worker and the sink runners in the background (idempotent). */
  start(): Promise<void>;
  /**
   * Runs the worker and every sink in this process until nothing this process knows of is left
   * undelivered (retries waited for); rejects with a {@link DrainTimeoutError} after `timeoutMs`
   * (default 30 s; what is left stays queued), even while a batch
   * is in flight (that batch goes on in the background, bounded by `delivery.sendTimeoutMs`).
   */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Stops accepting requests (503) and claiming; gives the requests and batches in flight `graceMs`
   * (default 10 s, one deadline for both) to finish. Then a request still unanswered (a client that
   * stalled mid-body) is answered 503 and its connection closed (Chargebee retries it), and the sends
   * still running are aborted (their items are retried later, by this or another process). Waits for
   * the settlements and closes storage. Idempotent (the first call's `graceMs` holds).
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** Puts dead-lettered items back in their queues (one sink's, or all). Returns how many. */
  replayDeadLetters(options?: { sink?: string; limit?: number }): Promise<number>;
  /**
   * Ingests quarantined bodies again (after an upgrade or a fixed setting): at most `limit` (default
   * 10 000) in all, oldest first.
   */
  replayQuarantine(options?: { limit?: number }): Promise<ReplayReport & { stillInvalid: number }>;
  /** Ingests recorded Chargebee bodies (files, or directories of `.json` files). */
  replayFiles(paths: readonly string[]): Promise<ReplayReport>;
  /** Ingests events from Chargebee's List Events API (needs `chargebee.api`). */
  replayChargebeeEvents(options?: ReplayOptions): Promise<ReplayReport>;
  /** Every counter, now. */
  metrics(): PipelineMetrics;
  /** The counters in the Prometheus text format. */
  prometheus(): string;
}

/** How long `close()` waits for the batches in flight before it aborts their sends. */
const DEFAULT_CLOSE_GRACE_MS = 10_000;

/**
 * `client` with `event.list` wrapped so every page it answers is handed to `keep` first. Other
 * properties are the client's own (methods bound to it).
 */
function keepingClient<C extends object>(client: C, keep: (page: unknown) => void): C {
  const bound = (target: object, property: string | symbol) => {
    const value = Reflect.get(target, property);
    return typeof value === "function" ? value.bind(target) : value;
  };
  return new Proxy(client, {
    get(target, property) {
      const resource = bound(target, property);
      if (property !== "event" || typeof resource !== "object" || resource === null) {
        return resource;
      }
      return new Proxy(resource as object, {
        get(events, name) {
          const method = bound(events, name);
          if (name !== "list" || typeof method !== "function") return method;
          return async (...args: unknown[]) => {
            const page: unknown = await method(...args);
            keep(page);
            return page;
          };
        },
      });
    },
  });
}

/** A positive integer option read with a default (a ConfigError naming it otherwise). */
const DEFAULT_MODELS: AttributionOptions["models"] = ["first_touch", "click_id_chain"];

function sinkBatchSize(sink: Sink, fallback: number): number {
  const size = (sink as { batchSize?: unknown }).batchSize;
  return typeof size === "number" && Number.isInteger(size) && size > 0 ? size : fallback;
}

/**
 * Creates the pipeline. Every option is validated now (a `ConfigError` naming the field).
 *
 * @example
 * const pipeline = createPipeline({
 *   sinks: [createTikTokSink({ accessToken, pixelCode })],
 *   chargebee: { credentials: [{ username: "chargebee", password: process.env.CB_WEBHOOK_PASSWORD! }] },
 * });
 * await pipeline.start();
 * // Fastify: app.register(revtraceFastify, { pipeline }) — Express, Node: see the adapters
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const resolved = parsePipelineOptions(options);
  const input = options as PipelineOptions;
  const logger = redactingLogger(input.logger);
  const now = input.now ?? systemClock;
  const random = input.random ?? Math.random;
  const sinks: readonly Sink[] = resolved.sinks;
  sinks.forEach((sink, index) => {
    // The worker's queue is `queue="worker"` in the Prometheus series: a sink of that name would
    // write a second series with the same labels.
    if (sink.name === WORKER_QUEUE_LABEL) {
      throw new ConfigError(
        `Invalid pipeline options: sinks.${index}.name: is reserved ("${WORKER_QUEUE_LABEL}" labels the worker's queue in the metrics)`,
        { fields: [`sinks.${index}.name`] },
      );
    }
  });

  const verifier = withOptionPath("chargebee", () =>
    createChargebeeWebhookVerifier({ credentials: input.chargebee.credentials }),
  );
  const parser = withOptionPath("chargebee.parse", () =>
    createChargebeeParser(input.chargebee.parse),
  );
  const engine = withOptionPath("attribution", () => {
    const { touchpointLookbackMs: _lookback, ...attribution } = input.attribution ?? {};
    return createAttributionEngine({
      ...attribution,
      models: attribution.models ?? DEFAULT_MODELS,
    });
  });
  const partnerModel = input.commissions?.partnerModel ?? "click_id_chain";
  if (input.commissions && !engine.models.some((model) => model.name === partnerModel)) {
    throw new ConfigError(
      "Invalid pipeline options: commissions.partnerModel: names no attribution run",
      { fields: ["commissions.partnerModel"] },
    );
  }

  const ownsStorage = resolved.storage === undefined;
  const storage: PipelineStorage =
    resolved.storage ??
    (withOptionPath("sqlite", () =>
      createSqliteStorage({ path: resolved.sqlite.path, synchronous: resolved.sqlite.synchronous }),
    ) as PipelineStorage);
  let readyPromise: Promise<void> | null = null;
  const ready = () => {
    // A failed migrate is not remembered: the next request tries again (a lock held by another
    // process for longer than the busy timeout must not leave this one answering 500 for good).
    readyPromise ??= ownsStorage
      ? storage.migrate().catch((error: unknown) => {
          readyPromise = null;
          logger.error(
            { error: error instanceof Error ? error.message : String(error) },
            "storage migration failed",
          );
          throw error;
        })
      : Promise.resolve();
    return readyPromise;
  };

  /**
   * What the worker and the sink loops write through: an engine's view whose writes are answered once
   * applied and made durable by the turn's commit (`Storage.deferredCommits`; SQLite's serialized
   * identity links then share one commit instead of one each). Every step they take is idempotent on
   * leased items, so a crash before that commit only redoes work; the webhook and collect answers,
   * replays and readiness use `storage` itself, whose writes are durable when answered.
   */
  const work: PipelineStorage = storage.deferredCommits?.() ?? storage;

  // Links one at a time: the worker runs different customers' events side by side.
  const identity = serialLinks(
    withOptionPath("identity", () =>
      createIdentityResolver({ storage: work, rules: input.identity?.rules, now, logger }),
    ),
  );
  let ledger: CommissionLedger | null = null;
  if (input.commissions) {
    const { partnerModel: _partner, ...policy } = input.commissions;
    ledger = withOptionPath("commissions", () =>
      createCommissionLedger({ ...policy, store: work, now }),
    );
  }

  const metrics = new MetricsRegistry();
  for (const sink of sinks) metrics.queue(sink.name);
  const backoff = {
    baseDelayMs: resolved.delivery.baseDelayMs,
    maxDelayMs: resolved.delivery.maxDelayMs,
  };

  const sendTimeoutMs = resolved.delivery.sendTimeoutMs;
  /** Fired by `close()` after its grace period: every `send` still in flight stops and is retried. */
  const abortDeliveries = new AbortController();

  const sinkRunners = new Map<string, QueueRunner>();
  const workerRunner: QueueRunner = createQueueRunner({
    queue: WORK_QUEUE,
    store: work,
    batchSize: resolved.worker.batchSize,
    leaseMs: resolved.worker.leaseMs,
    pollMs: resolved.pollMs,
    lingerMs: resolved.worker.lingerMs,
    now,
    logger,
    onClaim: (startedAt, count, limit) => metrics.claimed(WORK_QUEUE, startedAt, count, limit),
    handle: createWorker({
      storage: work,
      process: createEventProcessor({
        storage: work,
        identity,
        attribution: engine,
        touchpointLookbackMs: resolved.attribution.touchpointLookbackMs,
        ledger,
        partnerModel,
        sinks,
        logger,
      }),
      metrics,
      backoff,
      maxAttempts: resolved.worker.maxAttempts,
      now,
      random,
      logger,
      onEnqueued: (names) => {
        for (const name of names) sinkRunners.get(name)?.wake();
      },
    }),
  });
  for (const sink of sinks) {
    const runner: QueueRunner = createQueueRunner({
      queue: sink.name,
      store: work,
      batchSize: sinkBatchSize(sink, resolved.delivery.batchSize),
      leaseMs: resolved.delivery.leaseMs,
      pollMs: resolved.pollMs,
      lingerMs: resolved.delivery.lingerMs,
      now,
      logger,
      onClaim: (startedAt, count, limit) => metrics.claimed(sink.name, startedAt, count, limit),
      handle: createSinkDelivery({
        sink,
        store: work,
        metrics,
        backoff,
        maxAttempts: resolved.delivery.maxAttempts,
        now,
        random,
        logger,
        pause: (until) => runner.pause(until),
        sendTimeoutMs,
        abort: abortDeliveries.signal,
      }),
    });
    sinkRunners.set(sink.name, runner);
  }
  const runners = [workerRunner, ...sinkRunners.values()];

  const ingestor = createIngestor({
    storage,
    parser,
    metrics,
    now,
    onStored: () => workerRunner.wake(),
  });

  let closing = false;
  let closed: Promise<void> | null = null;
  /** Each request in flight, with what answers it 503 at once (when `close()`'s grace is over). */
  const inFlight = new Map<Promise<HttpAnswer>, () => void>();
  /**
   * Tracks requests (so `close()` answers them first), refuses new ones while closing, and makes the
   * endpoint's Web handler (the Node adapters call the endpoint itself: see `http-exchange.ts`).
   */
  const guarded = (
    handler: HttpHandler,
    /** Headers every answer of this endpoint carries (the collect endpoint's CORS headers). */
    headersOf: (request: HttpRequest) => Record<string, string> = () => ({}),
  ): WebHandler =>
    toWebHandler((request) => {
      if (closing) {
        return Promise.resolve(
          errorAnswer(503, "closing", "The pipeline is shutting down", {
            headers: headersOf(request),
          }),
        );
      }
      let cut = () => {};
      const cutShort = new Promise<HttpAnswer>((resolve) => {
        cut = () =>
          resolve(
            errorAnswer(503, "closing", "The pipeline is shutting down; retry", {
              headers: headersOf(request),
            }),
          );
      });
      const answer = Promise.race([
        ready().then(
          () => handler(request),
          () => {
            metrics.refused++;
            return errorAnswer(500, "storage_failed", "Storage is not available", {
              headers: headersOf(request),
            });
          },
        ),
        cutShort,
      ]);
      inFlight.set(answer, cut);
      void answer.finally(() => inFlight.delete(answer)).catch(() => {});
      return answer;
    });

  const chargebeeHandler = createWebhookHandler({
    source: "chargebee",
    ingestor,
    authenticate: basicAuthenticator(verifier),
    challenge: 'Basic realm="chargebee"',
    maxBodyBytes: resolved.http.maxBodyBytes,
    metrics,
    logger,
  });
  const retentionHandler = resolved.retention
    ? createWebhookHandler({
        source: "retention",
        ingestor,
        authenticate: retentionAuthenticator(resolved.retention.secret),
        challenge: null,
        maxBodyBytes: resolved.http.maxBodyBytes,
        metrics,
        logger,
      })
    : async () => errorAnswer(404, "not_found", "Chargebee Retention webhooks are not enabled");

  const collectHandler = createCollectHandler({
    settings: resolved.collect,
    now,
    logger,
    counters: metrics.collect,
    accept: (batch, rawBody) => ingestor.ingestCollect(batch, rawBody),
  });

  const snapshot = () =>
    metrics.snapshot(
      now(),
      WORK_QUEUE,
      sinks.map((sink) => sink.name),
    );

  let api: ChargebeeApi | null = null;
  const rawEvents = new Map<string, string>();
  const chargebeeApi = (): ChargebeeApi => {
    if (api) return api;
    const apiOptions = input.chargebee.api;
    if (!apiOptions) {
      throw new ConfigError(
        "Invalid pipeline options: chargebee.api: is required for API replays",
        {
          fields: ["chargebee.api"],
        },
      );
    }
    /** Keeps each listed event's raw JSON, so the inbox stores what Chargebee sent. */
    const keep = (page: unknown) => {
      const list = (page as { list?: unknown } | null)?.list;
      if (!Array.isArray(list)) return; // not a list page: nothing to keep
      for (const entry of list as Array<{ event?: { id?: unknown } } | null>) {
        if (typeof entry?.event?.id === "string") {
          rawEvents.set(entry.event.id, JSON.stringify(entry.event));
        }
      }
    };
    const base: FetchLike =
      apiOptions.fetch ?? ((request, init) => globalThis.fetch(request, init));
    const fetch: FetchLike = async (request, init) => {
      const response = await base(request, init);
      try {
        keep(await response.clone().json());
      } catch {
        // not JSON: nothing to keep
      }
      return response;
    };
    // A client of the caller's own does its requests without `fetch`: its `event.list` results are
    // the events as the List Events API returned them.
    const client = apiOptions.client ? keepingClient(apiOptions.client, keep) : undefined;
    api = withOptionPath("chargebee.api", () =>
      createChargebeeApi({
        ...apiOptions,
        ...(client ? { client } : {}),
        fetch,
        parse: input.chargebee.parse,
        logger,
      }),
    );
    return api;
  };

  // Built now, so a mistake in `chargebee.api` is a ConfigError at construction, not at the first replay.
  if (input.chargebee.api) chargebeeApi();

  const drainQueue = async (runner: QueueRunner, stop: () => boolean): Promise<number> => {
    let total = 0;
    while (!stop()) {
      const claimed = await runner.tick();
      if (claimed === 0) break;
      total += claimed;
    }
    return total;
  };
  const drainTimeout = (timeoutMs: number) =>
    new DrainTimeoutError(timeoutMs, metrics.pendingCount());

  return {
    handleWebhook: guarded(chargebeeHandler),
    handleRetentionWebhook: guarded(retentionHandler),
    handleCollect: guarded(collectHandler, collectHandler.corsHeaders),
    handleLive: readOnly(async () => livenessAnswer(closing)),
    handleReady: readOnly(async () => {
      let storageReachable = true;
      try {
        await ready();
        await storage.getInboxEvent("~revtrace-health");
      } catch {
        storageReachable = false;
      }
      return readinessAnswer(
        readiness({
          storageReachable,
          metrics: snapshot(),
          maxBacklog: resolved.health.maxBacklog,
          maxOldestAgeMs: resolved.health.maxOldestAgeMs,
          closing,
        }),
      );
    }),
    handleMetrics: readOnly(async () => ({
      status: 200,
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      body: prometheusText(snapshot()),
    })),
    storage,
    maxBodyBytes: Math.max(resolved.http.maxBodyBytes, MAX_COLLECT_BYTES),
    async start() {
      if (closing) throw new ConfigError("The pipeline is closed", { fields: [] });
      await ready();
      metrics.working = true;
      for (const runner of runners) runner.start();
    },
    async drain({ timeoutMs = 30_000 } = {}) {
      if (closing) throw new ConfigError("The pipeline is closed", { fields: [] });
      await ready();
      metrics.working = true;
      const deadline = Date.now() + timeoutMs;
      let timedOut = false;
      // close() during a drain ends it with this, not with the storage's "closed" error.
      const closedWhileDraining = () =>
        new ConfigError("The pipeline was closed while draining", { fields: [] });
      const run = async () => {
        for (;;) {
          if (closing) throw closedWhileDraining();
          let claimed: number;
          try {
            claimed = await drainQueue(workerRunner, () => timedOut);
            for (const runner of sinkRunners.values()) {
              claimed += await drainQueue(runner, () => timedOut);
            }
          } catch (error) {
            throw closing ? closedWhileDraining() : error;
          }
          if (timedOut || (claimed === 0 && metrics.pendingCount() === 0)) {
            // Drained means durable: what the loops wrote through `work` is committed too.
            await (work as Partial<DeferredCommitStorage>).committed?.();
            return;
          }
          if (Date.now() > deadline) break;
          if (claimed === 0) await sleep(10);
        }
        throw drainTimeout(timeoutMs);
      };
      // The deadline holds even while a batch is in flight (a `send` that takes long): the batch
      // goes on in the background, bounded by `delivery.sendTimeoutMs`, and `close()` waits for it.
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => {
            timedOut = true;
            reject(drainTimeout(timeoutMs));
          },
          Math.max(0, deadline - Date.now()),
        );
      });
      expired.catch(() => {});
      const running = run();
      running.catch(() => {});
      try {
        await Promise.race([running, expired]);
      } finally {
        clearTimeout(timer);
      }
    },
    close({ graceMs = DEFAULT_CLOSE_GRACE_MS } = {}) {
      closed ??= (async () => {
        closing = true;
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        });
        // Requests in flight get the grace to be answered; one still unanswered then (a body that
        // stopped arriving) is answered 503 and retried by its sender (were its write to finish
        // after all, the retry is a duplicate: 200).
        const answered = Promise.allSettled([...inFlight.keys()]);
        await Promise.race([answered, grace]);
        for (const cut of inFlight.values()) cut();
        await answered;
        // Stop claiming; the batches in flight get what is left of the grace, then their sends are
        // aborted (their items are retried, never lost); the settlements end before storage closes.
        const stopped = Promise.all(runners.map((runner) => runner.stop()));
        await Promise.race([stopped, grace]);
        clearTimeout(timer);
        abortDeliveries.abort();
        await stopped;
        await storage.close();
      })();
      return closed;
    },
    replayDeadLetters: async ({ sink, limit = 10_000 } = {}) => {
      await ready();
      const count = await replayDeadLetters(storage, now, { sink, limit });
      for (const runner of runners) runner.wake();
      return count;
    },
    replayQuarantine: async ({ limit = 10_000 } = {}) => {
      await ready();
      return replayQuarantine(ingestor, storage, now, limit);
    },
    replayFiles: async (paths) => {
      await ready();
      return replayFiles(ingestor, paths);
    },
    replayChargebeeEvents: async (replayOptions = {}) => {
      await ready();
      return replayApiEvents(ingestor, chargebeeApi(), rawEvents, replayOptions);
    },
    metrics: snapshot,
    prometheus: () => prometheusText(snapshot()),
  };
}
