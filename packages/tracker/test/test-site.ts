/**
 * The site the tracker's browser tests load: a local server on an ephemeral port that serves the
 * IIFE build at `/revtrace.js`, a page for every other path, and a collect endpoint at `/rt/collect`
 * that records every request and answers as the test programs it; plus a fresh Chromium page per
 * test (`vitest` hooks). The pipeline's own browser tests cover the real collect endpoint.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { CollectBody } from "../src/index.js";
import { buildIife } from "./tracker-build.ts";

/** One request the collect endpoint received. */
export interface Received {
  method: string;
  contentType: string | undefined;
  /** The body's length in bytes (UTF-8). */
  bytes: number;
  body: CollectBody | undefined;
}

/** How the collect endpoint answers one request. */
export interface CollectAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Milliseconds before the answer. */
  delay?: number;
}

/** The site, the browser and this test's page. */
export interface TestSite {
  origin: string;
  /** Requests to the collect endpoint since this test began, in order. */
  readonly received: Received[];
  /** This test's page, in a fresh browser context. */
  tab: Page;
  context: BrowserContext;
  /** How the collect endpoint answers (204 at once unless a test sets it; reset before each test). */
  answer: (body: CollectBody | undefined) => CollectAnswer;
}

export const available = browserAvailable();

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    request.on("end", () => resolve(text));
  });
}

const accept = (): CollectAnswer => ({ status: 204 });

/**
 * Registers the hooks that start the site and Chromium (once per file) and open a fresh page before
 * each test; `page(url)` writes the HTML of every path but the script and the endpoint. Read the
 * returned object inside tests only (it is filled by the hooks).
 */
export function useTestSite(page: (url: URL) => string): TestSite {
  let browser: Browser | undefined;
  let server: ReturnType<typeof createServer> | undefined;
  const site: TestSite = {
    origin: "",
    received: [],
    tab: undefined as unknown as Page,
    context: undefined as unknown as BrowserContext,
    answer: accept,
  };

  beforeAll(async () => {
    if (!available) return;
    const script = (await buildIife()).code;
    server = createServer(async (request, response) => {
      const url = new URL(request.url ?? "/", "http://local");
      const text = await readBody(request);
      if (url.pathname === "/revtrace.js") {
        response.writeHead(200, { "content-type": "text/javascript" });
        return response.end(script);
      }
      if (url.pathname === "/rt/collect") {
        const body = text ? (JSON.parse(text) as CollectBody) : undefined;
        site.received.push({
          method: request.method ?? "",
          contentType: request.headers["content-type"],
          bytes: Buffer.byteLength(text),
          body,
        });
        const { status, headers, delay = 0 } = site.answer(body);
        setTimeout(() => {
          response.writeHead(status, { "content-type": "application/json", ...headers });
          response.end(status === 204 ? undefined : '{"error":{"code":"x","message":"refused"}}');
        }, delay);
        return;
      }
      response.writeHead(200, { "content-type": "text/html" });
      response.end(page(url));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  beforeEach(async () => {
    if (!available || !browser) return;
    site.received.length = 0;
    site.answer = accept;
    await site.context?.close();
    site.context = await browser.newContext();
    site.tab = await site.context.newPage();
  });

  return site;
}

/** Waits (25 ms steps, `tries` of them) until `check` holds, else throws naming `what`. */
export async function until(check: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}
