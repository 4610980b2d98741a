/**
 * The sink conformance suite: every revtrace sink runs it with a small vendor adapter. It checks the
 * {@link Sink} contract of `@revtrace/core` against msw-mocked vendor answers: results per item in
 * input order, a stable dedupe id across retries and sends, 4xx not retried, 429 and 5xx retried,
 * `Retry-After` honoured, per-item rejection, abort, secrets never in errors, and a `User-Agent` that
 * carries the package version.
 *
 * The suite starts its own msw server (unhandled requests fail): call it at the top level of a test
 * file that starts no other msw server.
 *
 * @example
 * runSinkConformance({
 *   name: "tiktok",
 *   endpoint: "https://business-api.tiktok.com/open_api/v1.3/event/track/",
 *   createSink: () => createTikTokSink({ accessToken: "secret-token", pixelCode: "PIXEL", retry: { minTimeoutMs: 1 } }),
 *   items: () => [conversionA, conversionB, conversionC],
 *   dedupeIdOf: (conversion) => conversion.id,
 *   vendor: { dedupeIds, accept, reject },
 *   secrets: ["secret-token"],
 *   userAgent: `@revtrace/sink-tiktok/${VERSION}`,
 * });
 *
 * @module
 */
import { inspect } from "node:util";
import {
  CONVERSION_NAMES,
  type Conversion,
  type ConversionName,
  type ItemResult,
  type Sink,
  SinkError,
} from "@revtrace/core";
import { HttpResponse, http, type RequestHandler } from "msw";
import { describe, expect, it } from "vitest";
import { type MockServer, useMockServer } from "./msw.js";

/** How a vendor answers and where it carries dedupe ids. */
export interface SinkVendorAdapter {
  /** The dedupe ids (TikTok `event_id`, Segment `messageId`, …) carried by one request body. */
  dedupeIds(body: unknown): string[];
  /** The vendor's answer accepting the whole request. */
  accept(body: unknown): Response;
  /**
   * The vendor's answer refusing the request because an item in it is invalid (bad data, not a
   * transport failure), with `detail` quoted in the vendor's error message.
   */
  reject(body: unknown, detail: string): Response;
  /**
   * For sinks that make several requests per send (lookups, setup; see
   * {@link SinkConformanceOptions.isDelivery}): the vendor's normal answer to a request that carries
   * no item. Such requests are never counted, failed or delayed by the suite.
   */
  support?(request: Request, body: unknown): Response | Promise<Response>;
}

/** Options of {@link runSinkConformance}. */
export interface SinkConformanceOptions<Item extends { readonly id: string }> {
  /** Suite title, e.g. `tiktok`. */
  name: string;
  /** The URL the sink sends to (an msw path; every method is matched). */
  endpoint: string;
  /**
   * Builds the sink under test, called once per test. Configure it with a short backoff (a few ms), at
   * least 2 retries and a time budget of several seconds, so retries run fast.
   */
  createSink(): Sink<Item>;
  /** At least three valid, distinct items that the sink sends in one request. */
  items(): Item[];
  /** The item id reported in `ItemResult.id`. @default `(item) => item.id` */
  itemId?: (item: Item) => string;
  /** The dedupe id the sink must send for an item (stable across retries and sends). */
  dedupeIdOf(item: Item): string;
  vendor: SinkVendorAdapter;
  /** Secrets given to the sink (tokens, keys); none may appear in any error. */
  secrets: readonly string[];
  /** Expected `User-Agent` substring, e.g. `@revtrace/sink-tiktok/1.2.3`. */
  userAgent: string;
  /**
   * For a sink that sends each item in a request of its own, among lookups: which requests carry
   * items (`endpoint` may then be a wildcard such as `https://x.api-us1.com/api/3/*`). The others are
   * answered by `vendor.support`. @default every request under `endpoint` carries items
   */
  isDelivery?: (request: Request) => boolean;
  /** How many item-carrying requests one send of `items()` makes when nothing fails. @default 1 */
  deliveriesPerSend?: number;
  /**
   * How the sink maps items to delivery requests: `batch` (the items travel in one request) or `item`
   * (one request per item, for vendors without a batch endpoint); request counts are checked
   * accordingly. @default "batch"
   */
  requests?: "batch" | "item";
  /**
   * Only requests to `endpoint` with this method are delivery requests (answered by the vendor
   * adapter and counted); others fall through to `handlers`. @default every method
   */
  endpointMethod?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /**
   * Handlers for the sink's other requests (setup, lookups before a create), installed in every test
   * behind the delivery endpoint and never counted. @default none
   */
  handlers?: () => RequestHandler[];
  /**
   * The sink records what it delivered (a stateful sink): sending delivered items again may send no
   * request at all; any request it does send carries the same dedupe ids. @default false
   */
  remembersDelivered?: boolean;
}

