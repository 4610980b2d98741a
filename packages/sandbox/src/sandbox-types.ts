/**
 * What every vendor emulator of the sandbox implements, so that one msw adapter and one standalone
 * HTTP server serve them all. A vendor lives in its own folder (`src/tiktok/`, later
 * `src/activecampaign/`, `src/kiflo/`, `src/segment/`) and exposes a {@link VendorEmulator}.
 *
 * @module
 */
import { z } from "zod";

/** A request as an emulator sees it, whatever carried it (msw or `node:http`). */
export interface SandboxRequest {
  method: string;
  /** Path (with query string) relative to the vendor's origin, e.g. `/open_api/v1.3/event/track/`. */
  path: string;
  headers: Headers;
  /** The raw body text (`""` when empty). */
  body: string;
}

/** An answer to send back. */
export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** What an emulator decided: answer (possibly late), or drop the connection. */
export type SandboxOutcome =
  | {
      kind: "respond";
      response: SandboxResponse;
      /** Wait this long before answering (timeout injection); the wait ends when the client gives up. */
      delayMs?: number;
    }
  | { kind: "network_error" };

/** Failures every emulator can be told to produce, for reliability tests. */
export const SandboxFailureSchema = z.discriminatedUnion("type", [
  z.strictObject({
    /** Answer with this HTTP status (e.g. 429, 500, 502, 503). */
    type: z.literal("http"),
    status: z.number().int().min(400).max(599),
    /** `Retry-After` header value (seconds or HTTP date). */
    retryAfter: z.string().optional(),
    /** Body text; a vendor-like default when omitted. */
    body: z.string().optional(),
  }),
  z.strictObject({
    /** Answer only after `delayMs` (default 60 s): the client's own timeout fires first. */
    type: z.literal("timeout"),
    delayMs: z.number().int().positive().optional(),
  }),
  z.strictObject({
    /** Drop the connection without an answer. */
    type: z.literal("network"),
  }),
]);
export type SandboxFailure = z.infer<typeof SandboxFailureSchema>;

/** A vendor emulator. */
export interface VendorEmulator {
  /** Stable vendor name; also the path prefix on the standalone server (`/tiktok/...`). */
  readonly name: string;
  /** The real API origin that the msw handlers intercept, e.g. `https://business-api.tiktok.com`. */
  readonly origin: string;
  /** Handles one request. */
  handle(request: SandboxRequest): SandboxOutcome | Promise<SandboxOutcome>;
  /**
   * The vendor's own answer to a request whose body (`bytes` long) was larger than the standalone
   * server keeps, or `undefined` to let the server answer its generic 413. For vendors that document
   * a size limit and its status (Segment: 400, spec §4).
   */
  oversized?(request: Omit<SandboxRequest, "body">, bytes: number): SandboxOutcome | undefined;
  /** What the emulator accepted, as JSON (served by the standalone server's control endpoint). */
  recordedJson(): unknown;
  /** Queues a failure given as JSON (validated); used by the standalone server's control endpoint. */
  injectFailure(failure: unknown, times?: number): void;
  /** Forgets recorded data, queued failures and custom rules. */
  reset(): void;
}

/** A FIFO of failures, each served `times` times. */
export interface FailureQueue<F> {
  push(failure: F, times?: number): void;
  /** The next failure to serve, or `undefined` when none is queued. */
  next(): F | undefined;
  clear(): void;
  readonly size: number;
}

/** Creates a {@link FailureQueue}. */
export function createFailureQueue<F>(): FailureQueue<F> {
  const queue: F[] = [];
  return {
    push(failure, times = 1) {
      for (let i = 0; i < times; i++) queue.push(failure);
    },
    next: () => queue.shift(),
    clear() {
      queue.length = 0;
    },
    get size() {
      return queue.length;
    },
  };
}

/** Outcome of a generic failure, answered the way a vendor's edge would. */
export function failureOutcome(
  failure: SandboxFailure,
  defaultBody: (status: number) => string,
): SandboxOutcome {
  switch (failure.type) {
    case "network":
      return { kind: "network_error" };
    case "timeout":
      return {
        kind: "respond",
        delayMs: failure.delayMs ?? 60_000,
        response: { status: 504, headers: { "content-type": "text/html" }, body: defaultBody(504) },
      };
    case "http": {
      const body = failure.body ?? defaultBody(failure.status);
      const json = body.trimStart().startsWith("{");
      const headers: Record<string, string> = {
        "content-type": json ? "application/json" : "text/html",
      };
      if (failure.retryAfter !== undefined) headers["retry-after"] = failure.retryAfter;
      return { kind: "respond", response: { status: failure.status, headers, body } };
    }
  }
}
