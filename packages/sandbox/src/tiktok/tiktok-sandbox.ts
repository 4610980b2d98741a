/**
 * A local emulator of TikTok's Events API 2.0 (`POST /open_api/v1.3/event/track/`): validates each
 * request against the documented contract, answers the TikTok way (HTTP 200 with `code`, `message`,
 * `request_id`, `data`), records what it accepted (with TikTok's 48-hour `event` + `event_id`
 * deduplication), and fails on demand. Section numbers refer to shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import { type Clock, parseOptions, systemClock } from "@revtrace/core";
import type { RequestHandler } from "msw";
import { z } from "zod";
import { mswHandlers } from "../msw-handlers.js";
import {
  createFailureQueue,
  failureOutcome,
  SandboxFailureSchema,
  type SandboxOutcome,
  type SandboxRequest,
  type VendorEmulator,
} from "../sandbox-types.js";
import {
  NOT_HASHED_MESSAGE,
  TIKTOK_CODE_MESSAGES,
  TIKTOK_CODES,
  TIKTOK_MAX_EVENTS,
  TIKTOK_ORIGIN,
  TIKTOK_TRACK_PATH,
  TikTokRequestContract,
  tiktokEventContract,
} from "./tiktok-contract.js";

/** Failures the TikTok emulator can be told to produce. */
export const TikTokFailureSchema = z.union([
  SandboxFailureSchema,
  z.strictObject({
    /** HTTP 200 with this body `code` (e.g. 40100 rate limit, 50000 system error, 40105 bad token). */
    type: z.literal("code"),
    code: z.number().int(),
    message: z.string().optional(),
  }),
  z.strictObject({
    /** Code 20001 (partial OK): the events at these indexes of `data[]` are dropped, the rest recorded. */
    type: z.literal("partial"),
    failedIndexes: z.array(z.number().int().nonnegative()),
  }),
]);
export type TikTokFailure = z.infer<typeof TikTokFailureSchema>;

/** How a rule's refusal is worded in the 40002 answer. */
export interface TikTokRejectOptions {
  /**
   * `true`: the message names the event's index (`Batch.3: …`), as TikTok's validation messages do
   * (TikTok spec §5). `false`: the message names no event (`Param error: …`), as some of TikTok's
   * answers do, so a client must find the event itself. @default true
   */
  nameIndex?: boolean;
}

/** A rule refusing events: returns a message (the request is answered 40002) or `undefined`. */
export type TikTokEventRule = (
  event: Readonly<Record<string, unknown>>,
  index: number,
) => string | undefined;

/** Options of {@link createTikTokSandbox}. */
export interface TikTokSandboxOptions {
  /**
   * Known tokens and the pixels each may write to. Unknown tokens answer 40105, other pixels 40001.
   * When omitted, any non-empty token may write to any pixel.
   */
  credentials?: ReadonlyArray<{ accessToken: string; pixelCodes: readonly string[] }>;
  /** Partner names TikTok registered; others answer 40063. When omitted, any name is accepted. */
  partnerNames?: readonly string[];
  /** Oldest accepted `event_time`, in days (TikTok spec §8: 28-day attribution). @default 28 */
  maxEventAgeDays?: number;
  /** Tolerated clock skew of `event_time` into the future, seconds. @default 300 */
  maxClockSkewSeconds?: number;
  /** The clock (epoch milliseconds). */
  now?: Clock;
  /** Origin intercepted by {@link TikTokSandbox.handlers}. @default "https://business-api.tiktok.com" */
  origin?: string;
}

/** One event the emulator accepted. */
export interface TikTokRecordedEvent {
  requestId: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  pixelCode: string;
  testEventCode: string | undefined;
  /** True when TikTok would drop it: same pixel, `event` and `event_id` seen within 48 h (spec §7). */
  duplicate: boolean;
  /** The `data[]` element as received. */
  event: Readonly<Record<string, unknown>>;
}

/** One request the emulator answered. */
export interface TikTokRequestLogEntry {
  requestId: string;
  receivedAt: number;
  /** HTTP status answered (0 for a dropped connection). */
  status: number;
  /** Body `code`, when the answer had one. */
  code: number | undefined;
  message: string;
  /** `data.length` of the request, when it parsed. */
  events: number;
}

/** The TikTok emulator. */
export interface TikTokSandbox extends VendorEmulator {
  readonly name: "tiktok";
  /** Every accepted event, in order. */
  readonly recorded: readonly TikTokRecordedEvent[];
  /** Every request answered, in order. */
  readonly requests: readonly TikTokRequestLogEntry[];
  /** Serves `failure` to the next `times` requests (default 1), before any validation. */
  failNext(failure: TikTokFailure, times?: number): void;
  /**
   * Adds a rule refusing events until `reset()`: a request holding such an event is answered 40002
   * as a whole (all-or-nothing, TikTok spec §5), naming the event's index unless
   * `options.nameIndex` is `false`.
   */
  rejectEvents(rule: TikTokEventRule, options?: TikTokRejectOptions): void;
  /** msw handlers for tests; `origin` defaults to the emulator's origin. */
  handlers(origin?: string): RequestHandler[];
}

