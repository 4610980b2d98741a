/**
 * A local emulator of Segment's HTTP Tracking API (`POST /v1/batch`, and the single-call endpoints
 * `/v1/identify` and `/v1/track`), written from shared/specs/segment-http-api.md (section numbers
 * below), independently of the sink. It checks what Segment checks, answers the way Segment does (200
 * for almost everything, 400 for malformed or oversized requests), drops silently what Segment drops
 * after a 200 (missing ids, more than 2,500 messages, duplicate `messageId`s, wrong region, a missing
 * or unknown write key), records
 * the rest, and fails on demand.
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
  type SandboxFailure,
  SandboxFailureSchema,
  type SandboxOutcome,
  type SandboxRequest,
  type VendorEmulator,
} from "../sandbox-types.js";

/** Segment's hosts per region (spec §1). */
export const SEGMENT_ORIGINS = {
  us: "https://api.segment.io",
  eu: "https://events.eu1.segmentapis.com",
} as const;

/** Limits (spec §4): 32 KB per message or single call, 500 KB per batch, 2,500 messages per batch. */
export const SEGMENT_LIMITS = {
  messageBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  batchMessages: 2_500,
  messageIdLength: 100,
} as const;

/** Why the emulator dropped a message after answering 200 (Segment's Debugger reasons, spec §5). */
export type SegmentDropReason =
  | "no_user_anon_id"
  | "missing_event"
  | "duplicate_message_id"
  | "too_many_messages"
  | "wrong_region"
  | "invalid_write_key"
  | "invalid_message";

/** One message the emulator accepted. */
export interface SegmentRecordedMessage {
  /** Epoch milliseconds (Segment's `receivedAt`). */
  receivedAt: number;
  /** The write key it was sent with. */
  writeKey: string;
  /** The request's `sentAt`, if any. */
  sentAt: string | undefined;
  /** The message as received, with batch-level `context`/`integrations` merged in (spec §3.4). */
  message: Readonly<Record<string, unknown>>;
}

/** One message Segment would have dropped after its 200. */
export interface SegmentDroppedMessage {
  receivedAt: number;
  reason: SegmentDropReason;
  message: unknown;
}

/** One request the emulator answered. */
export interface SegmentRequestLogEntry {
  receivedAt: number;
  path: string;
  /** HTTP status answered (0 for a dropped connection). */
  status: number;
  /** Messages in the request, when it parsed. */
  messages: number;
  /** Body bytes of the request. */
  bytes: number;
}

/** Options of {@link createSegmentSandbox}. */
export interface SegmentSandboxOptions {
  /** The region this emulator is (spec §1). @default "us" */
  region?: keyof typeof SEGMENT_ORIGINS;
  /**
   * Known write keys and their workspace's region. A key of the other region is answered 200 and its
   * messages are dropped as `wrong_region` (spec §1); an unknown key, or none at all, is answered 200
   * and its messages are dropped as `invalid_write_key` (spec §5: 200 for all requests except
   * oversize payloads and invalid JSON). When omitted, any non-empty key belongs to this region.
   */
  writeKeys?: Readonly<Record<string, keyof typeof SEGMENT_ORIGINS>>;
  /** The clock (epoch milliseconds). */
  now?: Clock;
  /** Origin intercepted by {@link SegmentSandbox.handlers}. @default the region's host */
  origin?: string;
}

/** The Segment emulator. */
export interface SegmentSandbox extends VendorEmulator {
  readonly name: "segment";
  /** Every accepted message, in order. */
  readonly recorded: readonly SegmentRecordedMessage[];
  /** Every message dropped after a 200, in order. */
  readonly dropped: readonly SegmentDroppedMessage[];
  /** Every request answered, in order. */
  readonly requests: readonly SegmentRequestLogEntry[];
  /** Serves `failure` to the next `times` requests (default 1), before any validation. */
  failNext(failure: SandboxFailure, times?: number): void;
  /** msw handlers for tests; `origin` defaults to the emulator's origin. */
  handlers(origin?: string): RequestHandler[];
}

const OptionsSchema = z.strictObject({
  region: z.enum(["us", "eu"]).optional(),
  writeKeys: z.record(z.string().min(1), z.enum(["us", "eu"])).optional(),
  now: z.custom<Clock>((value) => typeof value === "function", "must be a function").optional(),
  origin: z.url().optional(),
});

const FailureSchema = SandboxFailureSchema;

/** A message as far as the batch envelope goes; each one is checked on its own after that. */
const BatchContract = z.looseObject({
  batch: z.array(z.unknown()),
  sentAt: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  integrations: z.record(z.string(), z.unknown()).optional(),
  writeKey: z.string().optional(),
});

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not ISO 8601");

