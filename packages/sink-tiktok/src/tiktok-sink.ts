/**
 * `createTikTokSink`: delivers conversions to the TikTok Events API 2.0 (`event/track`), in batches,
 * on the core HTTP client (the one retry layer). Section numbers refer to
 * shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import {
  type BatchAnswer,
  type Conversion,
  type ConversionName,
  createHttpClient,
  deliverInBatches,
  type ItemResult,
  jsonByteLength,
  MoneyError,
  redactIssues,
  redactSecrets,
  type SendOptions,
  type Sink,
  SinkError,
  sendHandled,
  systemClock,
  toLogger,
} from "@revtrace/core";
import { hashIdentityValue } from "@revtrace/identity";
import {
  type TikTokEvent,
  TikTokEventSchema,
  type TikTokResponse,
  TikTokResponseSchema,
  type TikTokTrackRequest,
} from "./tiktok-api-types.js";
import {
  invalidItemError,
  isInvalidEventError,
  refusedIndexes,
  requestLevelError,
  TIKTOK_SINK_NAME,
  tiktokResponseError,
} from "./tiktok-error.js";
import { mapConversion } from "./tiktok-mapper.js";
import { failedEventsOf, type TikTokFailedEvent } from "./tiktok-partial.js";
import {
  parseTikTokSinkOptions,
  type TikTokSinkOptions,
  type TikTokTarget,
} from "./tiktok-settings.js";
import { USER_AGENT } from "./version.js";

/** Options of {@link TikTokSink.verifyCredentials}. */
export interface TikTokVerifyOptions extends SendOptions {
  /**
   * `test_event_code` from Events Manager → Test Events (defaults to the sink's `testEventCode`). With
   * it, one test event per pixel is sent and must be accepted; TikTok keeps test events out of
   * reporting (TikTok spec §9).
   */
  testEventCode?: string;
}

/** The TikTok sink: a {@link Sink} of conversions. */
export interface TikTokSink extends Sink<Conversion> {
  readonly name: "tiktok";
  /**
   * Checks every (pixel, token) pair of the mapping; throws a `SinkError` (`vendorCode` 40001, 40105,
   * …) when TikTok refuses one.
   *
   * - With a test event code (`testEventCode` here or on the sink): one test event per pair, named
   *   after the first event mapped to that pixel, which TikTok must accept (code 0). It shows up in
   *   Events Manager → Test Events and is kept out of reporting (TikTok spec §9). This is the real
   *   check.
   * - Without one: an empty batch per pair, and TikTok's 40061 ("invalid batch size") counts as
   *   success; nothing is recorded. Weaker: TikTok does not document that it checks the token and the
   *   pixel before the batch size, so a bad pair passes unnoticed if it does not.
   */
  verifyCredentials(options?: TikTokVerifyOptions): Promise<void>;
}

/** A validated event waiting to be sent, with its conversion's position in the `send`. */
interface Pending {
  index: number;
  id: string;
  event: TikTokEvent;
}

const TRACK_PATH = "event/track/";

/** The synthetic user of credential-check test events: a hashed key that is no one's data. */
const CHECK_ID = "revtrace-credentials-check";

/**
 * Creates the TikTok sink. Options are validated at once (throws `ConfigError` naming the field).
 *
 * @example
 * const sink = createTikTokSink({ accessToken: process.env.TIKTOK_TOKEN, pixelCode: "C4ABCDEF" });
 * const results = await sink.send(conversions);
 */
