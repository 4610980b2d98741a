/**
 * The collect endpoint ({@link HttpRequest} → {@link HttpAnswer}): receives what `@revtrace/tracker` sends,
 * validates and bounds it, builds the touchpoints and leads ({@link CollectBatch}), hands them to
 * `accept` (the pipeline stores them durably in one group-committed write, the worker applies them:
 * see `collect-batch.ts`) and answers 204 with the first-party visitor cookie. Nothing slow happens
 * before the answer, as for webhooks: a crash after the 204 loses nothing.
 *
 * | answer | when |
 * |---|---|
 * | 204 | stored (or a bot, ignored); sets the visitor cookie |
 * | 200 `{ dropped }` | stored without the fields or events that were invalid on their own (`dropped` names them) |
 * | 400 `{ error }` | not JSON, or not a valid collect body (`issues` name the fields) |
 * | 403 | an `Origin` that is neither this site nor an allowed origin |
 * | 405 | not POST (OPTIONS answers CORS preflights of allowed origins) |
 * | 413 | over 64 KB |
 * | 415 | neither `text/plain` nor `application/json`, a charset other than UTF-8, or compressed (`Content-Encoding`) |
 * | 429 | the visitor's or the client address's request limit (with `Retry-After`) |
 * | 500 | storage failed (not accepted; the tracker may resend), or the body was read before the endpoint (`body_already_read`) |
 *
 * @module
 */
import { hash } from "node:crypto";
import {
  type ClickIds,
  type Clock,
  createTouchpoint,
  type Logger,
  type Touchpoint,
} from "@revtrace/core";
import { junkIdReason } from "@revtrace/identity";
import { emptyAnswer, errorAnswer, jsonAnswer } from "../http-answers.js";
import {
  BodyAlreadyReadError,
  BodyTooLargeError,
  isIdentityEncoding,
  isUtf8Charset,
} from "../http-body.js";
import type { HttpAnswer, HttpRequest } from "../http-exchange.js";
import { jsonDepthExceeds } from "../json-depth.js";
import { createBotFilter } from "./bot-filter.js";
import { addressKey, clientAddress, clientIp } from "./client-address.js";
import type { CollectBatch, CollectedLead } from "./collect-batch.js";
import {
  type CollectIssue,
  MAX_COLLECT_BYTES,
  parseCollectBody,
  type ValidCollectBody,
  type ValidTouchEvent,
} from "./collect-body.js";
import type { CollectSettings } from "./collect-settings.js";
import { newVisitorId, readVisitorCookie, visitorCookie } from "./visitor-cookie.js";
import { createVisitorRateLimit } from "./visitor-rate-limit.js";

/** Counters of the collect endpoint. */
export interface CollectCounters {
  requests: number;
  touchpoints: number;
  identifies: number;
  bots: number;
  refused: number;
  rateLimited: number;
  /** Affiliate refs dropped because the server could not verify them. */
  unverifiedRefs: number;
  /** Events dropped from a body whose other events were stored (invalid on their own). */
  invalidEvents: number;
  /** Fields dropped from stored events (a blank UTM, a value over its bounds). */
  droppedFields: number;
  /** Bodies stored before (a retried beacon): answered 204 again, their events not counted twice. */
  duplicates: number;
}

export interface CollectHandlerOptions {
  settings: CollectSettings;
  now: Clock;
  logger: Logger;
  counters: CollectCounters;
  /**
   * Stores an accepted batch durably (the pipeline ingests it; the worker applies it). The 204 waits
   * for it; a rejection answers 500. Answers whether the batch was stored before (same visitor and
   * body: a retried beacon).
   * @param rawBody the request body as received (kept in the inbox).
   */
  accept: (batch: CollectBatch, rawBody: string) => Promise<{ duplicate: boolean }>;
}