/** Spec §3.1: the common fields; `type` is required inside a batch. */
const MessageContract = z.looseObject({
  type: z.enum(["identify", "track", "page", "screen", "group", "alias"]),
  messageId: z.string().min(1).max(SEGMENT_LIMITS.messageIdLength).optional(),
  userId: z.union([z.string(), z.number()]).optional(),
  anonymousId: z.union([z.string(), z.number()]).optional(),
  timestamp: isoTime.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  integrations: z.record(z.string(), z.unknown()).optional(),
  event: z.unknown().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  traits: z.record(z.string(), z.unknown()).optional(),
});

const JSON_HEADERS = { "content-type": "application/json" };
const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/** Segment's 400 bodies (spec §5: seen in the SDK's tests). */
function badRequest(message: string): SandboxOutcome {
  return {
    kind: "respond",
    response: {
      status: 400,
      headers: JSON_HEADERS,
      body: JSON.stringify({ success: false, message, code: "invalid_request" }),
    },
  };
}

const OK: SandboxOutcome = {
  kind: "respond",
  response: { status: 200, headers: JSON_HEADERS, body: JSON.stringify({ success: true }) },
};

/** The write key from HTTP Basic (`writeKey:` base64, spec §2) or the body's `writeKey`. */
function writeKeyOf(request: SandboxRequest, body: { writeKey?: string } | undefined): string {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (match?.[1]) {
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    // The trailing colon (empty password) is expected; without it Segment still accepts the key.
    return decoded.endsWith(":") ? decoded.slice(0, -1) : decoded;
  }
  return body?.writeKey ?? "";
}

