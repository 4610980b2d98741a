/**
 * `createTikTokSink`: delivers conversions to the TikTok Events API 2.0 (`event/track`), in batches,
 * on the core HTTP client (the one retry layer). Section numbers refer to
 * shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import {
  type Conversion,
  type ConversionName,
  createHttpClient,
  type ItemResult,
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

interface Pending {
  index: number;
  event: TikTokEvent;
}

/** A batch TikTok refused because of an event in it, with TikTok's own message. */
interface Refusal {
  error: SinkError;
  message: string;
}

/** One pixel's share of a `send`: where to post, and the results it fills in. */
interface Run {
  target: TikTokTarget;
  results: ItemResult[];
  ids: readonly string[];
  signal: AbortSignal | undefined;
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
    retry: settings.retry,
    logger: settings.logger,
    secrets,
    onRetry: settings.onRetry,
  });

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
    const body: TikTokTrackRequest = {
      event_source: "web",
      event_source_id: target.pixelCode,
      data,
    };
    // test_event_code is request-level (TikTok spec §2.1, §9): this sink sends only test traffic then.
    if (testEventCode) body.test_event_code = testEventCode;
    if (settings.partnerName) body.partner_name = settings.partnerName;
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
   * Posts one batch: marks its items delivered, or answers the refusal when TikTok refused it because
   * of an event in it (40002, 40062). Every other failure is thrown for the whole send.
   */
  async function attempt(run: Run, batch: Pending[]): Promise<Refusal | undefined> {
    let last: TikTokResponse | undefined;
    try {
      const response = await post(
        run.target,
        batch.map((p) => p.event),
        run.signal,
        { seen: (answer) => (last = answer) },
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
            message: redactSecrets(message, secrets),
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
        run.results[index] = { id: run.ids[index] as string, status: "delivered" };
      return undefined;
    } catch (error) {
      if (!isInvalidEventError(error)) throw error;
      return { error, message: last?.message ?? "" };
    }
  }

  /** Sends one batch; a refusal caused by an event is narrowed down by {@link isolate}. */
  async function deliver(run: Run, batch: Pending[]): Promise<void> {
    const refusal = await attempt(run, batch);
    if (refusal) await isolate(run, batch, refusal);
  }

  /**
   * TikTok validates all-or-nothing (spec §5), so a refused batch is narrowed down until only the bad
   * events are rejected and the rest is delivered:
   * - when TikTok's message names events (`Batch.3.…`), each named event is sent alone (so that only a
   *   refusal TikTok confirms rejects it) and the rest together;
   * - otherwise the batch is split in halves. When both halves are refused exactly as the whole batch
   *   was, the request, not an event, is at fault: the batch fails with one `SinkError` instead of
   *   costing a request per event and rejecting every event.
   */
  async function isolate(run: Run, batch: Pending[], refusal: Refusal): Promise<void> {
    if (batch.length === 1) {
      const { index } = batch[0] as Pending;
      logger.warn(
        { sink: TIKTOK_SINK_NAME, code: refusal.error.vendorCode, item: run.ids[index] },
        "tiktok: event rejected",
      );
      run.results[index] = {
        id: run.ids[index] as string,
        status: "rejected",
        error: invalidItemError(refusal.error),
      };
      return;
    }
    const named = refusedIndexes(refusal.message, batch.length);
    if (named.length > 0) {
      logger.info(
        { sink: TIKTOK_SINK_NAME, code: refusal.error.vendorCode, events: batch.length, named },
        "tiktok: batch refused because of the events TikTok named; sending them alone",
      );
      for (const position of named) await deliver(run, [batch[position] as Pending]);
      const rest = batch.filter((_, position) => !named.includes(position));
      if (rest.length > 0) await deliver(run, rest);
      return;
    }
    logger.info(
      { sink: TIKTOK_SINK_NAME, code: refusal.error.vendorCode, events: batch.length },
      "tiktok: batch refused because of an event; bisecting",
    );
    const half = Math.ceil(batch.length / 2);
    const halves = [batch.slice(0, half), batch.slice(half)] as const;
    const first = await attempt(run, halves[0]);
    const second = await attempt(run, halves[1]);
    if (first && second && sameRefusal(first, refusal) && sameRefusal(second, refusal)) {
      throw requestLevelError(refusal.error);
    }
    if (first) await isolate(run, halves[0], first);
    if (second) await isolate(run, halves[1], second);
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
      const run: Run = { target, results, ids, signal };
      for (let start = 0; start < pending.length; start += settings.batchSize) {
        await deliver(run, pending.slice(start, start + settings.batchSize));
      }
    }
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

/** Same code and same message: nothing tells the two refusals apart. */
function sameRefusal(a: Refusal, b: Refusal): boolean {
  return a.error.vendorCode === b.error.vendorCode && a.message === b.message;
}

function localError(message: string, cause: unknown): SinkError {
  return new SinkError(`${TIKTOK_SINK_NAME}: ${message}`, {
    sink: TIKTOK_SINK_NAME,
    reason: "invalid_item",
    retryable: false,
    cause,
  });
}
