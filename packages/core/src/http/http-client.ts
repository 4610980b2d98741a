/**
 * The one HTTP helper every sink uses: ky for the request, p-retry as the only retry layer (ky's own
 * retry is off), zod for the response body, and {@link SinkError} for every failure.
 *
 * Retried: HTTP 408, 429 and 5xx except 501/505 (every 5xx with `retry.every5xx`, for vendors whose
 * spec says so), network errors, per-attempt timeouts, and any `SinkError` the caller's `interpret`
 * hook marks retryable. `Retry-After` (seconds or HTTP-date) is
 * honoured; a wait that would overrun the time budget ends the retries instead. Never retried: other
 * 4xx, invalid bodies, aborts.
 *
 * Backoff: exponential (`minTimeoutMs · 2^(retry − 1)`, capped at `maxTimeoutMs`) with **equal jitter**
 * by default: half of that delay is kept, the other half is drawn at random, so clients that failed
 * together do not all come back at the same instant (TikTok spec §6 asks for "exponential backoff with
 * jitter"), while each wait keeps a floor of half the backoff. `jitter: "full"` draws the whole delay
 * (0 up to the backoff: the widest spread, AWS's "full jitter"); `"none"` waits the exact backoff. The
 * random source is injectable (`random`) for tests. A longer `Retry-After` always wins.
 *
 * @module
 */
import ky, { isHTTPError, isNetworkError, isTimeoutError } from "ky";
import pRetry, { AbortError } from "p-retry";
import type { z } from "zod";
import { abortableSleep } from "../clock.js";
import { redactIssues, SinkError } from "../errors.js";
import { type Logger, redactSecrets, redactText, toLogger } from "../logger.js";
import type { RateLimiter } from "../rate-limiter.js";
import { parseRetryAfter } from "./retry-after.js";

/** Retry policy of an {@link HttpClient}. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  retries?: number;
  /** First backoff delay. @default 500 */
  minTimeoutMs?: number;
  /** Largest backoff delay. @default 10_000 */
  maxTimeoutMs?: number;
  /** Time budget for all attempts and waits together. @default 30_000 */
  maxElapsedMs?: number;
  /**
   * Spread of each backoff delay `d` (see the module notes): `"equal"` waits `d/2 + random · d/2`,
   * `"full"` waits `random · d`, `"none"` waits `d`. @default "equal"
   */
  jitter?: RetryJitter;
  /**
   * Retry every HTTP 5xx, 501 and 505 included. Off by default, where 501 (Not Implemented) and 505
   * (HTTP Version Not Supported) are permanent, as in Segment's table (segment-http-api.md §5: "5xx
   * except 501, 505"). Sinks whose vendor spec calls every 5xx retryable turn it on. @default false
   */
  every5xx?: boolean;
}

/** How a backoff delay is randomized; see {@link RetryPolicy.jitter}. */
export type RetryJitter = "equal" | "full" | "none";

/**
 * The wait before retry number `retry` (1 for the first retry): exponential backoff from
 * `minTimeoutMs`, capped at `maxTimeoutMs`, spread by `jitter` with `random()` in [0, 1). Whole
 * milliseconds, rounded up (a wait of a fraction of a millisecond stays a real wait).
 *
 * @example backoffDelay(3, { minTimeoutMs: 500, maxTimeoutMs: 10_000, jitter: "equal" }, () => 0.5) // 1500
 */