/** Creates a Segment HTTP Tracking API emulator. Throws `ConfigError` on bad options. */
export function createSegmentSandbox(options: SegmentSandboxOptions = {}): SegmentSandbox {
  const settings = parseOptions(OptionsSchema, options, "Segment sandbox options");
  const now = settings.now ?? systemClock;
  const region = settings.region ?? "us";
  const origin = (settings.origin ?? SEGMENT_ORIGINS[region]).replace(/\/+$/, "");
  const recorded: SegmentRecordedMessage[] = [];
  const dropped: SegmentDroppedMessage[] = [];
  const requests: SegmentRequestLogEntry[] = [];
  const seenIds = new Set<string>();
  const failures = createFailureQueue<SandboxFailure>();

  function log(at: number, path: string, status: number, messages: number, bytes: number) {
    requests.push({ receivedAt: at, path, status, messages, bytes });
  }

  /** Checks one message and records it, or records why Segment would drop it. */
  function admit(
    at: number,
    raw: unknown,
    envelope: {
      writeKey: string;
      sentAt: string | undefined;
      context?: object;
      integrations?: object;
    },
    foreign: boolean,
  ): void {
    const checked = MessageContract.safeParse(raw);
    if (!checked.success)
      return void dropped.push({ receivedAt: at, reason: "invalid_message", message: raw });
    const message = checked.data;
    if (foreign) return void dropped.push({ receivedAt: at, reason: "wrong_region", message: raw });
    const noId = (value: unknown) => value === undefined || value === null || value === "";
    if (noId(message.userId) && noId(message.anonymousId)) {
      return void dropped.push({ receivedAt: at, reason: "no_user_anon_id", message: raw });
    }
    if (message.type === "track" && (typeof message.event !== "string" || message.event === "")) {
      return void dropped.push({ receivedAt: at, reason: "missing_event", message: raw });
    }
    // Spec §6: dedupe on messageId only; the HTTP API assigns one when it is missing.
    const id = message.messageId ?? `sandbox-${recorded.length + dropped.length + 1}`;
    if (seenIds.has(id)) {
      return void dropped.push({ receivedAt: at, reason: "duplicate_message_id", message: raw });
    }
    seenIds.add(id);
    const merged: Record<string, unknown> = { ...message, messageId: id };
    if (envelope.context) merged.context = { ...envelope.context, ...(message.context ?? {}) };
    if (envelope.integrations) {
      merged.integrations = { ...envelope.integrations, ...(message.integrations ?? {}) };
    }
    recorded.push({
      receivedAt: at,
      writeKey: envelope.writeKey,
      sentAt: envelope.sentAt,
      message: merged,
    });
  }

  /** The endpoint a path names: `batch`, a single-call type, or `undefined` (404). */
  const endpointOf = (path: string) =>
    path === "/v1/batch"
      ? "batch"
      : /^\/v1\/(identify|track|page|screen|group|alias)$/.exec(path)?.[1];

  /**
   * Spec §4: a single call over 32 KB or a batch over 500 KB is answered 400, however large (the
   * standalone server does not keep bodies above its own cap; it asks here before its 413).
   */
  function oversized(request: Omit<SandboxRequest, "body">, bytes: number) {
    const path = request.path.split("?")[0] ?? "";
    const endpoint = endpointOf(path);
    if (endpoint === undefined || request.method !== "POST") return undefined;
    const limit = endpoint === "batch" ? SEGMENT_LIMITS.batchBytes : SEGMENT_LIMITS.messageBytes;
    if (bytes <= limit) return undefined;
    log(now(), path, 400, 0, bytes);
    return badRequest("Exceed payload limit");
  }

  function handle(request: SandboxRequest): SandboxOutcome {
    const at = now();
    const path = request.path.split("?")[0] ?? "";
    const bytes = byteLength(request.body);
    const endpoint = endpointOf(path);
    const single = endpoint === "batch" ? undefined : endpoint;
    if (endpoint === undefined) {
      log(at, path, 404, 0, bytes);
      return {
        kind: "respond",
        response: {
          status: 404,
          headers: JSON_HEADERS,
          body: '{"success":false,"message":"not found"}',
        },
      };
    }
    if (request.method !== "POST") {
      log(at, path, 405, 0, bytes);
      return {
        kind: "respond",
        response: {
          status: 405,
          headers: JSON_HEADERS,
          body: '{"success":false,"message":"method not allowed"}',
        },
      };
    }
    const failure = failures.next();
    if (failure) {
      const outcome = failureOutcome(failure, (status) =>
        JSON.stringify({ success: false, message: `error ${status}`, code: "server_error" }),
      );
      log(at, path, outcome.kind === "respond" ? outcome.response.status : 0, 0, bytes);
      return outcome;
    }
    // Spec §4: size limits are checked before anything else and answered 400.
    const limit = single ? SEGMENT_LIMITS.messageBytes : SEGMENT_LIMITS.batchBytes;
    if (bytes > limit) {
      log(at, path, 400, 0, bytes);
      return badRequest("Exceed payload limit");
    }
    // Spec §2: Content-Type application/json is mandatory.
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      log(at, path, 400, 0, bytes);
      return badRequest("Content-Type must be application/json");
    }
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      log(at, path, 400, 0, bytes);
      return badRequest("malformed JSON");
    }
    // Spec §3.1: a single-call endpoint implies the type (`/v1/track` is a track, whatever the body says).
    const body = single ? { batch: [{ ...(json as object), type: single }] } : json;
    const envelope = BatchContract.safeParse(body);
    if (!envelope.success) {
      log(at, path, 400, 0, bytes);
      return badRequest("malformed JSON");
    }
    const { batch } = envelope.data;
    const writeKey = writeKeyOf(request, single ? (json as { writeKey?: string }) : envelope.data);
    // Spec §4: each message of a batch is at most 32 KB, else the batch is answered 400.
    if (
      batch.some((message) => byteLength(JSON.stringify(message)) > SEGMENT_LIMITS.messageBytes)
    ) {
      log(at, path, 400, batch.length, bytes);
      return badRequest("Exceed payload limit");
    }
    log(at, path, 200, batch.length, bytes);
    const keyRegion =
      writeKey === "" ? undefined : settings.writeKeys ? settings.writeKeys[writeKey] : region;
    if (keyRegion === undefined) {
      // Spec §5: "200 for all requests except oversize payloads and invalid JSON (400)", so a missing
      // or unknown write key is answered 200 too; nothing is stored, the messages are dropped.
      for (const message of batch)
        dropped.push({ receivedAt: at, reason: "invalid_write_key", message });
      return OK;
    }
    const foreign = keyRegion !== region;
    if (batch.length > SEGMENT_LIMITS.batchMessages) {
      // Spec §4: more than 2,500 messages is answered 200 and every message is dropped.
      for (const message of batch)
        dropped.push({ receivedAt: at, reason: "too_many_messages", message });
      return OK;
    }
    const meta = {
      writeKey,
      sentAt: envelope.data.sentAt,
      context: envelope.data.context,
      integrations: envelope.data.integrations,
    };
    for (const message of batch) admit(at, message, meta, foreign);
    return OK;
  }

  const emulator: SegmentSandbox = {
    name: "segment",
    origin,
    recorded,
    dropped,
    requests,
    handle,
    oversized,
    failNext(failure, times) {
      failures.push(parseOptions(FailureSchema, failure, "Segment sandbox failure"), times);
    },
    injectFailure(failure, times) {
      emulator.failNext(failure as SandboxFailure, times);
    },
    recordedJson: () => ({ recorded, dropped, requests }),
    reset() {
      recorded.length = 0;
      dropped.length = 0;
      requests.length = 0;
      seenIds.clear();
      failures.clear();
    },
    handlers: (at?: string) => mswHandlers(emulator, at ?? origin),
  };
  return emulator;
}