const DEDUPE_WINDOW_MS = 48 * 3_600_000;

const OptionsSchema = z.strictObject({
  credentials: z
    .array(
      z.strictObject({ accessToken: z.string().min(1), pixelCodes: z.array(z.string().min(1)) }),
    )
    .optional(),
  partnerNames: z.array(z.string().min(1)).optional(),
  maxEventAgeDays: z.number().positive().optional(),
  maxClockSkewSeconds: z.number().nonnegative().optional(),
  now: z.custom<Clock>((value) => typeof value === "function", "must be a function").optional(),
  origin: z.url().optional(),
});

const NGINX_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

function pathOf(issuePath: readonly PropertyKey[]): string {
  return issuePath.map(String).join(".");
}

function parseFailure(failure: unknown): TikTokFailure {
  return parseOptions(TikTokFailureSchema, failure, "TikTok sandbox failure");
}

/** Creates a TikTok Events API emulator. Throws `ConfigError` on bad options. */
export function createTikTokSandbox(options: TikTokSandboxOptions = {}): TikTokSandbox {
  const settings = parseOptions(OptionsSchema, options, "TikTok sandbox options");
  const now = settings.now ?? systemClock;
  const origin = (settings.origin ?? TIKTOK_ORIGIN).replace(/\/+$/, "");
  const maxAgeDays = settings.maxEventAgeDays ?? 28;
  const maxSkewSeconds = settings.maxClockSkewSeconds ?? 300;
  const credentials = settings.credentials
    ? new Map(settings.credentials.map((c) => [c.accessToken, new Set(c.pixelCodes)]))
    : undefined;
  const partnerNames = settings.partnerNames ? new Set(settings.partnerNames) : undefined;
  const eventContract = tiktokEventContract(() => ({ now: now(), maxAgeDays, maxSkewSeconds }));

  const recorded: TikTokRecordedEvent[] = [];
  const requests: TikTokRequestLogEntry[] = [];
  const firstSeen = new Map<string, number>();
  const failures = createFailureQueue<TikTokFailure>();
  const rules: Array<{ rule: TikTokEventRule; nameIndex: boolean }> = [];
  let counter = 0;

  const nextRequestId = (at: number) => {
    counter++;
    // TikTok's ids start with a UTC timestamp; the rest is a counter here, so runs are reproducible.
    const stamp = new Date(at).toISOString().replace(/\D/g, "").slice(0, 14);
    return `${stamp}SANDBOX${counter.toString(16).toUpperCase().padStart(12, "0")}`;
  };

  function answer(
    at: number,
    requestId: string,
    events: number,
    code: number,
    message = TIKTOK_CODE_MESSAGES[code] ?? "Error",
    data: unknown = {},
  ): SandboxOutcome {
    requests.push({ requestId, receivedAt: at, status: 200, code, message, events });
    // Business errors are HTTP 200 with a non-zero code (TikTok spec §6).
    const body = JSON.stringify({ code, message, request_id: requestId, data });
    return {
      kind: "respond",
      response: { status: 200, headers: { "content-type": "application/json" }, body },
    };
  }

  function handle(request: SandboxRequest): SandboxOutcome {
    const at = now();
    const requestId = nextRequestId(at);
    const pathname = request.path.split("?")[0];
    if (pathname !== TIKTOK_TRACK_PATH) {
      requests.push({
        requestId,
        receivedAt: at,
        status: 404,
        code: undefined,
        message: "not found",
        events: 0,
      });
      return {
        kind: "respond",
        response: { status: 404, headers: { "content-type": "text/html" }, body: NGINX_PAGE(404) },
      };
    }
    if (request.method !== "POST") {
      requests.push({
        requestId,
        receivedAt: at,
        status: 405,
        code: undefined,
        message: "method not allowed",
        events: 0,
      });
      return {
        kind: "respond",
        response: { status: 405, headers: { "content-type": "text/html" }, body: NGINX_PAGE(405) },
      };
    }

    const failure = failures.next();
    if (failure?.type === "code") return answer(at, requestId, 0, failure.code, failure.message);
    if (failure && failure.type !== "partial") {
      const outcome = failureOutcome(failure, NGINX_PAGE);
      const status = outcome.kind === "respond" ? outcome.response.status : 0;
      requests.push({
        requestId,
        receivedAt: at,
        status,
        code: undefined,
        message: `injected ${failure.type}`,
        events: 0,
      });
      return outcome;
    }

    // TikTok spec §1: the raw token in `Access-Token`; a `Bearer ` prefix is a known cause of 40105.
    const token = request.headers.get("access-token")?.trim() ?? "";
    if (token === "") return answer(at, requestId, 0, TIKTOK_CODES.EMPTY_ACCESS_TOKEN);
    if (/^bearer\s/i.test(token)) {
      return answer(
        at,
        requestId,
        0,
        TIKTOK_CODES.INVALID_ACCESS_TOKEN,
        "Access token must not have a Bearer prefix",
      );
    }
    if (credentials && !credentials.has(token))
      return answer(at, requestId, 0, TIKTOK_CODES.INVALID_ACCESS_TOKEN);

    // TikTok spec §1: `Content-Type: application/json`. The spec names no error for another type; it
    // is answered like a body that is not JSON: a business error (HTTP 200, spec §6) with code 40000
    // "invalid params", so nothing sent as `text/plain` is recorded.
    const contentType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim();
    if (contentType?.toLowerCase() !== "application/json") {
      return answer(
        at,
        requestId,
        0,
        TIKTOK_CODES.INVALID_PARAMS,
        "Invalid params: Content-Type must be application/json",
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return answer(
        at,
        requestId,
        0,
        TIKTOK_CODES.INVALID_PARAMS,
        "Invalid params: the body is not JSON",
      );
    }
    const top = TikTokRequestContract.safeParse(json);
    if (!top.success) {
      const details = top.error.issues
        .map((issue) => `${pathOf(issue.path)}: ${issue.message}`)
        .join("; ");
      return answer(at, requestId, 0, TIKTOK_CODES.PARAM_ERROR, details);
    }
    const body = top.data;
    const events = body.data.length;
    if (credentials && !credentials.get(token)?.has(body.event_source_id)) {
      return answer(at, requestId, events, TIKTOK_CODES.PERMISSION_ERROR);
    }
    // TikTok spec §5: 1–1,000 events per request, otherwise the whole request is refused.
    if (events === 0 || events > TIKTOK_MAX_EVENTS) {
      return answer(
        at,
        requestId,
        events,
        TIKTOK_CODES.INVALID_BATCH_SIZE,
        `Invalid batch size: ${events}`,
      );
    }
    if (body.partner_name !== undefined && partnerNames && !partnerNames.has(body.partner_name)) {
      return answer(at, requestId, events, TIKTOK_CODES.INVALID_PARTNER_NAME);
    }

    // All-or-nothing validation; messages name the offending index (TikTok spec §5).
    const problems: string[] = [];
    let notHashed = false;
    body.data.forEach((element, index) => {
      const checked = eventContract.safeParse(element);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          if (issue.message === NOT_HASHED_MESSAGE) notHashed = true;
          problems.push(`Batch.${index}.${pathOf(issue.path)}: ${issue.message}`);
        }
        return;
      }
      for (const { rule, nameIndex } of rules) {
        const refused = rule(element as Record<string, unknown>, index);
        if (refused === undefined) continue;
        problems.push(nameIndex ? `Batch.${index}: ${refused}` : `Param error: ${refused}`);
      }
    });
    if (problems.length > 0) {
      const code = notHashed ? TIKTOK_CODES.PII_NOT_HASHED : TIKTOK_CODES.PARAM_ERROR;
      return answer(at, requestId, events, code, problems.join("; "));
    }

    const failed = new Set(failure?.type === "partial" ? failure.failedIndexes : []);
    body.data.forEach((element, index) => {
      if (failed.has(index)) return;
      const event = element as Record<string, unknown>;
      let duplicate = false;
      if (typeof event.event_id === "string") {
        // Dedupe key: event + event_id, scoped to the pixel, 48 h (TikTok spec §7).
        const key = `${body.event_source_id}\n${String(event.event)}\n${event.event_id}`;
        const first = firstSeen.get(key);
        duplicate = first !== undefined && at - first < DEDUPE_WINDOW_MS;
        if (!duplicate) firstSeen.set(key, at);
      }
      recorded.push({
        requestId,
        receivedAt: at,
        pixelCode: body.event_source_id,
        testEventCode: body.test_event_code,
        duplicate,
        event,
      });
    });
    if (failed.size > 0) {
      // The shape of 20001's `data` is not documented; this one is the sandbox's own.
      const data = {
        failed_events: [...failed].map((index) => ({
          index,
          message: "sandbox: injected failure",
        })),
      };
      return answer(at, requestId, events, TIKTOK_CODES.PARTIAL_OK, undefined, data);
    }
    return answer(at, requestId, events, TIKTOK_CODES.OK);
  }

  const sandbox: TikTokSandbox = {
    name: "tiktok",
    origin,
    recorded,
    requests,
    handle,
    failNext: (failure, times) => failures.push(parseFailure(failure), times),
    injectFailure: (failure, times) => failures.push(parseFailure(failure), times),
    rejectEvents: (rule, rejectOptions = {}) => {
      rules.push({ rule, nameIndex: rejectOptions.nameIndex ?? true });
    },
    handlers: (at = origin) => mswHandlers(sandbox, at),
    recordedJson: () => recorded,
    reset() {
      recorded.length = 0;
      requests.length = 0;
      firstSeen.clear();
      failures.clear();
      rules.length = 0;
    },
  };
  return sandbox;
}
