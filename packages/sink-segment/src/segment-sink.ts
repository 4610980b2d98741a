/**
 * `createSegmentSink`: delivers conversions to Segment's HTTP Tracking API (`POST /v1/batch`) as
 * `identify` + `track` messages, on the core HTTP client (the one retry layer). Section numbers refer
 * to shared/specs/segment-http-api.md.
 *
 * Why not `@segment/analytics-node`: it reports results per flushed batch through an emitter rather
 * than per message, batches on its own timers, keeps a second retry layer (its 429 pause cannot be
 * turned off), and treats any 2xx as success. The Sink contract needs a result per item, one retry
 * layer and the response body checked, so this sink speaks the HTTP API directly.
 *
 * @module
 */
import {
  type BatchAnswer,
  type Conversion,
  createHttpClient,
  deliverInBatches,
  type ItemResult,
  MoneyError,
  type SendOptions,
  type Sink,
  SinkError,
  sendHandled,
  splitBatches,
  toLogger,
} from "@revtrace/core";
import {
  SEGMENT_BATCH_PATH,
  SEGMENT_MAX_MESSAGE_BYTES,
  type SegmentBatchRequest,
  type SegmentMessage,
  SegmentResponseSchema,
} from "./segment-api-types.js";
import {
  invalidItemError,
  isContentRefusal,
  SEGMENT_SINK_NAME,
  segmentResponseError,
} from "./segment-error.js";
import { mapConversion } from "./segment-mapper.js";
import {
  parseSegmentSinkOptions,
  type SegmentSinkOptions,
  segmentHandles,
} from "./segment-settings.js";
import { USER_AGENT } from "./version.js";

/** The Segment sink: a {@link Sink} of conversions. */
export interface SegmentSink extends Sink<Conversion> {
  readonly name: "segment";
}

/** One message ready to send, with its conversion's position and its size. */
interface Prepared {
  item: number;
  message: SegmentMessage;
  bytes: number;
}

/** The messages of one conversion inside one packed batch: what batch isolation settles. */
interface Group {
  item: number;
  messages: Prepared[];
}

