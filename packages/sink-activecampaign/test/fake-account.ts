/**
 * A scripted ActiveCampaign account for the exact-sequence tests: each test names the answers of
 * the requests it expects; any other request gets HTTP 418 (refused, never retried), so an
 * unexpected call fails the test's assertions.
 */
import type { RateLimiter } from "@revtrace/core";
import type { MockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import {
  type ActiveCampaignSinkOptions,
  createActiveCampaignSink,
  DEFAULT_FIELD_KEYS,
  DEFAULT_FIELDS,
} from "../src/index.js";

export const API = "https://acme.api-us1.com/api/3/";
export const TOKEN = "ac-test-token-0123456789";

/** The rate limit is tested against the emulator; here it would only slow the tests down. */
const unlimited: RateLimiter = { acquire: async () => {} };

/** The sink for the scripted account (list 3, unpaced, quick retries). */
export function sink(options: Partial<ActiveCampaignSinkOptions> = {}) {
  return createActiveCampaignSink({
    apiUrl: "https://acme.api-us1.com",
    apiToken: TOKEN,
    listId: 3,
    rateLimiter: unlimited,
    retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
    ...options,
  });
}

type Answer = unknown | Response | ((body: unknown, url: URL) => unknown | Response);

/** Routes `"METHOD path"` (path relative to /api/3, without query) to answers, in turn. */
export function script(server: MockServer, routes: Record<string, Answer | Answer[]>): void {
  const used = new Map<string, number>();
  server.use(
    http.all(`${API}*`, async ({ request }) => {
      const url = new URL(request.url);
      const key = `${request.method} ${url.pathname.replace("/api/3/", "")}`;
      const route = routes[key];
      if (route === undefined)
        return HttpResponse.json({ message: `no route ${key}` }, { status: 418 });
      const n = used.get(key) ?? 0;
      used.set(key, n + 1);
      const answer = Array.isArray(route) ? route[Math.min(n, route.length - 1)] : route;
      const text = await request.text();
      const body = text === "" ? undefined : JSON.parse(text);
      const value = await (typeof answer === "function" ? answer(body, url) : answer);
      if (value instanceof Response) return value;
      const status = request.method === "POST" ? 201 : 200;
      return HttpResponse.json(value as object, { status });
    }),
  );
}

/** What the calls were: `METHOD path?query` (decoded) and the JSON body. */
export function sequence(server: MockServer): Array<[string, unknown?]> {
  return server.calls.map((call) => {
    const url = new URL(call.url);
    const line = `${call.method} ${decodeURIComponent(url.pathname.replace("/api/3/", ""))}${decodeURIComponent(url.search)}`;
    return call.body === undefined ? [line] : [line, call.body];
  });
}

/** The id the scripted account gives each default field: 101, 102, … in DEFAULT_FIELD_KEYS order. */
export function fieldId(key: (typeof DEFAULT_FIELD_KEYS)[number]): string {
  return String(101 + DEFAULT_FIELD_KEYS.indexOf(key));
}

/** `GET /fields` answer holding every default field except `missing`. */
export function fieldsAnswer(missing: readonly string[] = []) {
  const fields = DEFAULT_FIELD_KEYS.filter((key) => !missing.includes(key)).map((key) => ({
    id: fieldId(key),
    title: DEFAULT_FIELDS[key].title,
    perstag: DEFAULT_FIELDS[key].perstag,
    type: DEFAULT_FIELDS[key].type,
  }));
  return { fields, meta: { total: String(fields.length) } };
}

/** A list answer. */
export const listOf = (key: string, rows: unknown[]) => ({
  [key]: rows,
  meta: { total: String(rows.length) },
});