export function backoffDelay(
  retry: number,
  policy: { minTimeoutMs: number; maxTimeoutMs: number; jitter: RetryJitter },
  random: () => number = Math.random,
): number {
  const exact = Math.min(policy.minTimeoutMs * 2 ** Math.max(0, retry - 1), policy.maxTimeoutMs);
  if (policy.jitter === "none" || exact === 0) return Math.ceil(exact);
  // A random source outside [0, 1) (a bad stub) must not make a wait negative or unbounded.
  const draw = Math.min(Math.max(random(), 0), 1);
  const wait = policy.jitter === "full" ? draw * exact : exact / 2 + (draw * exact) / 2;
  return Math.ceil(wait);
}

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Name used in errors and logs (the sink's name). */
  name: string;
  /** Base URL the request paths resolve against. */
  baseUrl: string;
  /** `User-Agent` sent on every request, e.g. `@revtrace/sink-tiktok/1.2.0`. */
  userAgent: string;
  /** Headers sent on every request (auth headers go here; they are never logged). */
  headers?: Record<string, string>;
  /** Replaces the global `fetch` (looked up at call time, never captured at import). */
  fetch?: typeof globalThis.fetch;
  /** Timeout of one attempt. @default 10_000 */
  timeoutMs?: number;
  retry?: RetryPolicy;
  logger?: Partial<Logger>;
  /** Strings removed from any response text kept in errors (tokens, API keys). */
  secrets?: readonly string[];
  /** Called before each retry with the wait chosen (backoff or `Retry-After`, whichever is longer). */
  onRetry?: (info: { attempt: number; delayMs: number; error: SinkError }) => void;
  /**
   * Acquired before every attempt, retries included (a vendor limit counts every request). The wait
   * before the first attempt is queueing, outside the time budget and the per-attempt timeout; waits
   * before retries count against the budget.
   */
  rateLimiter?: RateLimiter;
  /** The random source of the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** One request. */
export interface HttpRequest<S extends z.ZodType> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  searchParams?: Record<string, string | number | boolean>;
  /**
   * The JSON body. A function is called before every attempt, for bodies that carry the time of the
   * attempt itself (Segment's `sentAt`, which must be fresh on every retry).
   */
  json?: unknown;
  headers?: Record<string, string>;
  /** Schema of a successful response body. */
  schema: S;
  signal?: AbortSignal | undefined;
  /**
   * Looks at a valid 2xx body and returns a `SinkError` when the vendor reports a failure in it (e.g.
   * TikTok's non-zero `code`). A retryable one is retried like an HTTP 503.
   */
  interpret?: (data: z.infer<S>, status: number) => SinkError | undefined;
  /**
   * Runs before each retry of this request, after the backoff wait. For requests that are not
   * idempotent (a create): a failed attempt may still have taken effect (the answer was lost), so the
   * caller looks first. Return `false` to stop retrying: the request then fails with the last attempt's
   * error. A `SinkError` it throws counts as that attempt's failure.
   */
  beforeRetry?: (info: { attempt: number; error: SinkError }) => Promise<boolean | undefined>;
}

/** A successful response. */
export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
  /** Attempts made (1 = no retry). */
  attempts: number;
}

/** A configured HTTP client. */
export interface HttpClient {
  request<S extends z.ZodType>(request: HttpRequest<S>): Promise<HttpResponse<z.infer<S>>>;
}

/**
 * True for statuses worth retrying: 408, 429, 5xx except 501 and 505 (those too with `every5xx`, see
 * {@link RetryPolicy.every5xx}).
 */
export function isRetryableStatus(status: number, options: { every5xx?: boolean } = {}): boolean {
  if (status === 408 || status === 429) return true;
  if (status < 500) return false;
  return options.every5xx === true || (status !== 501 && status !== 505);
}

/**
 * The cause kept on a SinkError: the original error's name and (redacted) message only. ky's errors
 * carry the whole `Request`, headers and credentials included, and `util.inspect` (what loggers and
 * crash reports print) would show them.
 */
function safeCause(error: unknown): Error | undefined {
  if (error === undefined) return undefined;
  const original = error instanceof Error ? error : new Error(String(error));
  const cause = new Error(redactText(original.message));
  cause.name = original.name;
  return cause;
}

