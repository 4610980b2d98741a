/**
 * msw helpers for vitest: a server that fails every unhandled request, records every call, and answers
 * sequences of responses (503 with Retry-After, then 200) for retry tests.
 *
 * @example
 * const server = useMockServer(http.post("https://api.example.com/x", respondInSequence(
 *   () => HttpResponse.json({}, { status: 503, headers: { "retry-after": "0" } }),
 *   () => HttpResponse.json({ ok: true }),
 * )));
 * // … after the code under test ran:
 * expect(server.calls[1]?.body).toEqual({ … });
 *
 * @module
 */
import type { HttpResponseResolver, RequestHandler } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/** One request seen by the mock server. */
export interface RecordedCall {
  method: string;
  url: string;
  /** Request headers, names lower-cased. */
  headers: Record<string, string>;
  /** The body parsed as JSON, the raw text when it is not JSON, `undefined` when empty. */
  body: unknown;
}

/** A mock server; see {@link createMockServer}. */
export interface MockServer {
  /** Every request received since the last reset, in order. */
  readonly calls: RecordedCall[];
  /** Adds handlers in front of the current ones (until the next `resetHandlers`). */
  use(...handlers: RequestHandler[]): void;
  /** Back to the initial handlers, and forgets recorded calls. */
  resetHandlers(): void;
  listen(): void;
  close(): void;
  /** Requests that matched no handler (each one also fails the request with a network error). */
  readonly unhandled: RecordedCall[];
}

function startRecording(request: Request): RecordedCall {
  const call: RecordedCall = {
    method: request.method,
    url: request.url,
    headers: Object.fromEntries(
      [...request.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]),
    ),
    body: undefined,
  };
  request
    .clone()
    .text()
    .then((text) => {
      if (text === "") return;
      try {
        call.body = JSON.parse(text);
      } catch {
        call.body = text;
      }
    })
    .catch((error: unknown) => {
      call.body = `[unreadable body: ${String(error)}]`;
    });
  return call;
}

/**
 * Creates an msw server that records calls and errors on unhandled requests. Call `listen()` and
 * `close()` yourself, or use {@link useMockServer} inside a vitest file.
 */
export function createMockServer(...handlers: RequestHandler[]): MockServer {
  const server = setupServer(...handlers);
  const calls: RecordedCall[] = [];
  const unhandled: RecordedCall[] = [];
  const byId = new Map<string, RecordedCall>();
  server.events.on("request:start", ({ request, requestId }) => {
    const call = startRecording(request);
    byId.set(requestId, call);
    calls.push(call);
  });
  server.events.on("request:unhandled", ({ requestId }) => {
    const call = byId.get(requestId);
    if (!call) return;
    calls.splice(calls.indexOf(call), 1);
    unhandled.push(call);
  });
  return {
    calls,
    unhandled,
    use: (...more) => server.use(...more),
    resetHandlers() {
      server.resetHandlers();
      calls.length = 0;
      unhandled.length = 0;
      byId.clear();
    },
    listen: () =>
      server.listen({ onUnhandledFrame: "error" } as Parameters<typeof server.listen>[0]),
    close: () => server.close(),
  };
}

/**
 * {@link createMockServer} wired into vitest: listens before all tests, resets handlers and calls after
 * each, closes after all. An unhandled request fails the request (a network error) and then the test
 * itself, even when the code under test swallowed or retried the network error.
 */
export function useMockServer(...handlers: RequestHandler[]): MockServer {
  const server = createMockServer(...handlers);
  beforeAll(() => server.listen());
  afterEach(() => {
    const unhandled = server.unhandled.map((call) => `${call.method} ${call.url}`);
    server.resetHandlers();
    if (unhandled.length > 0) {
      throw new Error(`Requests matched no msw handler: ${unhandled.join(", ")}`);
    }
  });
  afterAll(() => server.close());
  return server;
}

/**
 * A resolver answering with each response in turn; the last one repeats.
 *
 * @example http.post(url, respondInSequence(() => new Response(null, { status: 503 }), () => HttpResponse.json({})))
 */
export function respondInSequence(
  ...responses: Array<() => Response | Promise<Response>>
): HttpResponseResolver {
  if (responses.length === 0) throw new Error("respondInSequence needs at least one response");
  let index = 0;
  return () => {
    const next = responses[Math.min(index, responses.length - 1)] as () =>
      | Response
      | Promise<Response>;
    index++;
    return next();
  };
}