/** The core field each tracker click-id parameter is stored under (the same name). */
function clickIdsOf(event: ValidTouchEvent, ref: string | undefined): ClickIds {
  // A junk value (`?ttclid=null`, `undefined`, `0`) is no click: kept, it would match a checkout
  // whose form posts the same junk as `cf_click_id` and take the click-id chain's credit.
  const ids: ClickIds = Object.fromEntries(
    Object.entries(event.clickIds ?? {}).filter(
      ([, value]) => typeof value === "string" && junkIdReason(value) === null,
    ),
  );
  if (ref) ids.affiliateRef = ref;
  return ids;
}

const digest = (...parts: string[]) => hash("sha256", parts.join("\n"), "base64url").slice(0, 32);

/**
 * A time as fixed-width base-36 (11 characters hold every valid epoch millisecond), leading the ids
 * of batches and touchpoints so that they sort by time: new rows then land together at the end of the
 * stores' unique indexes, where a purely random id scatters every insert over all the leaves of a
 * large B-tree (measured on SQLite: a random key cuts a group-committed insert's throughput by 40 %).
 * Derived from the body's own times, so a beacon sent twice still yields the same ids.
 */
const timeKey = (at: number) => at.toString(36).padStart(11, "0");

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The deepest nesting a collect body may have (it needs 4). */
const MAX_COLLECT_DEPTH = 16;
/** At most this many issues are listed in an answer: a body of 50 events can hold over a thousand. */
const MAX_LISTED_ISSUES = 20;

/** The first {@link MAX_LISTED_ISSUES} issues, and how many were left out. */
function listIssues(all: readonly CollectIssue[]): { listed: CollectIssue[]; omitted: number } {
  const listed = all.slice(0, MAX_LISTED_ISSUES);
  return { listed, omitted: all.length - listed.length };
}