/** Creates an {@link HttpClient}. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const logger = toLogger(options.logger);
  const retries = options.retry?.retries ?? 3;
  const minTimeout = options.retry?.minTimeoutMs ?? 500;
  const maxTimeout = options.retry?.maxTimeoutMs ?? 10_000;
  const budget = options.retry?.maxElapsedMs ?? 30_000;
  const jitter = options.retry?.jitter ?? "equal";
  const every5xx = options.retry?.every5xx ?? false;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const { name } = options;

  const clean = (text: string): string => redactSecrets(text, secrets);
  // ky resolves paths like a browser: without a trailing slash the base's last segment would be
  // replaced ("…/v1.3" + "event/track/" → "…/event/track/"), and a leading slash in the path would
  // drop the base's whole path. Normalize both so "base + path" always means what it says.
  const baseUrl = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;

  const fail = (message: string, extra: Omit<ConstructorParameters<typeof SinkError>[1], "sink">) =>
    new SinkError(`${name}: ${message}`, { sink: name, ...extra });

  async function attempt<S extends z.ZodType>(request: HttpRequest<S>, started: number) {
    const remaining = budget - (Date.now() - started);
    if (remaining <= 0) throw fail("time budget exhausted", { reason: "timeout", retryable: true });
    let response: Response;
    try {
      response = await ky(request.path.replace(/^\/+/, ""), {
        baseUrl,
        method: request.method,
        json: typeof request.json === "function" ? request.json() : request.json,
        searchParams: request.searchParams,
        headers: { "user-agent": options.userAgent, ...options.headers, ...request.headers },
        retry: 0,
        timeout: Math.min(timeoutMs, remaining),
        throwHttpErrors: false,
        signal: request.signal,
        fetch: (input, init) => (options.fetch ?? globalThis.fetch)(input, init),
      });
    } catch (error) {
      if (request.signal?.aborted) {
        throw fail("request aborted", {
          reason: "aborted",
          // The caller asked to stop: retrying an abort would undo that (nothing retries it).
          retryable: false,
          cause: safeCause(request.signal.reason),
        });
      }
      if (isTimeoutError(error)) {
        throw fail("request timed out", {
          reason: "timeout",
          retryable: true,
          cause: safeCause(error),
        });
      }
      if (isNetworkError(error) || error instanceof TypeError || isHTTPError(error)) {
        throw fail("network error", {
          reason: "network",
          retryable: true,
          cause: safeCause(error),
        });
      }
      throw fail("request failed", { reason: "network", retryable: true, cause: safeCause(error) });
    }
    const text = await response.text();
    if (!response.ok) {
      throw fail(`HTTP ${response.status}`, {
        reason: "http_status",
        status: response.status,
        retryable: isRetryableStatus(response.status, { every5xx }),
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        responseBody: clean(text),
      });
    }
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch (error) {
      throw fail(`HTTP ${response.status} with a body that is not JSON`, {
        reason: "invalid_response",
        status: response.status,
        retryable: false,
        responseBody: clean(text),
        cause: safeCause(error),
      });
    }
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) {
      throw fail(`HTTP ${response.status} with an unexpected body`, {
        reason: "invalid_response",
        status: response.status,
        retryable: false,
        responseBody: clean(text),
        cause: redactIssues(parsed.error.issues),
      });
    }
    const vendorError = request.interpret?.(parsed.data, response.status);
    if (vendorError) throw vendorError;
    return { status: response.status, headers: response.headers, data: parsed.data as z.infer<S> };
  }

  /** Waits for the rate limiter; an abort while waiting is the usual `aborted` SinkError. */
  async function acquire(signal: AbortSignal | undefined): Promise<void> {
    if (!options.rateLimiter) return;
    try {
      await options.rateLimiter.acquire(signal);
    } catch (error) {
      if (signal?.aborted) {
        throw fail("request aborted", {
          reason: "aborted",
          retryable: false,
          cause: safeCause(signal.reason),
        });
      }
      throw fail("the rate limiter failed", {
        reason: "network",
        retryable: true,
        cause: safeCause(error),
      });
    }
  }

  return {
    async request(request) {
      await acquire(request.signal);
      const started = Date.now();
      let attempts = 0;
      let lastError: SinkError | undefined;
      try {
        const result = await pRetry(
          async () => {
            attempts++;
            if (lastError && request.beforeRetry) {
              const proceed = await request.beforeRetry({ attempt: attempts, error: lastError });
              if (proceed === false) throw new AbortError(lastError);
            }
            if (attempts > 1) await acquire(request.signal);
            return attempt(request, started);
          },
          {
            retries,
            // The backoff is computed here (with jitter, see backoffDelay) and slept in
            // onFailedAttempt; p-retry itself never waits.
            minTimeout: 0,
            maxRetryTime: budget,
            signal: request.signal,
            shouldRetry: ({ error }) =>
              SinkError.isInstance(error) && error.retryable && error.reason !== "aborted",
            onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
              const sinkError = SinkError.isInstance(error) ? error : undefined;
              lastError = sinkError;
              logger.warn(
                {
                  sink: name,
                  attempt: attempts,
                  status: sinkError?.status,
                  reason: sinkError?.reason,
                  retriesLeft,
                },
                `${name}: attempt ${attempts} failed`,
              );
              if (!sinkError?.retryable || sinkError.reason === "aborted" || retriesLeft === 0) {
                return;
              }
              const backoff = backoffDelay(
                retriesConsumed + 1,
                { minTimeoutMs: minTimeout, maxTimeoutMs: maxTimeout, jitter },
                random,
              );
              const wait = sinkError.retryAfterMs ?? 0;
              const elapsed = Date.now() - started;
              if (wait > backoff && elapsed + wait > budget) throw error;
              const delayMs = Math.max(wait, backoff);
              options.onRetry?.({ attempt: attempts, delayMs, error: sinkError });
              // Never sleep past the budget: the next attempt then ends with "time budget exhausted".
              await abortableSleep(
                Math.max(0, Math.min(delayMs, budget - elapsed)),
                request.signal,
              );
            },
          },
        );
        return { ...result, attempts };
      } catch (error) {
        if (
          request.signal?.aborted &&
          !(SinkError.isInstance(error) && error.reason === "aborted")
        ) {
          throw fail("request aborted", {
            reason: "aborted",
            retryable: false,
            cause: safeCause(request.signal.reason),
          });
        }
        if (SinkError.isInstance(error)) throw error;
        throw fail("unexpected failure", {
          reason: "network",
          retryable: true,
          cause: safeCause(error),
        });
      }
    },
  };
}
