/** Shared test set-up: a Kiflo emulator behind msw, a memory storage, and the request log. */
import type { MappingStore } from "@revtrace/core";
import { createKifloSandbox, type KifloSandbox } from "@revtrace/sandbox";
import { createMemoryStorage } from "@revtrace/storage-memory";
import type { MockServer } from "@revtrace/testing/msw";
import { createKifloSink, type KifloSinkOptions } from "../src/index.js";

export const TOKEN = "kiflo-test-secret-token";
export const T0 = Date.UTC(2026, 2, 1, 12);

/** The request log as `METHOD /path?query` (the `/v3` prefix cut off). */
export function sequence(server: MockServer): string[] {
  return server.calls.map((call) => {
    const url = new URL(call.url);
    return `${call.method} ${url.pathname.replace(/^\/v3/, "")}${url.search}`;
  });
}

/** The body of the `index`-th recorded request matching `method path` (query ignored). */
export function bodyOf(server: MockServer, method: string, path: string, index = 0): unknown {
  const matching = server.calls.filter(
    (call) => call.method === method && new URL(call.url).pathname === `/v3${path}`,
  );
  return matching[index]?.body;
}

/** A list scan's query, newest first (what the sink sends). */
export const page = (offset = 0, limit = 100, extra = "") =>
  `?${extra}offset=${offset}&limit=${limit}&sort_by=creationDate&order_by=desc`;

export interface Setup {
  kiflo: KifloSandbox;
  store: MappingStore;
  sink: (options?: Partial<KifloSinkOptions>) => ReturnType<typeof createKifloSink>;
}

/** A fresh emulator (installed on `server`) and store; `sink()` builds sinks sharing the store. */
export function setup(
  server: MockServer,
  base: Partial<KifloSinkOptions>,
  sandbox: Parameters<typeof createKifloSandbox>[0] = {},
): Setup {
  const kiflo = createKifloSandbox({ tokens: [TOKEN], now: () => T0, ...sandbox });
  server.use(...kiflo.handlers());
  const store = createMemoryStorage();
  return {
    kiflo,
    store,
    sink: (options = {}) =>
      createKifloSink({
        apiToken: TOKEN,
        store,
        retry: { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 5_000 },
        ...base,
        ...options,
      } as KifloSinkOptions),
  };
}