export function createTikTokSink(options: TikTokSinkOptions): TikTokSink {
  const settings = parseTikTokSinkOptions(options);
  const logger = toLogger(settings.logger);
  const now = settings.now ?? systemClock;
  // Each (pixel, token) pair, with the first TikTok event mapped to it (used by verifyCredentials).
  const targets = new Map<string, { target: TikTokTarget; event: string }>();
  for (const mapping of Object.values(settings.events)) {
    if (!mapping) continue;
    const key = `${mapping.pixelCode}\n${mapping.accessToken}`;
    if (!targets.has(key)) {
      const { pixelCode, accessToken, event } = mapping;
      targets.set(key, { target: { pixelCode, accessToken }, event });
    }
  }
  // The names with a TikTok event mapped: everything else is skipped before mapping.
  const handles: ReadonlySet<ConversionName> = new Set(
    (Object.keys(settings.events) as ConversionName[]).filter(
      (name) => settings.events[name as keyof typeof settings.events],
    ),
  );
  const secrets = [
    ...new Set([settings.accessToken, ...[...targets.values()].map((t) => t.target.accessToken)]),
  ];
  const client = createHttpClient({
    name: TIKTOK_SINK_NAME,
    baseUrl: settings.baseUrl,
    userAgent: USER_AGENT,
    fetch: settings.fetch,
    timeoutMs: settings.timeoutMs,
    // TikTok spec §6 ("HTTP 5xx, 429, network error/timeout | transport failure | yes"): every 5xx,
    // 501 and 505 included, unlike core's default.
    retry: { every5xx: true, ...settings.retry },
    logger: settings.logger,
    secrets,
    onRetry: settings.onRetry,
  });

  /** The request body of `data` for `target`. */
  function envelope(
    target: TikTokTarget,
    data: TikTokEvent[],
    testEventCode = settings.testEventCode,
  ): TikTokTrackRequest {
    const body: TikTokTrackRequest = {
      event_source: "web",
      event_source_id: target.pixelCode,
      data,
    };
    // test_event_code is request-level (TikTok spec §2.1, §9): this sink sends only test traffic then.
    if (testEventCode) body.test_event_code = testEventCode;
    if (settings.partnerName) body.partner_name = settings.partnerName;
    return body;
  }

  function post(
    target: TikTokTarget,
    data: TikTokEvent[],
    signal: AbortSignal | undefined,
    {
      testEventCode = settings.testEventCode,
      accept = () => false,
      seen = () => {},
    }: {
      testEventCode?: string | undefined;
      accept?: (answer: TikTokResponse) => boolean;
      seen?: (answer: TikTokResponse) => void;
    } = {},
  ) {
    const body = envelope(target, data, testEventCode);
    return client.request({
      method: "POST",
      path: TRACK_PATH,
      json: body,
      // TikTok spec §1: the raw token in `Access-Token`, no `Bearer ` prefix.
      headers: { "access-token": target.accessToken },
      schema: TikTokResponseSchema,
      signal,
      interpret: (answer, status) => {
        seen(answer);
        return accept(answer) ? undefined : tiktokResponseError(answer, status, secrets);
      },
    });
  }

  /**
   * Posts one batch and answers what TikTok did with it, for core's `deliverInBatches`:
   * - code 0: accepted;
   * - code 20001 (partial OK): accepted, except the events the answer names as failed (see
   *   `tiktok-partial.ts`), which are rejected on their own;
   * - 40002 / 40062 (TikTok spec §5, §6: all-or-nothing validation refused an event): refused, with
   *   the events the message names (`Batch.3.…`) as a hint, which core confirms before trusting.
   * Every other failure (token, pixel, throttling after the retries, transport) is thrown and ends
   * the whole send.
   */
  async function sendBatch(
    target: TikTokTarget,
    batch: readonly Pending[],
    signal: AbortSignal | undefined,
  ): Promise<BatchAnswer> {
    let last: TikTokResponse | undefined;
    try {
      const response = await post(
        target,
        batch.map((p) => p.event),
        signal,
        { seen: (answer) => (last = answer) },
      );
      const { code, message, request_id: requestId } = response.data;
      if (code !== 20001) {
        logger.debug(
          { sink: TIKTOK_SINK_NAME, requestId, events: batch.length },
          "tiktok: batch delivered",
        );
        return { outcome: "accepted" };
      }
      const failed = failedEventsOf(response.data, batch.length);
      logger.warn(
        {
          sink: TIKTOK_SINK_NAME,
          code,
          requestId,
          events: batch.length,
          failed: failed.length,
          message: redactSecrets(message, secrets),
        },
        failed.length > 0
          ? "tiktok: partial success (code 20001); the events TikTok reports as failed are rejected"
          : "tiktok: partial success (code 20001) naming no event; every event treated as delivered",
      );
      return {
        outcome: "accepted",
        failed: failed.map((event) => ({
          index: event.index,
          error: partialError(response.data, response.status, event),
        })),
      };
    } catch (error) {
      if (!isInvalidEventError(error)) throw error;
      return {
        outcome: "refused",
        error,
        named: refusedIndexes(last?.message ?? "", batch.length),
      };
    }
  }

  /**
   * Core's request-level probe: the same request without any event. TikTok answers an empty batch
   * 40061 ("invalid batch size", spec §6) once the token, the pixel and the envelope have passed, so
   * 40061 (or 0) means the refusal was about events; the same 40002/40062 means the request itself is
   * at fault. Any other refusal (a bad token, a pixel the token cannot write to) is thrown as it is.
   */
  async function probe(target: TikTokTarget, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await post(target, [], signal, {
        accept: (answer) => answer.code === 0 || answer.code === 40061,
      });
      return false;
    } catch (error) {
      if (isInvalidEventError(error)) return true;
      throw error;
    }
  }

  /** The error of an event a 20001 answer reports as failed: its own, never retried. */
  function partialError(answer: TikTokResponse, status: number, event: TikTokFailedEvent) {
    const reason = event.message ? `: ${redactSecrets(event.message, secrets)}` : "";
    const requestId = answer.request_id ? `, request_id ${answer.request_id}` : "";
    return new SinkError(
      `${TIKTOK_SINK_NAME}: TikTok code 20001 (partial OK) reports this event as failed${reason}${requestId}`,
      {
        sink: TIKTOK_SINK_NAME,
        reason: "invalid_item",
        retryable: false,
        status,
        vendorCode: 20001,
        responseBody: redactSecrets(JSON.stringify(answer), secrets),
      },
    );
  }

  /**
   * Delivers one pixel's events through core's batch isolation: requests of at most `batchSize`
   * events and `maxBatchBytes` bytes, sent at once, one after the other; a refused request is
   * narrowed down (named events alone, else bisection) until every good event is delivered and each
   * bad one is rejected on its own.
   */
  async function deliverPixel(
    target: TikTokTarget,
    pending: readonly Pending[],
    results: ItemResult[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const settled = await deliverInBatches(pending, {
      name: TIKTOK_SINK_NAME,
      idOf: (p) => p.id,
      limits: {
        maxItems: settings.batchSize,
        maxBytes: settings.maxBatchBytes,
        overheadBytes: jsonByteLength(envelope(target, [])),
      },
      sizeOf: (p) => jsonByteLength(p.event),
      send: (batch) => sendBatch(target, batch, signal),
      probeRequest: () => probe(target, signal),
      itemError: invalidItemError,
      requestError: requestLevelError,
      logger: settings.logger,
    });
    pending.forEach((p, position) => {
      results[p.index] = settled[position] as ItemResult;
    });
  }

  /** Maps, validates and delivers the handled items, grouped by (pixel, token). */
  async function sendMapped(
    items: readonly Conversion[],
    signal: AbortSignal | undefined,
  ): Promise<ItemResult[]> {
    const at = now();
    const ids = items.map((item) => item.id);
    const results: ItemResult[] = new Array(items.length);
    const groups = new Map<string, { target: TikTokTarget; pending: Pending[] }>();
    items.forEach((conversion, index) => {
      const id = ids[index] as string;
      let mapped: ReturnType<typeof mapConversion>;
      try {
        mapped = mapConversion(conversion, settings, at);
      } catch (error) {
        // A MoneyError says what is wrong (an amount no JSON number holds), never a value.
        const why = MoneyError.isInstance(error) ? `: ${error.message}` : "";
        results[index] = {
          id,
          status: "rejected",
          error: localError(`the conversion could not be mapped${why}`, error),
        };
        return;
      }
      if (mapped.kind === "skip") {
        results[index] = { id, status: "skipped", reason: mapped.reason };
        return;
      }
      for (const note of mapped.notes)
        logger.warn({ sink: TIKTOK_SINK_NAME, item: id }, `tiktok: ${note}`);
      // Validate every event locally before batching: one bad event fails a whole request (spec §5, §11).
      const checked = TikTokEventSchema.safeParse(mapped.event);
      if (!checked.success) {
        const fields = checked.error.issues.map((issue) => issue.path.join(".")).join(", ");
        results[index] = {
          id,
          status: "rejected",
          error: localError(`invalid event (${fields})`, redactIssues(checked.error.issues)),
        };
        return;
      }
      // An event that cannot fit in a request on its own (maxBatchBytes) is refused alone, never
      // sent: TikTok documents no field length to trim to (spec §5: ~1 MB per request is safe).
      const bytes = jsonByteLength(mapped.event);
      const overhead = jsonByteLength(envelope(mapped.target, []));
      if (bytes + overhead > settings.maxBatchBytes) {
        results[index] = {
          id,
          status: "rejected",
          error: localError(
            `the event is ${bytes} bytes, too large for one request (maxBatchBytes ${settings.maxBatchBytes})`,
            undefined,
          ),
        };
        return;
      }
      const key = `${mapped.target.pixelCode}\n${mapped.target.accessToken}`;
      const group = groups.get(key) ?? { target: mapped.target, pending: [] };
      group.pending.push({ index, id, event: mapped.event });
      groups.set(key, group);
    });
    // One (pixel, token) group's failure is its own: a refused token or pixel (40001), or an outage
    // that outlasted the retries, rejects that group's items with the error (retryable as it is),
    // and the other groups are still sent. Only when every group failed does the send throw (as a
    // send to a single pixel does), and an abort always stops it.
    const failures: SinkError[] = [];
    for (const { target, pending } of groups.values()) {
      try {
        await deliverPixel(target, pending, results, signal);
      } catch (error) {
        if (signal?.aborted || !SinkError.isInstance(error) || error.reason === "aborted") {
          throw error;
        }
        logger.warn(
          {
            sink: TIKTOK_SINK_NAME,
            pixelCode: target.pixelCode,
            items: pending.length,
            vendorCode: error.vendorCode,
            retryable: error.retryable,
          },
          "tiktok: a pixel's request failed; its events are rejected, other pixels still sent",
        );
        failures.push(error);
        for (const p of pending) results[p.index] = { id: p.id, status: "rejected", error };
      }
    }
    if (failures.length > 0 && failures.length === groups.size) throw failures[0];
    return results;
  }

  return {
    specificationVersion: "v1",
    name: TIKTOK_SINK_NAME,
    handles,

    async send(items, sendOptions = {}) {
      const { signal } = sendOptions;
      if (signal?.aborted) {
        throw new SinkError(`${TIKTOK_SINK_NAME}: request aborted`, {
          sink: TIKTOK_SINK_NAME,
          reason: "aborted",
          retryable: false,
          cause: signal.reason,
        });
      }
      return sendHandled(
        TIKTOK_SINK_NAME,
        handles,
        items,
        (handled) => sendMapped(handled, signal),
        unhandledReason,
      );
    },

    async verifyCredentials(verifyOptions = {}) {
      const testEventCode = verifyOptions.testEventCode ?? settings.testEventCode;
      for (const { target, event } of targets.values()) {
        if (testEventCode) {
          // TikTok spec §9: test events appear under Test Events and are excluded from reporting.
          const seconds = Math.floor(now() / 1000);
          const check: TikTokEvent = {
            event,
            event_time: seconds,
            event_id: `${CHECK_ID}-${seconds}`,
            user: { external_id: hashIdentityValue(CHECK_ID) },
          };
          await post(target, [check], verifyOptions.signal, { testEventCode });
        } else {
          // 40061 (empty batch) counts as success: the order of TikTok's checks is not documented.
          logger.info(
            { sink: TIKTOK_SINK_NAME, pixelCode: target.pixelCode },
            "tiktok: checking credentials with an empty batch; pass testEventCode for a real check",
          );
          await post(target, [], verifyOptions.signal, {
            accept: (answer) => answer.code === 0 || answer.code === 40061,
          });
        }
      }
    },
  };
}

/** Why a conversion name is not sent: TikTok has no refund event (spec §3), the rest is unmapped. */
function unhandledReason(name: ConversionName): string {
  return name === "refund"
    ? "refunds have no TikTok event"
    : `no TikTok event is mapped to ${name}`;
}

function localError(message: string, cause: unknown): SinkError {
  return new SinkError(`${TIKTOK_SINK_NAME}: ${message}`, {
    sink: TIKTOK_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    cause,
  });
}