interface Seen {
  at: number;
  body: unknown;
}

async function bodyOf(request: Request): Promise<unknown> {
  const text = await request.clone().text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the send to fail");
}

function expectSinkError(error: unknown): SinkError {
  expect(SinkError.isInstance(error)).toBe(true);
  return error as SinkError;
}

/**
 * Every string an error exposes: message, stack, response body, causes (3 levels), JSON form, and what
 * `util.inspect` prints (what loggers and crash reports show).
 */
function exposedText(error: unknown, depth = 0): string {
  if (error === null || error === undefined || depth > 3) return "";
  if (typeof error !== "object") return String(error);
  const e = error as Record<string, unknown>;
  let json = "";
  try {
    json = JSON.stringify(error);
  } catch {
    json = "";
  }
  return [
    depth === 0 ? inspect(error, { depth: 10 }) : "",
    String(e.message ?? ""),
    String(e.stack ?? ""),
    String(e.responseBody ?? ""),
    json,
    exposedText(e.cause, depth + 1),
  ].join("\n");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers the conformance tests of one sink (a vitest `describe` block). */
export function runSinkConformance<Item extends { readonly id: string }>(
  options: SinkConformanceOptions<Item>,
): void {
  const itemId = options.itemId ?? ((item: Item) => (item as { id: string }).id);
  const { vendor, endpoint } = options;
  const perItem = options.requests === "item";
  const perSend = options.deliveriesPerSend ?? 1;
  /** Delivery requests expected for `n` items after `extra` failed attempts. */
  const expectedRequests = (n: number, extra: number) => (perItem ? n : perSend) + extra;
  const route = options.endpointMethod
    ? http[options.endpointMethod.toLowerCase() as "get" | "post" | "put" | "patch" | "delete"]
    : http.all;

  describe(`${options.name} sink conformance`, () => {
    const server: MockServer = useMockServer();

    /** Answers with `respond(body, n)` (n = 0-based request count) and records each request. */
    function serve(respond: (body: unknown, n: number) => Response | Promise<Response>): Seen[] {
      const seen: Seen[] = [];
      if (options.handlers) server.use(...options.handlers());
      server.use(
        route(endpoint, async ({ request }) => {
          const body = await bodyOf(request);
          if (options.isDelivery && !options.isDelivery(request)) {
            if (!vendor.support) throw new Error("isDelivery needs vendor.support");
            return vendor.support(request, body);
          }
          seen.push({ at: Date.now(), body });
          return respond(body, seen.length - 1);
        }),
      );
      return seen;
    }

    const allIds = (seen: Seen[]) => seen.flatMap((s) => vendor.dedupeIds(s.body));

    it("delivers every item and answers one result per item, in input order", async () => {
      const items = options.items();
      expect(items.length).toBeGreaterThanOrEqual(3);
      const seen = serve((body) => vendor.accept(body));
      const results = await options.createSink().send(items);
      expect(results).toEqual(items.map((item) => ({ id: itemId(item), status: "delivered" })));
      expect(allIds(seen).sort()).toEqual(items.map(options.dedupeIdOf).sort());
    });

    it("sends the same dedupe ids on every retry and every send", async () => {
      const items = options.items();
      const seen = serve((body, n) =>
        n === 0 ? new HttpResponse(null, { status: 503 }) : vendor.accept(body),
      );
      const sink = options.createSink();
      const first = await sink.send(items);
      expect(first.every((r) => r.status === "delivered")).toBe(true);
      expect(seen.length).toBe(expectedRequests(items.length, 1));
      const expected = items.map(options.dedupeIdOf).sort();
      if (perItem) {
        // The refused request and its retry carry the same id; all requests together, every id.
        expect(vendor.dedupeIds(seen[1]?.body)).toEqual(vendor.dedupeIds(seen[0]?.body));
        expect([...new Set(allIds(seen))].sort()).toEqual(expected);
      } else if (perSend > 1) {
        // The failed request is sent again with the same ids; with the others, every item once.
        const failed = vendor.dedupeIds(seen[0]?.body).sort();
        const retried = seen.slice(1).find((s) => {
          const ids = vendor.dedupeIds(s.body).sort();
          return ids.length > 0 && JSON.stringify(ids) === JSON.stringify(failed);
        });
        expect(retried).toBeDefined();
        expect(allIds(seen.slice(1)).sort()).toEqual(expected);
      } else {
        expect(vendor.dedupeIds(seen[0]?.body).sort()).toEqual(expected);
        expect(vendor.dedupeIds(seen[1]?.body).sort()).toEqual(expected);
      }
      const before = seen.length;
      const second = await sink.send(items);
      expect(second.every((r) => r.status === "delivered")).toBe(true);
      const again = allIds(seen.slice(before)).sort();
      if (!(options.remembersDelivered && again.length === 0)) expect(again).toEqual(expected);
      expect(new Set(expected).size).toBe(items.length);
    });

    it("does not retry a 4xx answer", async () => {
      const seen = serve(() => HttpResponse.json({ error: "bad request" }, { status: 400 }));
      const items = options.items();
      const outcome = await options
        .createSink()
        .send(items)
        .then(
          (results) => ({ results, error: undefined }),
          (error: unknown) => ({ results: undefined, error }),
        );
      // No retry: one request, or one per item for a sink that rejects each item on its own.
      expect(seen.length).toBe(outcome.error !== undefined ? 1 : expectedRequests(items.length, 0));
      if (outcome.error !== undefined) {
        const error = expectSinkError(outcome.error);
        expect(error.retryable).toBe(false);
        expect(error.status).toBe(400);
      } else {
        // A sink may instead reject each item; then none of them may be retryable.
        for (const result of outcome.results ?? []) {
          expect(result.status).toBe("rejected");
          if (result.status === "rejected") expect(result.error.retryable).toBe(false);
        }
      }
    });

    it("retries 429 and honours Retry-After", async () => {
      const seen = serve((body, n) =>
        n === 0
          ? new HttpResponse(null, { status: 429, headers: { "retry-after": "1" } })
          : vendor.accept(body),
      );
      const items = options.items();
      const results = await options.createSink().send(items);
      expect(results.every((r) => r.status === "delivered")).toBe(true);
      expect(seen.length).toBe(expectedRequests(items.length, 1));
      // Retry-After: 1 second; allow for timer granularity. The retry carries the same ids.
      const failed = JSON.stringify(vendor.dedupeIds(seen[0]?.body).sort());
      const retry = seen
        .slice(1)
        .find((s) => JSON.stringify(vendor.dedupeIds(s.body).sort()) === failed);
      expect((retry?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    });

    it("retries 5xx answers until one succeeds", async () => {
      const seen = serve((body, n) => {
        if (n === 0) return new HttpResponse("<html>502 Bad Gateway</html>", { status: 502 });
        if (n === 1) return new HttpResponse(null, { status: 500 });
        return vendor.accept(body);
      });
      const items = options.items();
      const results = await options.createSink().send(items);
      expect(results.every((r) => r.status === "delivered")).toBe(true);
      expect(seen.length).toBe(expectedRequests(items.length, 2));
    });

    it("throws one retryable SinkError when 5xx answers outlast the retries", async () => {
      const seen = serve(() => new HttpResponse(null, { status: 503 }));
      const error = expectSinkError(await caught(options.createSink().send(options.items())));
      expect(error.retryable).toBe(true);
      expect(error.status).toBe(503);
      expect(seen.length).toBeGreaterThan(1);
    });

    it("rejects only the invalid item and delivers the others", async () => {
      const items = options.items();
      const bad = options.dedupeIdOf(items[1] as Item);
      serve((body) =>
        vendor.dedupeIds(body).includes(bad)
          ? vendor.reject(body, "invalid item")
          : vendor.accept(body),
      );
      const results = await options.createSink().send(items);
      expect(results.map((r) => [r.id, r.status])).toEqual(
        items.map((item, i) => [itemId(item), i === 1 ? "rejected" : "delivered"]),
      );
      const rejected = results[1] as Extract<ItemResult, { status: "rejected" }>;
      expect(SinkError.isInstance(rejected.error)).toBe(true);
      expect(rejected.error.retryable).toBe(false);
    });

    it("declares the conversion names it handles and skips every other one without a request", async () => {
      const sink = options.createSink();
      expect(sink.handles).toBeInstanceOf(Set);
      expect(sink.handles.size).toBeGreaterThan(0);
      for (const name of sink.handles) expect(CONVERSION_NAMES).toContain(name);
      const unhandled = CONVERSION_NAMES.filter((name) => !sink.handles.has(name));
      const items = options.items();
      if (unhandled.length === 0 || !items.every((item) => "name" in item)) return;
      const seen = serve((body) => vendor.accept(body));
      const renamed = items.map((item, i) =>
        i === 1 ? { ...item, name: unhandled[0] as ConversionName } : item,
      );
      const results = await sink.send(renamed);
      expect(results.map((r) => [r.id, r.status])).toEqual(
        items.map((item, i) => [itemId(item), i === 1 ? "skipped" : "delivered"]),
      );
      const skipped = results[1] as Extract<ItemResult, { status: "skipped" }>;
      expect(skipped.reason).toContain(unhandled[0]);
      const only = options.createSink().send([renamed[1] as Item]);
      const before = seen.length;
      expect((await only).map((r) => r.status)).toEqual(["skipped"]);
      expect(seen.length).toBe(before);
    });

    it("stops at once when the signal is already aborted", async () => {
      const seen = serve((body) => vendor.accept(body));
      const controller = new AbortController();
      controller.abort();
      const error = expectSinkError(
        await caught(options.createSink().send(options.items(), { signal: controller.signal })),
      );
      expect(error.reason).toBe("aborted");
      // The caller asked to stop: an abort is never retryable.
      expect(error.retryable).toBe(false);
      expect(seen.length).toBe(0);
    });

    it("aborts a request in flight and stops retrying", async () => {
      const controller = new AbortController();
      // 50 ms after the first item-carrying request arrived: it is in flight then.
      const seen = serve(async (_body, n) => {
        if (n === 0) setTimeout(() => controller.abort(), 50);
        await sleep(2_000);
        return new HttpResponse(null, { status: 503 });
      });
      const error = expectSinkError(
        await caught(options.createSink().send(options.items(), { signal: controller.signal })),
      );
      expect(error.reason).toBe("aborted");
      expect(error.retryable).toBe(false);
      // One attempt per request in flight, cut short: no retry after the abort.
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.length).toBeLessThanOrEqual(perSend);
    });

    it("never puts a secret in an error", async () => {
      const leak = `rejected for token ${options.secrets.join(" and ")}`;
      serve((body) => vendor.reject(body, leak));
      const results = await options.createSink().send(options.items());
      const rejected = results.filter((r) => r.status === "rejected");
      expect(rejected.length).toBeGreaterThan(0);
      const texts = rejected.map((r) => (r.status === "rejected" ? exposedText(r.error) : ""));

      server.resetHandlers();
      serve(() => HttpResponse.json({ error: leak }, { status: 500 }));
      texts.push(exposedText(await caught(options.createSink().send(options.items()))));

      server.resetHandlers();
      serve(() => HttpResponse.json({ error: leak }, { status: 401 }));
      texts.push(exposedText(await caught(options.createSink().send(options.items()))));

      // Transport errors carry the failed request (and its auth headers) in their causes.
      server.resetHandlers();
      serve(() => HttpResponse.error());
      texts.push(exposedText(await caught(options.createSink().send(options.items()))));

      for (const text of texts) {
        for (const secret of options.secrets) expect(text).not.toContain(secret);
      }
    });

    it("sends a User-Agent that carries the package version", async () => {
      serve((body) => vendor.accept(body));
      await options.createSink().send(options.items());
      expect(server.calls.length).toBeGreaterThan(0);
      for (const call of server.calls) {
        expect(call.headers["user-agent"]).toContain(options.userAgent);
        expect(call.headers["user-agent"]).toMatch(/\/\d+\.\d+\.\d+/);
      }
    });
  });
}

/**
 * A sink that accepts everything it is sent and keeps it (`delivered`), for tests of what the
 * pipeline hands its sinks.
 * @param handles the conversions it takes (default: every one).
 */
export function createCaptureSink(
  handles: Iterable<ConversionName> = CONVERSION_NAMES,
): Sink & { delivered: Conversion[] } {
  const delivered: Conversion[] = [];
  return {
    specificationVersion: "v1",
    name: "capture",
    handles: new Set(handles),
    delivered,
    async send(items: readonly Conversion[]): Promise<readonly ItemResult[]> {
      delivered.push(...items);
      return items.map((item) => ({ id: item.id, status: "delivered" as const }));
    },
  };
}
