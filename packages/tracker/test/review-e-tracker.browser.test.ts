/**
 * review-e: the tracker's IIFE in headless Chromium against a local collect endpoint that can refuse.
 * The endpoint answers 500 `storage_failed` ("not accepted; the tracker may resend") and 429 with
 * `Retry-After`; the tracker treats every answer as delivered (`fetch(...).then(() => …)` never looks
 * at the status), so those events are lost. And `identify` cuts an email at 254 UTF-16 units, which
 * can leave a lone surrogate that the endpoint refuses (400) together with the whole body.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { browserAvailable, launchChromium } from "@revtrace/testing/browser";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CollectBody } from "../src/index.js";
import { buildIife } from "./tracker-build.ts";

const available = browserAvailable();
let server: Server;
let origin = "";
let browser: Browser;
let script = "";
/** Bodies received by the collect endpoint, in order. */
const seen: CollectBody[] = [];
/** The statuses the endpoint answers next (then 204). */
const refusals: { status: number; headers?: Record<string, string> }[] = [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    request.on("end", () => resolve(text));
  });
}

beforeAll(async () => {
  if (!available) return;
  script = (await buildIife()).code;
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://local");
    const body = await readBody(request);
    if (url.pathname === "/revtrace.js") {
      response.writeHead(200, { "content-type": "text/javascript" });
      return response.end(script);
    }
    if (url.pathname === "/rt/collect") {
      seen.push(JSON.parse(body) as CollectBody);
      const refusal = refusals.shift();
      if (refusal) {
        response.writeHead(refusal.status, {
          "content-type": "application/json; charset=utf-8",
          ...refusal.headers,
        });
        return response.end(JSON.stringify({ error: { code: "x", message: "refused" } }));
      }
      response.writeHead(204);
      return response.end();
    }
    response.writeHead(200, { "content-type": "text/html" });
    response.end(
      `<!doctype html><html><head><script src="/revtrace.js" ${url.searchParams.get("attrs") ?? ""}></script></head><body>hi</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

let context: BrowserContext;
let tab: Page;
beforeEach(async () => {
  if (!available) return;
  seen.length = 0;
  refusals.length = 0;
  await context?.close();
  context = await browser.newContext();
  tab = await context.newPage();
});

async function until(check: () => boolean, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}
const clicks = () =>
  seen.flatMap((body) => body.events).flatMap((e) => (e.type === "touch" ? [e.clickIds] : []));

describe.runIf(available)(
  "review-e: the tracker when the collect endpoint refuses",
  { timeout: 15_000 },
  () => {
    it("resends a landing the endpoint answered 500 (storage_failed: not accepted, retry)", async () => {
      refusals.push({ status: 500 });
      await tab.goto(`${origin}/?ttclid=E.C.P.RETRY500`);
      // the 500, then the same landing again (the tracker's retry starts at 500 ms)
      await until(() => seen.length >= 2, "the landing resent after a 500", 160);
      expect(clicks()).toEqual([{ ttclid: "E.C.P.RETRY500" }, { ttclid: "E.C.P.RETRY500" }]);
    });

    it("resends a landing the endpoint answered 429 with Retry-After: 1", async () => {
      refusals.push({ status: 429, headers: { "retry-after": "1" } });
      await tab.goto(`${origin}/?gclid=RETRY429`);
      await until(() => seen.length >= 2, "the landing resent after a 429", 160);
      expect(clicks()).toEqual([{ gclid: "RETRY429" }, { gclid: "RETRY429" }]);
    });

    it("never sends an email cut inside a surrogate pair (the endpoint refuses the whole body)", async () => {
      await tab.goto(`${origin}/?utm_source=x`);
      await until(() => seen.length === 1, "the landing");
      // 253 characters, then an emoji (two UTF-16 units): the 254-unit cut falls between them
      const email = `${"a".repeat(241)}@example.org😀`;
      expect(email.length).toBe(255);
      await tab.evaluate(
        (e) => (window.revtrace as { identify(c: object): void }).identify({ email: e }),
        email,
      );
      await until(() => seen.length === 2, "the identify");
      const sent = seen[1]?.events[0] as { email?: string };
      expect(sent.email).toBeDefined();
      // a high surrogate not followed by a low one, or a low one not preceded by a high one
      expect(sent.email).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      );
    });
  },
);
