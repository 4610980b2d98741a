/**
 * What the pipeline's socket and collect tests share: servers on an ephemeral port closed after each
 * test, a pipeline on the memory store, and a browser's collect request through the public handler.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { afterEach } from "vitest";
import { createPipeline, type Pipeline, type PipelineStorage } from "../src/index.ts";

/** A desktop Safari's user agent (a person, not a bot, to the collect endpoint). */
export const BROWSER_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15";

/** Closers run after each test, last first. */
export function useClosers(): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return closers;
}

/** Listens on an ephemeral port of 127.0.0.1 and registers closing it (connections too). */
export async function listen(server: Server, closers: (() => Promise<void>)[]): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A pipeline on the memory store with these collect options, closed after the test. */
export function collectPipeline(
  closers: (() => Promise<void>)[],
  collect: Record<string, unknown> = {},
  storage = createMemoryStorage(),
): Pipeline {
  const pipeline = createPipeline({
    storage: storage as PipelineStorage,
    chargebee: { credentials: [{ username: "chargebee", password: "collect-test-password" }] },
    collect,
  });
  closers.push(() => pipeline.close());
  return pipeline;
}

/** What a browser's tracker posts: `body` as text/plain, through the public collect handler. */
export function postCollect(
  pipeline: Pipeline,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return pipeline.handleCollect(
    new Request("http://localhost/rt/collect", {
      method: "POST",
      body,
      headers: { "content-type": "text/plain", "user-agent": BROWSER_UA, ...headers },
    }),
  );
}
