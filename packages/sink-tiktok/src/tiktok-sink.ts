/**
 * `createTikTokSink`: delivers conversions to the TikTok Events API 2.0 (`event/track`), in batches,
 * on the core HTTP client (the one retry layer). Section numbers refer to
 * shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import {
  type Conversion,
  createHttpClient,
  type ItemResult,
  redactIssues,
  type SendOptions,
  type Sink,
  SinkError,
  systemClock,
  toLogger,
} from "@revtrace/core";
import {
  type TikTokEvent,
  TikTokEventSchema,
  type TikTokResponse,
  TikTokResponseSchema,
  type TikTokTrackRequest,
} from "./tiktok-api-types.js";
import {
  cleanResponseText,
  invalidItemError,
  isInvalidEventError,
  TIKTOK_SINK_NAME,
  tiktokResponseError,
} from "./tiktok-error.js";
import { mapConversion } from "./tiktok-mapper.js";
import {
  parseTikTokSinkOptions,
  type TikTokSinkOptions,
  type TikTokTarget,
} from "./tiktok-settings.js";
import { USER_AGENT } from "./version.js";

/** The TikTok sink: a {@link Sink} of conversions. */
export interface TikTokSink extends Sink<Conversion> {
  readonly name: "tiktok";
  /**
   * Checks every (pixel, token) pair of the mapping by sending an empty batch: TikTok checks the
   * token and the pixel permission first, then refuses the empty batch (code 40061), so nothing is
   * recorded. Throws a `SinkError` (`vendorCode` 40001, 40105, …) when a token or pixel is wrong.
   */
  verifyCredentials(options?: SendOptions): Promise<void>;
}

interface Pending {
  index: number;
  event: TikTokEvent;
}

const TRACK_PATH = "event/track/";

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
  const targets = new Map<string, TikTokTarget>();
  for (const mapping of Object.values(settings.events)) {
    if (mapping) targets.set(`${mapping.pixelCode}\n${mapping.accessToken}`, mapping);
  }
  const secrets = [
    ...new Set([settings.accessToken, ...[...targets.values()].map((t) => t.accessToken)]),
  ];
  const client = createHttpClient({
    name: TIKTOK_SINK_NAME,
    baseUrl: settings.baseUrl,
    userAgent: USER_AGENT,
    fetch: settings.fetch,
    timeoutMs: settings.timeoutMs,
    retry: settings.retry,
    logger: settings.logger,
    secrets,
  });

  function post(
    target: TikTokTarget,
    data: TikTokEvent[],
    signal: AbortSignal | undefined,
    accept: (body: TikTokResponse) => boolean = () => false,
  ) {
    const body: TikTokTrackRequest = {
      event_source: "web",
      event_source_id: target.pixelCode,
      data,
    };
    // test_event_code is request-level (TikTok spec §2.1, §9): this sink sends only test traffic then.
    if (settings.testEventCode) body.test_event_code = settings.testEventCode;
    if (settings.partnerName) body.partner_name = settings.partnerName;
    return client.request({
      method: "POST",
      path: TRACK_PATH,
      json: body,
      // TikTok spec §1: the raw token in `Access-Token`, no `Bearer ` prefix.
      headers: { "access-token": target.accessToken },
      schema: TikTokResponseSchema,
      signal,
      interpret: (answer, status) =>
        accept(answer) ? undefined : tiktokResponseError(answer, status, secrets),
    });
  }

  /**
   * Sends one batch. A refusal caused by an event (40002, …) splits the batch in halves until the bad
   * event is alone and rejected; TikTok validates all-or-nothing, so the rest is delivered (spec §5).
   */
  async function deliver(
    target: TikTokTarget,
    batch: Pending[],
    results: ItemResult[],
    ids: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    try {
      const response = await post(
        target,
        batch.map((p) => p.event),
        signal,
      );
      const { code, message, request_id: requestId } = response.data;
      if (code === 20001) {
        // Partial OK: delivered, but say what TikTok reported (TikTok spec §6).
        logger.warn(
          {
            sink: TIKTOK_SINK_NAME,
            code,
            requestId,
            events: batch.length,
            message: cleanResponseText(message, secrets),
          },
          "tiktok: partial success (code 20001); events treated as delivered",
        );
      } else {
        logger.debug(
          { sink: TIKTOK_SINK_NAME, requestId, events: batch.length },
          "tiktok: batch delivered",
        );
      }
      for (const { index } of batch)
        results[index] = { id: ids[index] as string, status: "delivered" };
    } catch (error) {
      if (!isInvalidEventError(error)) throw error;
      if (batch.length === 1) {
        const { index } = batch[0] as Pending;
        logger.warn(
          { sink: TIKTOK_SINK_NAME, code: error.vendorCode, item: ids[index] },
          "tiktok: event rejected",
        );
        results[index] = {
          id: ids[index] as string,
          status: "rejected",
          error: invalidItemError(error),
        };
        return;
      }
      const half = Math.ceil(batch.length / 2);
      logger.info(
        { sink: TIKTOK_SINK_NAME, code: error.vendorCode, events: batch.length },
        "tiktok: batch refused because of an event; bisecting",
      );
      await deliver(target, batch.slice(0, half), results, ids, signal);
      await deliver(target, batch.slice(half), results, ids, signal);
    }
  }

  return {
    specificationVersion: "v1",
    name: TIKTOK_SINK_NAME,

    async send(items, sendOptions = {}) {
      const { signal } = sendOptions;
      if (signal?.aborted) {
        throw new SinkError(`${TIKTOK_SINK_NAME}: request aborted`, {
          sink: TIKTOK_SINK_NAME,
          reason: "aborted",
          retryable: true,
          cause: signal.reason,
        });
      }
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
          results[index] = {
            id,
            status: "rejected",
            error: localError("the conversion could not be mapped", error),
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
        const key = `${mapped.target.pixelCode}\n${mapped.target.accessToken}`;
        const group = groups.get(key) ?? { target: mapped.target, pending: [] };
        group.pending.push({ index, event: mapped.event });
        groups.set(key, group);
      });
      for (const { target, pending } of groups.values()) {
        for (let start = 0; start < pending.length; start += settings.batchSize) {
          await deliver(
            target,
            pending.slice(start, start + settings.batchSize),
            results,
            ids,
            signal,
          );
        }
      }
      return results;
    },

    async verifyCredentials(verifyOptions = {}) {
      for (const target of targets.values()) {
        // 40061 (empty batch) means the token and the pixel passed TikTok's checks.
        await post(
          target,
          [],
          verifyOptions.signal,
          (answer) => answer.code === 0 || answer.code === 40061,
        );
      }
    },
  };
}

function localError(message: string, cause: unknown): SinkError {
  return new SinkError(`${TIKTOK_SINK_NAME}: ${message}`, {
    sink: TIKTOK_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    cause,
  });
}