/** Creates the collect handler. */
export function createCollectHandler(options: CollectHandlerOptions) {
  const { settings, counters, logger, now } = options;
  const isBot = createBotFilter(settings.botUserAgents);
  const limiter = createVisitorRateLimit(settings.rateLimit);
  const { perAddress, windowMs } = settings.rateLimit;
  const addressLimiter =
    perAddress === null ? null : createVisitorRateLimit({ requests: perAddress, windowMs });
  const allowed = new Set(settings.allowedOrigins.map((origin) => origin.replace(/\/+$/, "")));

  /**
   * The origin the browser sees: the request URL's, or, behind a trusted proxy that terminates TLS,
   * the scheme and host it forwarded (`X-Forwarded-Proto`, `X-Forwarded-Host`; first value of each).
   */
  function publicOrigin(request: HttpRequest): URL {
    const url = new URL(request.url);
    if (!settings.trustProxy) return url;
    const first = (name: string) => request.header(name)?.split(",")[0]?.trim().toLowerCase();
    const proto = first("x-forwarded-proto");
    const host = first("x-forwarded-host");
    if (proto === "https" || proto === "http") url.protocol = `${proto}:`;
    if (host) {
      try {
        url.host = host;
      } catch {
        // not a host: keep the request's own
      }
    }
    return url;
  }

  /** CORS headers for a cross-origin caller that is allowed; `undefined` when it is not allowed. */
  function cors(request: HttpRequest): Record<string, string> | undefined {
    const origin = request.header("origin");
    if (origin === null) return {};
    if (origin === new URL(request.url).origin || origin === publicOrigin(request).origin) {
      return {};
    }
    if (!allowed.has(origin)) return undefined;
    return {
      "access-control-allow-origin": origin,
      "access-control-allow-credentials": "true",
      vary: "Origin",
    };
  }

  async function verifiedRef(ref: string | undefined): Promise<string | undefined> {
    if (ref === undefined) return undefined;
    // A ref typed into a URL is not proof of a referral: only a ref the server recognizes may earn
    // a partner credit (DESIGN §1: affiliate click ids are issued or verified server-side).
    if (settings.verifyAffiliateRef && (await settings.verifyAffiliateRef(ref))) return ref;
    counters.unverifiedRefs++;
    return undefined;
  }

  /** The touchpoints and leads of a valid body (server clock, server-verified refs only). */
  async function batchOf(
    visitorId: string,
    body: ValidCollectBody,
    request: HttpRequest,
    rawBody: string,
  ): Promise<CollectBatch> {
    const at = now();
    const userAgent = request.header("user-agent")?.slice(0, 512) ?? undefined;
    const ip = settings.trustProxy
      ? clientIp(clientAddress(request, settings.trustProxy))
      : undefined;
    const touchpoints: Touchpoint[] = [];
    const leads: CollectedLead[] = [];
    for (const event of body.events) {
      if (event.type === "identify") {
        const id = `lead_${digest(visitorId, event.email ?? "", event.phone ?? "")}`;
        leads.push({ id, visitorId, email: event.email, phone: event.phone, at });
        continue;
      }
      const clickIds = clickIdsOf(event, await verifiedRef(event.ref));
      touchpoints.push(
        createTouchpoint({
          id: `tp_${timeKey(event.at)}_${digest(visitorId, String(event.at), event.url)}`,
          anonymousId: visitorId,
          occurredAt: at,
          clickIds,
          utm: event.utm ?? {},
          landingPage: event.url,
          ...(event.referrer ? { referrer: event.referrer } : {}),
          ...(userAgent ? { userAgent } : {}),
          ...(ip ? { ip } : {}),
          ...(event.ttp ? { ttp: event.ttp } : {}),
        }),
      );
    }
    const first = (body.events[0] as { at: number }).at;
    return {
      id: `collect_${timeKey(first)}_${digest(visitorId, rawBody)}`,
      visitorId,
      at,
      touchpoints,
      leads,
    };
  }

  /** A 429 with `Retry-After` (whole seconds, at least 1). */
  function rateLimited(retryAfterMs: number, headers: Record<string, string>, from: string) {
    counters.rateLimited++;
    return errorAnswer(429, "rate_limited", `Too many events from ${from}`, {
      headers: { ...headers, "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    });
  }

  const handle = async (request: HttpRequest): Promise<HttpAnswer> => {
    counters.requests++;
    const headers = cors(request);
    if (headers === undefined) {
      counters.refused++;
      return errorAnswer(403, "origin_not_allowed", "This origin may not send events");
    }
    if (request.method === "OPTIONS") {
      return emptyAnswer(204, {
        ...headers,
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "600",
      });
    }
    if (request.method !== "POST") {
      counters.refused++;
      return errorAnswer(405, "method_not_allowed", "Use POST", {
        headers: { ...headers, allow: "POST" },
      });
    }
    const contentType = request.header("content-type");
    const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "text/plain" && type !== "application/json") {
      counters.refused++;
      return errorAnswer(415, "unsupported_media_type", "Send the body as text/plain or JSON", {
        headers,
      });
    }
    if (!isUtf8Charset(contentType)) {
      counters.refused++;
      return errorAnswer(415, "unsupported_media_type", "Send the body as UTF-8", { headers });
    }
    if (!isIdentityEncoding(request.header("content-encoding"))) {
      counters.refused++;
      return errorAnswer(415, "unsupported_media_type", "Send the body uncompressed", { headers });
    }
    // Before the body is read: a client over its address's limit costs no buffering.
    const address = addressLimiter && clientAddress(request, settings.trustProxy);
    if (addressLimiter && address) {
      const take = addressLimiter.take(addressKey(address), now());
      if (!take.allowed) return rateLimited(take.retryAfterMs, headers, "this address");
    }
    let raw: Uint8Array;
    try {
      raw = await request.body(MAX_COLLECT_BYTES);
    } catch (error) {
      counters.refused++;
      if (error instanceof BodyAlreadyReadError) {
        logger.error({}, `collect: events not stored: ${error.message}`);
        return errorAnswer(500, "body_already_read", error.message, { headers });
      }
      if (error instanceof BodyTooLargeError) {
        return errorAnswer(413, "payload_too_large", `The body exceeds ${error.limit} bytes`, {
          headers,
        });
      }
      return errorAnswer(400, "invalid_body", "The body could not be read", { headers });
    }
    if (isBot(request.header("user-agent"))) {
      counters.bots++;
      return emptyAnswer(204, headers);
    }
    let json: unknown;
    let text: string;
    try {
      text = utf8.decode(raw);
      json = JSON.parse(text);
    } catch {
      counters.refused++;
      return errorAnswer(400, "invalid_json", "The body is not JSON", { headers });
    }
    // A collect body nests 4 levels; a deeply nested one (64 KB can nest 30,000 levels) would
    // exhaust the stack of every later step that walks it.
    if (jsonDepthExceeds(text, MAX_COLLECT_DEPTH)) {
      counters.refused++;
      return errorAnswer(400, "invalid_collect_body", "The body nests too deeply", {
        issues: [{ path: [], message: `nested deeper than ${MAX_COLLECT_DEPTH} levels` }],
        headers,
      });
    }
    const parsed = parseCollectBody(json);
    if (!parsed.ok) {
      counters.refused++;
      const { listed, omitted } = listIssues(parsed.issues);
      return errorAnswer(400, "invalid_collect_body", "The body is not a valid collect body", {
        issues: omitted ? [...listed, { path: [], message: `${omitted} more` }] : listed,
        headers,
      });
    }
    const { body, dropped } = parsed;
    counters.invalidEvents += parsed.droppedEvents;
    counters.droppedFields += parsed.droppedFields;
    const cookieName = settings.cookie.name;
    // GA's client id, when the site chose to reuse it, else the server's own cookie, else a new id.
    const visitorId =
      (settings.acceptClientVisitorId ? body.vid : undefined) ??
      readVisitorCookie(request.header("cookie"), cookieName) ??
      newVisitorId();
    const take = limiter.take(visitorId, now());
    if (!take.allowed) return rateLimited(take.retryAfterMs, headers, "this visitor");
    try {
      const batch = await batchOf(visitorId, body, request, text);
      if (batch.touchpoints.length > 0 || batch.leads.length > 0) {
        const { duplicate } = await options.accept(batch, text);
        if (duplicate) counters.duplicates++;
        else {
          counters.touchpoints += batch.touchpoints.length;
          counters.identifies += batch.leads.length;
        }
      }
    } catch (error) {
      logger.error(
        { error: error instanceof Error ? error.name : "unknown" },
        "collect: events not stored",
      );
      return errorAnswer(500, "storage_failed", "The events could not be stored; retry", {
        headers,
      });
    }
    const secure =
      settings.cookie.secure === "auto"
        ? publicOrigin(request).protocol === "https:"
        : settings.cookie.secure;
    const answerHeaders = {
      ...headers,
      "set-cookie": visitorCookie(cookieName, visitorId, {
        maxAgeDays: settings.cookie.maxAgeDays,
        secure,
        domain: settings.cookie.domain,
        path: settings.cookie.path,
      }),
      "cache-control": "no-store",
    };
    // Stored, but not all of it: what was dropped and why (paths, never values). Resending the same
    // body cannot do better, so it is a success.
    if (dropped.length > 0) {
      const { listed, omitted } = listIssues(dropped);
      const answer = omitted ? { dropped: listed, omittedIssues: omitted } : { dropped: listed };
      return jsonAnswer(200, answer, answerHeaders);
    }
    return emptyAnswer(204, answerHeaders);
  };
  /** The CORS headers of an allowed cross-origin caller, for answers given outside the handler. */
  const corsHeaders = (request: HttpRequest): Record<string, string> => cors(request) ?? {};
  return Object.assign(handle, { corsHeaders });
}