/** Consecutive messages of the same conversion, grouped (a conversion's messages are adjacent). */
function groupByItem(batch: readonly Prepared[]): Group[] {
  const groups: Group[] = [];
  for (const prepared of batch) {
    const last = groups.at(-1);
    if (last?.item === prepared.item) last.messages.push(prepared);
    else groups.push({ item: prepared.item, messages: [prepared] });
  }
  return groups;
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** Bytes of `{"batch":[],"sentAt":"…"}` around the messages (an ISO time has a fixed length). */
const ENVELOPE_BYTES = byteLength(
  JSON.stringify({ batch: [], sentAt: new Date(0).toISOString() } satisfies SegmentBatchRequest),
);

/**
 * Packs messages, in order, into batches of at most `maxMessages` messages and `maxBytes` bytes of
 * request body (spec §4: 2,500 messages, 500 KB). Every message is at most the per-message limit,
 * so it always fits an empty batch.
 */
export function packBatches<T extends { bytes: number }>(
  messages: readonly T[],
  maxMessages: number,
  maxBytes: number,
): T[][] {
  return splitBatches(
    messages,
    { maxItems: maxMessages, maxBytes, overheadBytes: ENVELOPE_BYTES, separatorBytes: 1 },
    (message) => message.bytes,
  );
}

/**
 * Creates the Segment sink. Options are validated at once (throws `ConfigError` naming the field).
 *
 * @example
 * const sink = createSegmentSink({ writeKey: process.env.SEGMENT_WRITE_KEY, region: "eu" });
 * const results = await sink.send(conversions);
 */
export function createSegmentSink(options: SegmentSinkOptions): SegmentSink {
  const settings = parseSegmentSinkOptions(options);
  const logger = toLogger(settings.logger);
  const now = settings.now ?? Date.now;
  const handles = segmentHandles(settings);
  const basic = Buffer.from(`${settings.writeKey}:`).toString("base64");
  // The key and its Basic form: neither may appear in an error or a log line.
  const secrets = [settings.writeKey, basic];
  const client = createHttpClient({
    name: SEGMENT_SINK_NAME,
    baseUrl: settings.host,
    userAgent: USER_AGENT,
    // Spec §2: HTTP Basic with the write key as the user name and an empty password (trailing colon).
    headers: { authorization: `Basic ${basic}` },
    fetch: settings.fetch,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
    logger: settings.logger,
    secrets,
    onRetry: settings.onRetry,
  });

  /** Posts one batch; `sentAt` is the time of each attempt (spec §3.2). */
  async function post(batch: readonly Prepared[], signal: AbortSignal | undefined) {
    const messages = batch.map((p) => p.message);
    await client.request({
      method: "POST",
      path: SEGMENT_BATCH_PATH,
      json: (): SegmentBatchRequest => ({
        batch: messages,
        sentAt: new Date(now()).toISOString(),
      }),
      schema: SegmentResponseSchema,
      signal,
      interpret: (answer, status) => segmentResponseError(answer, status, secrets),
    });
  }

  /**
   * Sends some conversions' messages: accepted, or refused for their content (a 400 or
   * `success: false`: something local validation could not see). Transport failures are thrown for
   * the whole send.
   */
  async function sendGroups(
    groups: readonly Group[],
    signal: AbortSignal | undefined,
  ): Promise<BatchAnswer> {
    try {
      await post(
        groups.flatMap((group) => group.messages),
        signal,
      );
      return { outcome: "accepted" };
    } catch (error) {
      if (!isContentRefusal(error)) throw error;
      return { outcome: "refused", error };
    }
  }

  /**
   * Sends one packed batch through core's batch isolation: when Segment refuses it for its content,
   * it is bisected by conversion (a conversion's identify and track stay together) until the refused
   * conversions are found, so every other conversion is still delivered. Segment names no message in
   * a refusal, so there is nothing to send alone first.
   */
  async function deliver(
    batch: readonly Prepared[],
    refused: Map<number, SinkError>,
    signal: AbortSignal | undefined,
    ids: readonly string[],
  ): Promise<void> {
    const groups = groupByItem(batch);
    const settled = await deliverInBatches(groups, {
      name: SEGMENT_SINK_NAME,
      idOf: (group) => ids[group.item] as string,
      // The batch is already packed within Segment's limits.
      limits: { maxItems: groups.length },
      send: (part) => sendGroups(part, signal),
      itemError: (error) => invalidItemError("Segment refused the message", error),
      logger: settings.logger,
    });
    settled.forEach((result, position) => {
      const { item } = groups[position] as Group;
      if (result.status === "rejected" && !refused.has(item)) refused.set(item, result.error);
    });
  }

  async function sendMapped(
    items: readonly Conversion[],
    signal: AbortSignal | undefined,
  ): Promise<ItemResult[]> {
    const results: (ItemResult | undefined)[] = new Array(items.length);
    const prepared: Prepared[] = [];
    items.forEach((conversion, item) => {
      const id = conversion.id;
      let mapped: ReturnType<typeof mapConversion>;
      try {
        mapped = mapConversion(conversion, settings);
      } catch (error) {
        results[item] = {
          id,
          status: "rejected",
          error: invalidItemError(
            MoneyError.isInstance(error)
              ? `the conversion could not be mapped: ${error.message}`
              : "the conversion could not be mapped",
          ),
        };
        logger.warn(
          { sink: SEGMENT_SINK_NAME, item: id, error: (error as Error)?.name },
          "segment: mapping failed",
        );
        return;
      }
      if (mapped.kind === "skip") {
        results[item] = { id, status: "skipped", reason: mapped.reason };
        return;
      }
      const sized = mapped.messages.map((message) => ({
        item,
        message,
        bytes: byteLength(JSON.stringify(message)),
      }));
      const oversized = sized.find((p) => p.bytes > SEGMENT_MAX_MESSAGE_BYTES);
      if (oversized) {
        // Spec §4: Segment refuses a message over 32 KB; it is rejected alone and never sent.
        results[item] = {
          id,
          status: "rejected",
          error: invalidItemError(
            `the ${oversized.message.type} message is ${oversized.bytes} bytes, over Segment's ${SEGMENT_MAX_MESSAGE_BYTES}-byte limit`,
          ),
        };
        return;
      }
      prepared.push(...sized);
    });

    const refused = new Map<number, SinkError>();
    const ids = items.map((conversion) => conversion.id);
    const batches = packBatches(prepared, settings.maxBatchMessages, settings.maxBatchBytes);
    for (let b = 0; b < batches.length; b++) {
      try {
        await deliver(batches[b] as readonly Prepared[], refused, signal, ids);
      } catch (error) {
        // A batch failing as a whole (its first request thrown: an outage past the retries, a
        // refused key, a body that is not Segment's JSON) ends the send, as within a batch
        // (`deliverInBatches`). Nothing delivered yet: thrown, the whole send is retried. Else
        // the conversions earlier batches delivered stay delivered, and this batch's and the later
        // ones' are rejected with the error (retryable as it is). An abort always throws.
        if (b === 0 || !SinkError.isInstance(error) || error.reason === "aborted") throw error;
        for (const rest of batches.slice(b))
          for (const { item } of rest) if (!refused.has(item)) refused.set(item, error);
        break;
      }
    }
    return items.map((conversion, item): ItemResult => {
      const done = results[item];
      if (done) return done;
      const error = refused.get(item);
      return error
        ? { id: conversion.id, status: "rejected", error }
        : { id: conversion.id, status: "delivered" };
    });
  }

  return {
    specificationVersion: "v1",
    name: SEGMENT_SINK_NAME,
    handles,

    async send(items, sendOptions: SendOptions = {}) {
      const { signal } = sendOptions;
      if (signal?.aborted) {
        throw new SinkError(`${SEGMENT_SINK_NAME}: request aborted`, {
          sink: SEGMENT_SINK_NAME,
          reason: "aborted",
          retryable: false,
          cause: signal.reason,
        });
      }
      return sendHandled(SEGMENT_SINK_NAME, handles, items, (handled) =>
        sendMapped(handled, signal),
      );
    },

    async verifyCredentials(verifyOptions = {}) {
      // Segment has no credential-check endpoint and answers 200 to unknown write keys (spec §5):
      // an empty batch proves the host is reachable and the request well-formed, nothing more.
      await client.request({
        method: "POST",
        path: SEGMENT_BATCH_PATH,
        json: () => ({ batch: [], sentAt: new Date(now()).toISOString() }),
        schema: SegmentResponseSchema,
        signal: verifyOptions.signal,
        interpret: (answer, status) => segmentResponseError(answer, status, secrets),
      });
    },
  };
}
